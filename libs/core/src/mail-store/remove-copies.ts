import { EntityManager } from 'typeorm';

/** One folder entry as removal needs it. */
export interface RemovedCopy {
  uid: number;
  messageId: string;
  size: number;
}

/**
 * The folder row lock (`FOR UPDATE`), taken before any change to a folder and
 * held until COMMIT, as deliverMessage does with its UPDATE: MODSEQs and UIDs
 * then become visible in the order they were given. Null when the folder is
 * not this mailbox's (or gone).
 */
export async function lockFolder(
  m: EntityManager,
  mailboxId: string,
  folder: { id: string } | { name: string },
): Promise<{ id: string; highestModseq: number; uidValidity: number } | null> {
  const rows = await m.query(
    `SELECT id, highest_modseq, uid_validity FROM folders WHERE mailbox_id = $1 AND ${'id' in folder ? 'id = $2::uuid' : 'name = $2'} FOR UPDATE`,
    [mailboxId, 'id' in folder ? folder.id : folder.name],
  );
  return rows.length ? { id: rows[0].id, highestModseq: Number(rows[0].highest_modseq), uidValidity: Number(rows[0].uid_validity) } : null;
}

/**
 * After copies were deleted from a folder whose lock the caller holds:
 * records each UID in expunged_messages with a MODSEQ of its own (so other
 * sessions and QRESYNC clients learn of it), raises the folder's
 * HIGHESTMODSEQ, lowers the mailbox's usage when `releaseUsage` (not for
 * MOVE, whose bytes stay in the mailbox), and deletes messages that no
 * folder and no outbound queue entry refers to any more.
 */
export async function recordRemoval(
  m: EntityManager,
  mailboxId: string,
  folderId: string,
  highestModseq: number,
  removed: RemovedCopy[],
  opts: { releaseUsage: boolean },
): Promise<number> {
  if (removed.length === 0) return highestModseq;
  removed.sort((a, b) => a.uid - b.uid);
  await m.query(
    `INSERT INTO expunged_messages (folder_id, uid, modseq)
     SELECT $1, t.uid, $3::bigint + t.ord FROM unnest($2::bigint[]) WITH ORDINALITY AS t(uid, ord)`,
    [folderId, removed.map((r) => r.uid), highestModseq],
  );
  const next = highestModseq + removed.length;
  await m.query('UPDATE folders SET highest_modseq = $2 WHERE id = $1', [folderId, next]);
  if (opts.releaseUsage) {
    const bytes = removed.reduce((n, r) => n + r.size, 0);
    await m.query(
      `UPDATE mailboxes SET used_bytes = greatest(0, used_bytes - $2), message_count = greatest(0, message_count - $3) WHERE id = $1`,
      [mailboxId, bytes, removed.length],
    );
    await freeUnreferenced(m, [...new Set(removed.map((r) => r.messageId))]);
  }
  return next;
}

/**
 * Deletes the messages among `ids` that nothing refers to. A row another
 * transaction is about to refer to (its FOREIGN KEY check holds a lock on
 * it) is skipped rather than waited for: keeping bytes a little longer is
 * better than failing an expunge.
 */
export async function freeUnreferenced(m: EntityManager, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await m.query(
    `DELETE FROM messages WHERE id IN (
       SELECT id FROM messages msg
        WHERE msg.id = ANY($1::uuid[])
          AND NOT EXISTS (SELECT 1 FROM mailbox_messages mm WHERE mm.message_id = msg.id)
          AND NOT EXISTS (SELECT 1 FROM outbound_messages o WHERE o.message_id = msg.id)
        FOR UPDATE SKIP LOCKED)`,
    [ids],
  );
}

/** The change signal for IMAP sessions on every process, sent at COMMIT. */
export async function notifyFolder(m: EntityManager, mailboxId: string, folderId: string): Promise<void> {
  await m.query(`SELECT pg_notify('postbode_mail', $1)`, [JSON.stringify({ mailboxId, folderId })]);
}
