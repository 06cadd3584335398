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
 * UIDVALIDITY is the creation time in seconds: a folder deleted and made
 * again later gets a larger one, which tells IMAP clients to resync.
 */
export async function ensureDefaultFolders(m: EntityManager, mailboxId: string): Promise<void> {
  const params: unknown[] = [mailboxId];
  const rows = DEFAULT_FOLDERS.map((f) => {
    params.push(newId(), f.name, f.specialUse);
    const n = params.length;
    return `($${n - 2}::uuid, $1::uuid, $${n - 1}, $${n}, extract(epoch FROM now())::bigint)`;
  });
  await m.query(
    `INSERT INTO folders (id, mailbox_id, name, special_use, uid_validity)
     VALUES ${rows.join(', ')}
     ON CONFLICT (mailbox_id, name) DO NOTHING`,
    params,
  );
}
