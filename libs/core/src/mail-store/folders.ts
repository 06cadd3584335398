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
/**
 * UIDVALIDITY for a new folder of mailbox $1: the time in seconds, above every
 * folder the mailbox has, and above every one it deleted (remembered by
 * rememberUidValidity). Only reads: deliveries that make the default folders
 * take no extra lock.
 */
export const NEXT_UID_VALIDITY = `greatest(extract(epoch FROM clock_timestamp())::bigint,
  (SELECT uid_validity_floor + 1 FROM mailboxes WHERE id = $1::uuid),
  (SELECT coalesce(max(uid_validity), 0) + 1 FROM folders WHERE mailbox_id = $1::uuid))`;

/** Called when a folder is deleted: its UIDVALIDITY is never given again. */
export async function rememberUidValidity(m: EntityManager, mailboxId: string, uidValidity: number): Promise<void> {
  await m.query(`UPDATE mailboxes SET uid_validity_floor = greatest(uid_validity_floor, $2) WHERE id = $1`, [mailboxId, uidValidity]);
}

export async function ensureDefaultFolders(m: EntityManager, mailboxId: string): Promise<void> {
  const params: unknown[] = [mailboxId];
  const rows = DEFAULT_FOLDERS.map((f) => {
    params.push(newId(), f.name, f.specialUse);
    const n = params.length;
    return `($${n - 2}::uuid, $1::uuid, $${n - 1}, $${n})`;
  });
  await m.query(
    `INSERT INTO folders (id, mailbox_id, name, special_use, uid_validity)
     SELECT v.id, v.mailbox_id, v.name, v.special_use, ${NEXT_UID_VALIDITY}
       FROM (VALUES ${rows.join(', ')}) AS v(id, mailbox_id, name, special_use)
     ON CONFLICT (mailbox_id, name) DO NOTHING`,
    params,
  );
}
