import { randomUUID } from 'node:crypto';
import { computeImapStructure, ImapStructure } from '../../../../libs/core/src/mime/imap-structure';
import { imapFetchText } from '../../../../libs/core/src/mime/imap-structure-response';
import {
  AppendResult,
  CopyResult,
  FetchNeeds,
  FlagOperation,
  FolderChanges,
  FolderChangeSignal,
  FolderInfo,
  FolderSnapshot,
  FolderStatus,
  ImapAccount,
  ImapAuthResult,
  ImapBackend,
  ImapBackendError,
  MessageContent,
  MessageState,
  QuotaInfo,
  SearchKey,
  SpecialUse,
  StoreResult,
} from './imap-backend';
import { hasFlag } from './imap-flags';
import { matchesMessage, SearchableText, searchableText } from './imap-search-match';

/**
 * An ImapBackend held in memory: the reference implementation of the
 * contract in imap-backend.ts (UIDs only grow, UIDVALIDITY changes when a
 * folder is made again, every change gets a MODSEQ, expunges are recorded,
 * change signals arrive asynchronously like PostgreSQL's NOTIFY after
 * commit). The protocol specs run against it; the PostgreSQL backend must
 * behave the same.
 */

interface StoredMessage {
  uid: number;
  modseq: number;
  flags: string[];
  internalDate: Date;
  raw: Buffer;
  structure: ImapStructure;
}

interface StoredFolder {
  id: string;
  name: string;
  specialUse: SpecialUse | null;
  subscribed: boolean;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  /** Messages from this UID on have not been seen by a read-write SELECT yet (\Recent). */
  recentFrom: number;
  messages: StoredMessage[];
  expunged: { uid: number; modseq: number }[];
}

interface StoredMailbox {
  id: string;
  address: string;
  password: string;
  quotaBytes: number | null;
  folders: StoredFolder[];
  listeners: Set<(signal: FolderChangeSignal) => void>;
}

const DEFAULT_FOLDERS: [string, SpecialUse | null][] = [
  ['INBOX', null],
  ['Sent', '\\Sent'],
  ['Drafts', '\\Drafts'],
  ['Junk', '\\Junk'],
  ['Trash', '\\Trash'],
];

export class MemoryImapBackend implements ImapBackend {
  private readonly mailboxes = new Map<string, StoredMailbox>();
  private lastUidValidity = Math.floor(Date.now() / 1000);
  /** Accounts made and not yet closed (the specs check that sessions release them). */
  openAccounts = 0;

  addUser(address: string, password: string, quotaBytes: number | null = null): string {
    const mailbox: StoredMailbox = { id: randomUUID(), address: address.toLowerCase(), password, quotaBytes, folders: [], listeners: new Set() };
    for (const [name, specialUse] of DEFAULT_FOLDERS) mailbox.folders.push(this.newFolder(name, specialUse));
    this.mailboxes.set(mailbox.address, mailbox);
    return mailbox.id;
  }

  /** Delivery as the SMTP side would do it (another process, as far as sessions can tell). */
  deliver(address: string, raw: Buffer, opts: { folder?: string; flags?: string[]; internalDate?: Date } = {}): number {
    const mailbox = this.mailbox(address);
    const folder = mailbox.folders.find((f) => f.name === (opts.folder ?? 'INBOX'));
    if (!folder) throw new Error(`no folder ${opts.folder}`);
    const uid = addMessage(folder, raw, opts.flags ?? [], opts.internalDate ?? new Date());
    signal(mailbox, folder);
    return uid;
  }

  /** Flags changed by "another client" (for tests of untagged FETCH). */
  setFlags(address: string, folderName: string, uid: number, flags: string[]): void {
    const mailbox = this.mailbox(address);
    const folder = mailbox.folders.find((f) => f.name === folderName)!;
    const m = folder.messages.find((x) => x.uid === uid)!;
    m.flags = [...flags];
    m.modseq = ++folder.highestModseq;
    signal(mailbox, folder);
  }

  /** Expunge by "another client". */
  remove(address: string, folderName: string, uid: number): void {
    const mailbox = this.mailbox(address);
    const folder = mailbox.folders.find((f) => f.name === folderName)!;
    removeMessages(folder, [uid]);
    signal(mailbox, folder);
  }

