import { EntityManager } from 'typeorm';
import type { FolderInfo, MessageState, SpecialUse } from '../imap-backend';

/**
 * The state of a folder's messages (UID, MODSEQ, flags, INTERNALDATE, size)
 * read in ONE statement, so the folder row (HIGHESTMODSEQ) and the messages
 * come from one snapshot. Columns, not rows: 100,000 messages are two values
 * to decode rather than 100,000 row objects to build. The fixed-width fields
 * travel as one bytea of 28-octet records in UID order (uid, modseq: int8;
 * size: int4; internal date: timestamptz_send's int8 microseconds since
 * 2000-01-01), built with the types' binary send functions, which costs
 * PostgreSQL far less than formatting numbers and dates as text; the flags
 * as one text with a line per message.
 */
export interface FolderRow {
  info: FolderInfo;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  /** First UID not yet claimed as \Recent by a read-write SELECT. */
  recentFromUid: number;
  messages: MessageState[];
  /** UIDs expunged after `since`, ascending. */
  expunged: number[];
}

const RECORD = 28;
/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix milliseconds. */
const PG_EPOCH_MS = 946_684_800_000;

const FOLDER_STATE = (where: string) => `
  SELECT f.id, f.name, f.special_use, f.subscribed, f.uid_validity, f.uid_next, f.highest_modseq, f.recent_from_uid,
         s.records, s.flags,
         (SELECT string_agg(e.uid::text, ',' ORDER BY e.uid) FROM expunged_messages e
           WHERE e.folder_id = f.id AND e.modseq > $3) AS expunged
    FROM folders f
   CROSS JOIN LATERAL (
     SELECT string_agg(int8send(mm.uid) || int8send(mm.modseq) || int4send(mm.size) || timestamptz_send(mm.internal_date), ''::bytea) AS records,
            string_agg(array_to_string(mm.flags, ' '), E'\\n') AS flags
       FROM (SELECT uid, modseq, size, flags, internal_date
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
  const records: Buffer | null = r.records;
  const count = records ? records.length / RECORD : 0;
  const flags: string[] = r.flags === null ? [] : r.flags.split('\n');
  // one list per distinct set of flags, shared by the messages that have it (nobody changes a list in place)
  const lists = new Map<string, string[]>();
  const messages: MessageState[] = new Array(count);
  for (let i = 0, at = 0; i < count; i++, at += RECORD) {
    const line = flags[i] ?? '';
    let list = lists.get(line);
    if (!list) lists.set(line, (list = line ? line.split(' ') : []));
    messages[i] = {
      uid: int8(records!, at),
      modseq: int8(records!, at + 8),
      size: records!.readInt32BE(at + 16),
      internalDate: new Date(PG_EPOCH_MS + Math.floor(int8(records!, at + 20) / 1000)),
      flags: list,
    };
  }
  return {
    info: folderInfo(r),
    uidValidity: Number(r.uid_validity),
    uidNext: Number(r.uid_next),
    highestModseq: Number(r.highest_modseq),
    recentFromUid: Number(r.recent_from_uid),
    messages,
    expunged: numbers(r.expunged),
  };
}

/** A big-endian int8 as a number (exact up to 2^53, far beyond any UID, MODSEQ or date here). */
function int8(b: Buffer, at: number): number {
  return b.readInt32BE(at) * 0x1_0000_0000 + b.readUInt32BE(at + 4);
}

function numbers(list: string | null): number[] {
  if (!list) return [];
  return list.split(',').map(Number);
}

export function folderInfo(r: { id: string; name: string; special_use: string | null; subscribed: boolean }): FolderInfo {
  return { id: r.id, name: r.name, specialUse: (r.special_use as SpecialUse | null) ?? null, subscribed: r.subscribed };
}
