import { EntityManager } from 'typeorm';
import { newId } from '../ids';

/** The folders every mailbox has (RFC 6154 special-use attributes). */
export const DEFAULT_FOLDERS: readonly { name: string; specialUse: string | null }[] = [
  { name: 'INBOX', specialUse: null },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Trash', specialUse: '\\Trash' },
];

/**
 * Makes the default folders of a mailbox if they are missing. Safe to run from
 * several processes at once (ON CONFLICT DO NOTHING on (mailbox_id, name)).
 * UIDVALIDITY is the creation time in seconds, and above any the mailbox
 * ever had: a folder deleted and made again gets a larger one, which tells
 * IMAP clients to resync.
 */
export async function ensureDefaultFolders(m: EntityManager, mailboxId: string): Promise<void> {
  const params: unknown[] = [mailboxId];
  const rows = DEFAULT_FOLDERS.map((f) => {
    params.push(newId(), f.name, f.specialUse);
    const n = params.length;
    return `($${n - 2}::uuid, $1::uuid, $${n - 1}, $${n})`;
  });
  // above every UIDVALIDITY the mailbox ever had (mailboxes.uid_validity_floor): a default folder
  // deleted by a client and made again here must not reuse the old one
  await m.query(
    `WITH floor AS (
       UPDATE mailboxes
          SET uid_validity_floor = greatest(extract(epoch FROM clock_timestamp())::bigint, uid_validity_floor + 1,
                                            (SELECT coalesce(max(uid_validity), 0) + 1 FROM folders WHERE mailbox_id = $1::uuid))
        WHERE id = $1::uuid
       RETURNING uid_validity_floor)
     INSERT INTO folders (id, mailbox_id, name, special_use, uid_validity)
     SELECT v.id, v.mailbox_id, v.name, v.special_use, floor.uid_validity_floor
       FROM (VALUES ${rows.join(', ')}) AS v(id, mailbox_id, name, special_use), floor
     ON CONFLICT (mailbox_id, name) DO NOTHING`,
    params,
  );
}