  folderNames(address: string): string[] {
    return this.mailbox(address).folders.map((f) => f.name);
  }

  messagesOf(address: string, folderName: string): { uid: number; flags: string[]; raw: Buffer }[] {
    const folder = this.mailbox(address).folders.find((f) => f.name === folderName);
    return folder ? folder.messages.map((m) => ({ uid: m.uid, flags: [...m.flags], raw: m.raw })) : [];
  }

  async authenticate(user: string, password: string): Promise<ImapAuthResult> {
    const mailbox = this.mailboxes.get(user.toLowerCase());
    if (!mailbox || mailbox.password !== password) return { ok: false, temporary: false, message: 'invalid user name or password' };
    this.openAccounts++;
    return { ok: true, account: new MemoryAccount(this, mailbox, () => this.openAccounts--) };
  }

  newFolder(name: string, specialUse: SpecialUse | null): StoredFolder {
    // UIDVALIDITY only grows, so a folder made again under an old name looks new to clients
    this.lastUidValidity += 1;
    return {
      id: randomUUID(),
      name,
      specialUse,
      subscribed: true,
      uidValidity: this.lastUidValidity,
      uidNext: 1,
      highestModseq: 1,
      recentFrom: 1,
      messages: [],
      expunged: [],
    };
  }

  private mailbox(address: string): StoredMailbox {
    const m = this.mailboxes.get(address.toLowerCase());
    if (!m) throw new Error(`no mailbox ${address}`);
    return m;
  }
}

function addMessage(folder: StoredFolder, raw: Buffer, flags: string[], internalDate: Date, structure?: ImapStructure): number {
  const uid = folder.uidNext++;
  folder.messages.push({ uid, modseq: ++folder.highestModseq, flags: [...flags], internalDate, raw, structure: structure ?? computeImapStructure(raw) });
  return uid;
}

function removeMessages(folder: StoredFolder, uids: readonly number[]): number[] {
  const gone = new Set(uids);
  const removed: number[] = [];
  folder.messages = folder.messages.filter((m) => {
    if (!gone.has(m.uid)) return true;
    removed.push(m.uid);
    folder.expunged.push({ uid: m.uid, modseq: ++folder.highestModseq });
    return false;
  });
  return removed;
}

/** Like NOTIFY: delivered after the change is visible, asynchronously. */
function signal(mailbox: StoredMailbox, folder: StoredFolder): void {
  const s = { folderId: folder.id };
  setImmediate(() => {
    for (const listener of mailbox.listeners) listener(s);
  });
}

const stateOf = (m: StoredMessage): MessageState => ({ uid: m.uid, modseq: m.modseq, flags: [...m.flags], internalDate: m.internalDate, size: m.raw.length });

class MemoryAccount implements ImapAccount {
  readonly mailboxId: string;
  readonly address: string;
  private closed = false;
  private readonly watchers = new Set<(signal: FolderChangeSignal) => void>();

  constructor(
    private readonly backend: MemoryImapBackend,
    private readonly mailbox: StoredMailbox,
    private readonly onClose: () => void,
  ) {
    this.mailboxId = mailbox.id;
    this.address = mailbox.address;
  }

  async listFolders(): Promise<FolderInfo[]> {
    return this.mailbox.folders.map(info);
  }

  async createFolder(name: string): Promise<FolderInfo> {
    if (this.find(name)) throw new ImapBackendError('ALREADYEXISTS', 'a folder of that name exists');
    const folder = this.backend.newFolder(name, null);
    this.mailbox.folders.push(folder);
    return info(folder);
  }

  async deleteFolder(name: string): Promise<void> {
    const folder = this.folder(name);
    this.mailbox.folders = this.mailbox.folders.filter((f) => f !== folder);
    signal(this.mailbox, folder);
  }

  async renameFolder(from: string, to: string): Promise<void> {
    const folder = this.folder(from);
    if (this.find(to)) throw new ImapBackendError('ALREADYEXISTS', 'a folder of that name exists');
    if (from === 'INBOX') {
      const moved = this.backend.newFolder(to, null);
      moved.messages = folder.messages.map((m) => ({ ...m, uid: moved.uidNext++, modseq: ++moved.highestModseq }));
      removeMessages(
        folder,
        folder.messages.map((m) => m.uid),
      );
      this.mailbox.folders.push(moved);
      signal(this.mailbox, folder);
      return;
    }
    for (const f of this.mailbox.folders) {
      if (f.name === from) f.name = to;
      else if (f.name.startsWith(from + '/')) f.name = to + f.name.slice(from.length);
    }
  }

