import { DataSource } from 'typeorm';

/**
 * Removes these UIDs from one folder for good, in one transaction: the
 * copies go, their UIDs are remembered in expunged_messages with the new
 * MODSEQ (for IMAP resync), the mailbox's usage drops at once, and a stored
 * message no other copy points to is deleted. Other sessions hear of it
 * through NOTIFY postbode_mail. Returns the UIDs really removed (a UID that
 * another session already expunged is skipped, not an error).
 */
export async function expungeUids(db: DataSource, mailboxId: string, folderId: string, uids: readonly number[]): Promise<number[]> {
  if (uids.length === 0) return [];
  return db.transaction(async (m) => {
    const rows: Array<{ uid: string; message_id: string }> = await m.query(
      `WITH bump AS (
         UPDATE folders SET highest_modseq = highest_modseq + 1 WHERE id = $2 AND mailbox_id = $1 RETURNING highest_modseq
       ), gone AS (
         DELETE FROM mailbox_messages mm USING bump
          WHERE mm.folder_id = $2 AND mm.mailbox_id = $1 AND mm.uid = ANY($3::bigint[])
         RETURNING mm.uid, mm.size, mm.message_id
       ), remembered AS (
         INSERT INTO expunged_messages (folder_id, uid, modseq)
         SELECT $2, gone.uid, bump.highest_modseq FROM gone, bump
         ON CONFLICT DO NOTHING
       ), usage AS (
         UPDATE mailboxes SET used_bytes = GREATEST(0, used_bytes - (SELECT coalesce(sum(size), 0) FROM gone)),
                              message_count = GREATEST(0, message_count - (SELECT count(*) FROM gone))
          WHERE id = $1 AND EXISTS (SELECT 1 FROM gone)
       )
       SELECT uid::text AS uid, message_id FROM gone`,
      [mailboxId, folderId, uids],
    );
    if (rows.length === 0) return [];
    // stored once, shared by every local recipient: delete only when no copy is left
    await m.query(
      `DELETE FROM messages msg WHERE msg.id = ANY($1::uuid[])
         AND NOT EXISTS (SELECT 1 FROM mailbox_messages mm WHERE mm.message_id = msg.id)
         AND NOT EXISTS (SELECT 1 FROM outbound_messages om WHERE om.message_id = msg.id)`,
      [[...new Set(rows.map((r) => r.message_id))]],
    );
    await m.query(`SELECT pg_notify('postbode_mail', json_build_object('mailboxId', $1::text, 'folderId', $2::text, 'expunged', true)::text)`, [mailboxId, folderId]);
    return rows.map((r) => Number(r.uid));
  });
}
