import { DataSource } from 'typeorm';
import { lockFolder, notifyFolder, recordRemoval, RemovedCopy } from './remove-copies';

/**
 * Removes these UIDs from one folder for good (POP3's QUIT), with the same
 * steps as IMAP's EXPUNGE: the folder row lock first, then the copies go,
 * each UID is remembered in expunged_messages with its MODSEQ, the mailbox's
 * usage drops at once, and a stored message no copy or queue entry points to
 * is deleted. Other sessions hear of it through NOTIFY postbode_mail. Returns
 * the UIDs really removed (one another session already expunged is skipped).
 */
export async function expungeUids(db: DataSource, mailboxId: string, folderId: string, uids: readonly number[]): Promise<number[]> {
  if (uids.length === 0) return [];
  return db.transaction(async (m) => {
    const folder = await lockFolder(m, mailboxId, { id: folderId });
    if (!folder) return [];
    const rows: Array<{ uid: string; message_id: string; size: number }> = await m.query(
      // a SELECT over the DELETE: TypeORM answers a bare DELETE ... RETURNING as [rows, count]
      `WITH gone AS (DELETE FROM mailbox_messages WHERE folder_id = $1 AND mailbox_id = $2 AND uid = ANY($3::bigint[]) RETURNING uid, message_id, size)
       SELECT uid, message_id, size FROM gone`,
      [folderId, mailboxId, uids],
    );
    const removed: RemovedCopy[] = rows.map((r) => ({ uid: Number(r.uid), messageId: r.message_id, size: Number(r.size) }));
    await recordRemoval(m, mailboxId, folderId, folder.highestModseq, removed, { releaseUsage: true });
    if (removed.length) await notifyFolder(m, mailboxId, folderId);
    return removed.map((r) => r.uid);
  });
}
