import { EntityManager } from 'typeorm';
import type { MessageState } from '../imap-backend';
import { FolderRow, readFolderState } from './folder-state';

/**
 * The message states of recently selected folders, kept per process, so a
 * SELECT reads only what changed since the last one (readFolderState with
 * `since` = the kept HIGHESTMODSEQ, an index range on (folder_id, modseq))
 * instead of every message: on 100,000 messages that is a few rows instead
 * of all of them.
 *
 * Exact, not a guess: every change to a folder's messages (delivery, flags,
 * copy, move, append) gives them a MODSEQ above the folder's HIGHESTMODSEQ
 * under the folder row lock, and every removal is recorded in
 * expunged_messages with one (the contract changesSince() already rests
 * on). So the kept state plus what changed after its MODSEQ, read in one
 * snapshot together with the folder row, is the state of that snapshot. A
 * folder renamed, deleted or made again (a new id) is read in full.
 *
 * Bounded: at most `maxMessages` message states in all, the least recently
 * selected folders dropped first. Kept as columns (about 40 octets a
 * message; flag lists shared between messages with the same flags, and
 * never changed in place by anyone).
 */
export class FolderStateCache {
  private readonly entries = new Map<string, CachedFolder>();
  private total = 0;

  constructor(private readonly maxMessages = 500_000) {}

  /** The folder's state now, as readFolderState(..., 0) would give it; null when the folder does not exist. */
  async read(m: EntityManager, mailboxId: string, name: string): Promise<FolderRow | null> {
    const key = `${mailboxId}\n${name}`;
    const kept = this.entries.get(key);
    if (kept) {
      const changes = await readFolderState(m, mailboxId, { id: kept.row.info.id }, kept.row.highestModseq);
      if (changes && changes.info.name === name) {
        const now = merge(kept, changes);
        this.keep(key, now);
        return materialise(now);
      }
      this.forget(key);
    }
    const row = await readFolderState(m, mailboxId, { name }, 0);
    if (row) this.keep(key, columns(row));
    return row;
  }

  get size(): number {
    return this.total;
  }

  private keep(key: string, folder: CachedFolder): void {
    const old = this.entries.get(key);
    // two sessions may read at once: never replace a newer state with an older one
    if (old && old.row.info.id === folder.row.info.id && old.row.highestModseq > folder.row.highestModseq) return;
    this.forget(key);
    if (folder.uids.length > this.maxMessages) return;
    this.entries.set(key, folder); // at the end: most recently used
    this.total += folder.uids.length;
    for (const [oldest] of this.entries) {
      if (this.total <= this.maxMessages) break;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.total -= old.uids.length;
  }
}

export interface CachedFolder {
  /** The folder row as read (messages and expunged left empty: they are in the columns). */
  row: FolderRow;
  uids: Float64Array;
  modseqs: Float64Array;
  sizes: Float64Array;
  /** INTERNALDATE in Unix milliseconds. */
  dates: Float64Array;
  flags: string[][];
}

export function columns(row: FolderRow): CachedFolder {
  const n = row.messages.length;
  const folder: CachedFolder = { row: { ...row, messages: [], expunged: [] }, uids: new Float64Array(n), modseqs: new Float64Array(n), sizes: new Float64Array(n), dates: new Float64Array(n), flags: new Array(n) };
  row.messages.forEach((msg, i) => put(folder, i, msg));
  return folder;
}

function put(folder: CachedFolder, i: number, msg: MessageState): void {
  folder.uids[i] = msg.uid;
  folder.modseqs[i] = msg.modseq;
  folder.sizes[i] = msg.size;
  folder.dates[i] = msg.internalDate.getTime();
  folder.flags[i] = msg.flags as string[];
}

/** The kept state with the changes read since it applied: removed UIDs dropped, changed and new messages put in UID order. */
export function merge(kept: CachedFolder, changes: FolderRow): CachedFolder {
  const row = { ...changes, messages: [], expunged: [] };
  if (changes.messages.length === 0 && changes.expunged.length === 0) return { ...kept, row };
  const gone = new Set(changes.expunged);
  const changed = changes.messages; // ascending UID
  const n = kept.uids.length;
  const size = n + changed.length;
  const out: CachedFolder = { row, uids: new Float64Array(size), modseqs: new Float64Array(size), sizes: new Float64Array(size), dates: new Float64Array(size), flags: new Array(size) };
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < n || j < changed.length) {
    if (j >= changed.length || (i < n && kept.uids[i] < changed[j].uid)) {
      if (!gone.has(kept.uids[i])) {
        out.uids[o] = kept.uids[i];
        out.modseqs[o] = kept.modseqs[i];
        out.sizes[o] = kept.sizes[i];
        out.dates[o] = kept.dates[i];
        out.flags[o] = kept.flags[i];
        o++;
      }
      i++;
    } else {
      if (i < n && kept.uids[i] === changed[j].uid) i++; // a new state of a kept message
      if (!gone.has(changed[j].uid)) put(out, o++, changed[j]);
      j++;
    }
  }
  return { row, uids: out.uids.slice(0, o), modseqs: out.modseqs.slice(0, o), sizes: out.sizes.slice(0, o), dates: out.dates.slice(0, o), flags: out.flags.slice(0, o) };
}

/** Fresh message objects for one session's view (which sets `recent` on them); the flag lists are shared. */
export function materialise(folder: CachedFolder): FolderRow {
  const n = folder.uids.length;
  const messages: MessageState[] = new Array(n);
  for (let i = 0; i < n; i++) {
    messages[i] = { uid: folder.uids[i], modseq: folder.modseqs[i], flags: folder.flags[i], internalDate: new Date(folder.dates[i]), size: folder.sizes[i] };
  }
  return { ...folder.row, messages, expunged: [] };
}
