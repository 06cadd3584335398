import type { FolderChanges, FolderSnapshot, MessageState } from './imap-backend';
import { lowerBound } from './imap-sequence';
import { flagList } from './imap-flags';

export interface ViewMessage extends MessageState {
  recent: boolean;
}

/**
 * One session's view of its selected folder: the messages the client has
 * been told about, in sequence-number order (sequence number = index + 1).
 *
 * Changes made elsewhere are merged in with applyChanges() and announced
 * with takeUpdates() at the moments IMAP allows: new messages as EXISTS,
 * flag changes as FETCH, and expunges as EXPUNGE only when the command in
 * progress permits it (RFC 3501 7.4.1: never during FETCH, STORE or SEARCH,
 * because the client's sequence numbers would shift under it). Until then an
 * expunged message keeps its place in the view.
 */
export class SelectedFolder {
  readonly folderId: string;
  readonly name: string;
  readonly readOnly: boolean;
  readonly uidValidity: number;
  uidNext: number;
  /** MODSEQ up to which changes of other sessions have been merged in. */
  highestModseq: number;
  /** Ascending UIDs, parallel to `messages`. */
  uids: number[];
  messages: ViewMessage[];
  /** How many messages the client believes exist (its last EXISTS minus EXPUNGEs since). */
  private announcedCount: number;
  private readonly pendingExpunges = new Set<number>();
  private readonly pendingFlagUpdates = new Set<number>();
  /** New arrivals are \Recent to a read-write session of a backend that tracks \Recent. */
  private readonly markNewAsRecent: boolean;

  constructor(snapshot: FolderSnapshot, name: string, readOnly: boolean) {
    this.folderId = snapshot.folder.id;
    this.name = name;
    this.readOnly = readOnly;
    this.uidValidity = snapshot.uidValidity;
    this.uidNext = snapshot.uidNext;
    this.highestModseq = snapshot.highestModseq;
    const firstRecent = snapshot.firstRecentUid;
    // the snapshot belongs to this session: its objects become the view without copying (100,000 messages)
    this.messages = snapshot.messages as ViewMessage[];
    this.uids = new Array(this.messages.length);
    for (let i = 0; i < this.messages.length; i++) {
      const m = this.messages[i];
      m.recent = firstRecent !== null && m.uid >= firstRecent;
      this.uids[i] = m.uid;
    }
    this.announcedCount = this.messages.length;
    this.markNewAsRecent = !readOnly && firstRecent !== null;
  }

  get count(): number {
    return this.messages.length;
  }

  recentCount(): number {
    let n = 0;
    for (const m of this.messages) if (m.recent) n++;
    return n;
  }

  indexOfUid(uid: number): number {
    const i = lowerBound(this.uids, uid);
    return i < this.uids.length && this.uids[i] === uid ? i : -1;
  }

  get maxUid(): number {
    return this.uids.length ? this.uids[this.uids.length - 1] : 0;
  }

  isExpungePending(uid: number): boolean {
    return this.pendingExpunges.has(uid);
  }

  /** Merges what changesSince() reported. Nothing is sent yet. */
  applyChanges(changes: FolderChanges): void {
    const expunged = new Set(changes.expunged);
    const sorted = changes.changed.length > 1 && !isAscending(changes.changed) ? [...changes.changed].sort((a, b) => a.uid - b.uid) : changes.changed;
    for (const state of sorted) {
      if (expunged.has(state.uid)) continue;
      const i = this.indexOfUid(state.uid);
      if (i >= 0) {
        const known = this.messages[i];
        if (state.modseq <= known.modseq) continue;
        const flagsChanged = !sameFlags(known.flags, state.flags);
        this.messages[i] = { ...state, recent: known.recent };
        if (flagsChanged && !this.pendingExpunges.has(state.uid)) this.pendingFlagUpdates.add(state.uid);
      } else if (state.uid > this.maxUid) {
        this.messages.push({ ...state, recent: this.markNewAsRecent });
        this.uids.push(state.uid);
      }
      // A UID below the last known one that we never saw was added and removed
      // between two polls, or the backend broke its ordering promise: never
      // announced, because sequence numbers may only grow at the end.
    }
    for (const uid of changes.expunged) {
      if (this.indexOfUid(uid) >= 0) {
        this.pendingExpunges.add(uid);
        this.pendingFlagUpdates.delete(uid);
      }
    }
    if (changes.highestModseq > this.highestModseq) this.highestModseq = changes.highestModseq;
    if (this.maxUid >= this.uidNext) this.uidNext = this.maxUid + 1;
  }

