import { EntityManager } from 'typeorm';
import type { FolderInfo, MessageState, SpecialUse } from '../imap-backend';

/**
 * The state of a folder's messages (UID, MODSEQ, flags, INTERNALDATE, size)
 * read in ONE statement, so the folder row (HIGHESTMODSEQ) and the messages
 * come from one snapshot. Columns, not rows: each column is one string with
 * a value per message in UID order, so 100,000 messages are five strings to
 * split rather than 100,000 row objects to build.
 */
export interface FolderRow {
  info: FolderInfo;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  messages: MessageState[];
  /** UIDs expunged after `since`, ascending. */
  expunged: number[];
}

const FOLDER_STATE = (where: string) => `
  SELECT f.id, f.name, f.special_use, f.subscribed, f.uid_validity, f.uid_next, f.highest_modseq,
         s.uids, s.modseqs, s.sizes, s.dates, s.flags,
         (SELECT string_agg(e.uid::text, ',' ORDER BY e.uid) FROM expunged_messages e
           WHERE e.folder_id = f.id AND e.modseq > $3) AS expunged
    FROM folders f
   CROSS JOIN LATERAL (
     SELECT string_agg(mm.uid::text, ',') AS uids,
            string_agg(mm.modseq::text, ',') AS modseqs,
            string_agg(mm.size::text, ',') AS sizes,
            string_agg(mm.ms::text, ',') AS dates,
            string_agg(array_to_string(mm.flags, ' '), E'\\n') AS flags
       FROM (SELECT uid, modseq, size, flags, (extract(epoch FROM internal_date) * 1000)::bigint AS ms
               FROM mailbox_messages
              WHERE folder_id = f.id AND modseq > $3
              ORDER BY uid) mm
   ) s
   WHERE f.mailbox_id = $1 AND ${where}`;

const BY_NAME = FOLDER_STATE('f.name = $2');
const BY_ID = FOLDER_STATE('f.id = $2::uuid');

/** Messages with MODSEQ above `since` (0: all of them); null when the folder does not exist. */
export async function readFolderState(
  m: EntityManager,
  mailboxId: string,
  folder: { name: string } | { id: string },
  since: number,
): Promise<FolderRow | null> {
  const rows = await m.query('name' in folder ? BY_NAME : BY_ID, [mailboxId, 'name' in folder ? folder.name : folder.id, since]);
  if (rows.length === 0) return null;
  const r = rows[0];
  const uids = numbers(r.uids);
  const modseqs = numbers(r.modseqs);
  const sizes = numbers(r.sizes);
  const dates = numbers(r.dates);
  const flags: string[] = r.flags === null ? [] : r.flags.split('\n');
  const messages: MessageState[] = new Array(uids.length);
  for (let i = 0; i < uids.length; i++) {
    messages[i] = { uid: uids[i], modseq: modseqs[i], flags: flags[i] ? flags[i].split(' ') : [], internalDate: new Date(dates[i]), size: sizes[i] };
  }
  return {
    info: folderInfo(r),
    uidValidity: Number(r.uid_validity),
    uidNext: Number(r.uid_next),
    highestModseq: Number(r.highest_modseq),
    messages,
    expunged: numbers(r.expunged),
  };
}

function numbers(list: string | null): number[] {
  if (!list) return [];
  return list.split(',').map(Number);
}

export function folderInfo(r: { id: string; name: string; special_use: string | null; subscribed: boolean }): FolderInfo {
  return { id: r.id, name: r.name, specialUse: (r.special_use as SpecialUse | null) ?? null, subscribed: r.subscribed };
}