  async setSubscribed(name: string, subscribed: boolean): Promise<void> {
    this.folder(name).subscribed = subscribed;
  }

  async folderStatus(name: string): Promise<FolderStatus> {
    const f = this.folder(name);
    return {
      messages: f.messages.length,
      unseen: f.messages.filter((m) => !hasFlag(m.flags, '\\Seen')).length,
      recent: f.messages.filter((m) => m.uid >= f.recentFrom).length,
      uidNext: f.uidNext,
      uidValidity: f.uidValidity,
      highestModseq: f.highestModseq,
      size: f.messages.reduce((n, m) => n + m.raw.length, 0),
    };
  }

  async openFolder(name: string, opts: { readOnly: boolean }): Promise<FolderSnapshot> {
    const f = this.folder(name);
    const firstRecentUid = f.recentFrom;
    if (!opts.readOnly) f.recentFrom = f.uidNext;
    return {
      folder: info(f),
      uidValidity: f.uidValidity,
      uidNext: f.uidNext,
      highestModseq: f.highestModseq,
      messages: f.messages.map(stateOf),
      firstRecentUid,
    };
  }

  async *fetchMessages(folderId: string, uids: readonly number[], needs: FetchNeeds): AsyncIterable<MessageContent> {
    const f = this.folderById(folderId);
    if (!f) return;
    for (const uid of uids) {
      const m = f.messages[indexOf(f, uid)];
      if (!m || m.uid !== uid) continue;
      const content: MessageContent = { uid };
      if (needs.raw) content.raw = m.raw;
      else if (needs.header) content.header = m.raw.subarray(0, m.structure.body.bodyStart);
      if (needs.structure) content.structure = m.structure;
      if (needs.fetchText) {
        // as the PostgreSQL store keeps it; the structure when the text cannot be kept
        const text = imapFetchText(m.structure);
        if (text) content.fetchText = text;
        else content.structure = m.structure;
      }
      yield content;
    }
  }

  async storeFlags(folderId: string, uids: readonly number[], op: FlagOperation, flags: readonly string[], opts: { unchangedSince?: number } = {}): Promise<StoreResult> {
    const f = this.existingFolder(folderId);
    const changed: MessageState[] = [];
    const conflicts: number[] = [];
    for (const uid of uids) {
      const m = f.messages[indexOf(f, uid)];
      if (!m || m.uid !== uid) continue;
      if (opts.unchangedSince !== undefined && m.modseq > opts.unchangedSince) {
        conflicts.push(uid);
        continue;
      }
      const next = applyFlags(m.flags, op, flags);
      if (next.length === m.flags.length && next.every((x, i) => x === m.flags[i])) continue;
      m.flags = next;
      m.modseq = ++f.highestModseq;
      changed.push(stateOf(m));
    }
    if (changed.length) signal(this.mailbox, f);
    return { changed, conflicts };
  }

  async copyMessages(folderId: string, uids: readonly number[], target: string): Promise<CopyResult> {
    return this.copy(folderId, uids, target, false);
  }

  async moveMessages(folderId: string, uids: readonly number[], target: string): Promise<CopyResult> {
    return this.copy(folderId, uids, target, true);
  }

  private copy(folderId: string, uids: readonly number[], target: string, move: boolean): CopyResult {
    const source = this.existingFolder(folderId);
    const dest = this.find(target);
    if (!dest) throw new ImapBackendError('TRYCREATE', 'no such folder');
    const picked = uids.map((uid) => source.messages[indexOf(source, uid)]).filter((m, i) => m && m.uid === uids[i]);
    if (!move) this.checkQuota(picked.reduce((n, m) => n + m.raw.length, 0));
    const mapping: [number, number][] = picked.map((m) => [m.uid, addMessage(dest, m.raw, m.flags, m.internalDate, m.structure)]);
    if (move && dest !== source) removeMessages(source, uids);
    signal(this.mailbox, dest);
    if (move) signal(this.mailbox, source);
    return { uidValidity: dest.uidValidity, mapping };
  }