  /** The session's own flag changes (STORE, implicit \Seen): known at once, announced by the command itself. */
  applyOwnFlags(states: readonly MessageState[]): void {
    for (const state of states) {
      const i = this.indexOfUid(state.uid);
      if (i >= 0 && state.modseq >= this.messages[i].modseq) this.messages[i] = { ...state, recent: this.messages[i].recent };
    }
  }

  /**
   * Removes messages this session expunged itself (EXPUNGE, MOVE) and gives
   * the untagged EXPUNGE lines, together with any expunges still pending.
   */
  expungeNow(uids: readonly number[]): string[] {
    for (const uid of uids) if (this.indexOfUid(uid) >= 0) this.pendingExpunges.add(uid);
    return this.flushExpunges();
  }

  /** Removes expunged messages without telling the client (CLOSE). */
  dropExpunged(uids: readonly number[]): void {
    for (const uid of uids) if (this.indexOfUid(uid) >= 0) this.pendingExpunges.add(uid);
    this.flushExpunges();
  }

  /**
   * Untagged responses for everything merged but not yet announced.
   * `allowExpunge` false keeps expunged messages in place for later.
   */
  takeUpdates(allowExpunge: boolean): string[] {
    const lines = allowExpunge ? this.flushExpunges() : [];
    if (this.messages.length > this.announcedCount) {
      lines.push(`* ${this.messages.length} EXISTS`);
      lines.push(`* ${this.recentCount()} RECENT`);
      this.announcedCount = this.messages.length;
    }
    if (this.pendingFlagUpdates.size) {
      const uids = [...this.pendingFlagUpdates].sort((a, b) => a - b);
      this.pendingFlagUpdates.clear();
      for (const uid of uids) {
        const i = this.indexOfUid(uid);
        if (i < 0 || i >= this.announcedCount) continue;
        const m = this.messages[i];
        lines.push(`* ${i + 1} FETCH (UID ${uid} FLAGS (${flagList(m.flags, m.recent)}))`);
      }
    }
    return lines;
  }

  private flushExpunges(): string[] {
    if (!this.pendingExpunges.size) return [];
    const indexes: number[] = [];
    for (const uid of this.pendingExpunges) {
      const i = this.indexOfUid(uid);
      if (i >= 0) indexes.push(i);
    }
    this.pendingExpunges.clear();
    indexes.sort((a, b) => b - a);
    // highest first, so no sequence number in the list shifts before it is sent
    const lines = indexes.filter((i) => i < this.announcedCount).map((i) => `* ${i + 1} EXPUNGE`);
    const gone = new Set(indexes);
    const announcedGone = lines.length;
    this.messages = this.messages.filter((_, i) => !gone.has(i));
    this.uids = this.messages.map((m) => m.uid);
    this.announcedCount -= announcedGone;
    if (this.announcedCount > this.messages.length) this.announcedCount = this.messages.length;
    return lines;
  }
}

function isAscending(states: readonly MessageState[]): boolean {
  for (let i = 1; i < states.length; i++) if (states[i].uid <= states[i - 1].uid) return false;
  return true;
}

export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a.map((f) => f.toLowerCase()));
  return b.every((f) => set.has(f.toLowerCase()));
}