  async appendMessage(target: string, raw: Buffer, opts: { flags: readonly string[]; internalDate?: Date }): Promise<AppendResult> {
    const folder = this.find(target);
    if (!folder) throw new ImapBackendError('TRYCREATE', 'no such folder');
    this.checkQuota(raw.length);
    const uid = addMessage(folder, Buffer.from(raw), [...opts.flags], opts.internalDate ?? new Date());
    signal(this.mailbox, folder);
    return { uidValidity: folder.uidValidity, uid, folderId: folder.id };
  }

  async expunge(folderId: string, opts: { uids?: readonly number[]; maxUid: number }): Promise<number[]> {
    const f = this.existingFolder(folderId);
    const only = opts.uids ? new Set(opts.uids) : null;
    const doomed = f.messages.filter((m) => m.uid <= opts.maxUid && hasFlag(m.flags, '\\Deleted') && (!only || only.has(m.uid))).map((m) => m.uid);
    const removed = removeMessages(f, doomed);
    if (removed.length) signal(this.mailbox, f);
    return removed;
  }

  async search(folderId: string, key: SearchKey, opts: { maxUid: number }): Promise<number[]> {
    const f = this.existingFolder(folderId);
    const out: number[] = [];
    for (const m of f.messages) {
      if (m.uid > opts.maxUid) break;
      let text: Promise<SearchableText> | null = null;
      if (await matchesMessage(key, stateOf(m), () => (text ??= searchableText(m.raw)))) out.push(m.uid);
    }
    return out;
  }

  async changesSince(folderId: string, since: number): Promise<FolderChanges | null> {
    const f = this.folderById(folderId);
    if (!f) return null;
    return {
      highestModseq: f.highestModseq,
      changed: f.messages.filter((m) => m.modseq > since).map(stateOf),
      expunged: f.expunged.filter((e) => e.modseq > since).map((e) => e.uid),
    };
  }

  async quota(): Promise<QuotaInfo> {
    return { usedBytes: this.usedBytes(), limitBytes: this.mailbox.quotaBytes };
  }

  watch(listener: (change: FolderChangeSignal) => void): () => void {
    this.watchers.add(listener);
    this.mailbox.listeners.add(listener);
    return () => {
      this.watchers.delete(listener);
      this.mailbox.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.closed) throw new Error('account closed twice');
    this.closed = true;
    for (const w of this.watchers) this.mailbox.listeners.delete(w);
    this.onClose();
  }

  private usedBytes(): number {
    return this.mailbox.folders.reduce((n, f) => n + f.messages.reduce((k, m) => k + m.raw.length, 0), 0);
  }

  private checkQuota(adding: number): void {
    const limit = this.mailbox.quotaBytes;
    if (limit !== null && this.usedBytes() + adding > limit) throw new ImapBackendError('OVERQUOTA', 'mailbox is full');
  }

  private find(name: string): StoredFolder | undefined {
    return this.mailbox.folders.find((f) => f.name === name);
  }

  private folder(name: string): StoredFolder {
    const f = this.find(name);
    if (!f) throw new ImapBackendError('NONEXISTENT', 'no such folder');
    return f;
  }

  private folderById(id: string): StoredFolder | undefined {
    return this.mailbox.folders.find((f) => f.id === id);
  }

  private existingFolder(id: string): StoredFolder {
    const f = this.folderById(id);
    if (!f) throw new ImapBackendError('NONEXISTENT', 'the folder no longer exists');
    return f;
  }
}

function info(f: StoredFolder): FolderInfo {
  return { id: f.id, name: f.name, specialUse: f.specialUse, subscribed: f.subscribed };
}

function indexOf(f: StoredFolder, uid: number): number {
  let lo = 0;
  let hi = f.messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (f.messages[mid].uid < uid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function applyFlags(current: readonly string[], op: FlagOperation, flags: readonly string[]): string[] {
  if (op === 'replace') return [...flags];
  if (op === 'add') return [...current, ...flags.filter((f) => !hasFlag(current, f))];
  return current.filter((f) => !hasFlag(flags, f));
}
