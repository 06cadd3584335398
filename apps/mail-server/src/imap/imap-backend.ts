import type { ImapStructure } from '../../../../libs/core/src/mime/imap-structure';
import type { ImapFetchText } from '../../../../libs/core/src/mime/imap-structure-response';

/**
 * What the IMAP protocol layer needs from the mail store. The protocol code
 * never touches storage: it calls these methods, and an implementation maps
 * them onto the store (the PostgreSQL one onto folders, mailbox_messages,
 * messages and expunged_messages, with LISTEN/NOTIFY for change signals).
 *
 * Shape, chosen so that a database implementation can be fast:
 * - every method works on many messages at once (UID arrays, batches), never
 *   one round trip per message;
 * - a session keeps its own view of the selected folder (UID, MODSEQ, flags,
 *   INTERNALDATE, size per message) from openFolder() and keeps it current
 *   with changesSince(), so FETCH FLAGS, SEARCH on flags, sizes and dates,
 *   and sequence-number mapping need no backend call at all;
 * - message content is asked for only in the form the command needs
 *   (the header alone, the stored IMAP structure, or the whole raw message).
 *
 * Conventions for every method:
 * - UIDs are positive integers; UID arrays passed in are sorted ascending and
 *   unique; arrays and iterables returned must be sorted ascending by UID.
 * - Folder names are full UTF-8 names with "/" between levels (the protocol
 *   layer does modified UTF-7 and INBOX case-folding); "INBOX" is always
 *   spelled in upper case.
 * - A method that cannot do what is asked throws ImapBackendError with an
 *   RFC 5530 response code (or a DomainError from libs/core, mapped below).
 *   Any other exception is answered "NO [SERVERBUG]" and logged; the session
 *   goes on.
 * - Flags are strings as IMAP spells them: system flags with their
 *   backslash and canonical case (\Seen \Answered \Flagged \Deleted \Draft),
 *   keywords as given. \Recent is never stored (see FolderSnapshot).
 */
export interface ImapBackend {
  /**
   * Checks a user's credentials (name is the full address, password UTF-8).
   * Must take about the same time for an unknown user as for a wrong password;
   * the protocol layer adds the growing delay after failures itself.
   */
  authenticate(user: string, password: string, remoteAddress: string): Promise<ImapAuthResult>;
}

export type ImapAuthResult =
  | { ok: true; account: ImapAccount }
  /** pausedMs: how long the backend already held the failure back (the shared lockout's pause); the session pauses only for the rest. */
  | { ok: false; temporary: boolean; message: string; pausedMs?: number };

/** One logged-in user's view of their mailbox. Made per session at login, closed at logout or disconnect. */
export interface ImapAccount {
  readonly mailboxId: string;
  /** The address the user logged in as, for logs and the greeting. */
  readonly address: string;

  /** Every folder of the mailbox (INBOX included), in any order. LIST and LSUB filter and sort them. */
  listFolders(): Promise<FolderInfo[]>;

  /**
   * Makes one folder with a fresh UIDVALIDITY that is larger than any this
   * name had before (e.g. creation time in seconds, or a sequence), so a
   * client that cached the old folder resyncs. Parents are made by the
   * protocol layer first. ALREADYEXISTS when the name is taken.
   */
  createFolder(name: string): Promise<FolderInfo>;

  /**
   * Deletes one folder and its messages (their bytes are freed when no other
   * folder refers to them; quota usage goes down). NONEXISTENT when missing.
   * The protocol layer refuses INBOX and folders with children before calling.
   * Sessions that have the folder selected learn of it from changesSince() → null.
   */
  deleteFolder(name: string): Promise<void>;

  /**
   * Renames a folder and every folder below it ("a" → "b" also makes "a/x"
   * "b/x"), keeping UIDVALIDITY, UIDs and messages; atomically.
   * Renaming INBOX is special (RFC 3501 6.3.5): a new folder is made under the
   * new name, every message of INBOX moves into it, and INBOX stays, empty.
   * NONEXISTENT when `from` is missing, ALREADYEXISTS when `to` exists.
   */
  renameFolder(from: string, to: string): Promise<void>;

  /** SUBSCRIBE / UNSUBSCRIBE. NONEXISTENT when the folder is missing. */
  setSubscribed(name: string, subscribed: boolean): Promise<void>;

  /** STATUS: counts from the store, without opening the folder. NONEXISTENT when missing. */
  folderStatus(name: string): Promise<FolderStatus>;

  /**
   * SELECT / EXAMINE: a consistent snapshot of the folder, read in ONE
   * database snapshot (one statement, or a REPEATABLE READ transaction), so
   * that `highestModseq` covers exactly the messages returned. For 100,000
   * messages this must stay one query that streams columns, not rows of
   * objects built one by one in several round trips.
   * `readOnly` is true for EXAMINE: the backend must then not claim \Recent.
   * The session takes ownership of the returned arrays and objects (it
   * adds to them instead of copying), so return fresh ones every call.
   * NONEXISTENT when missing.
   */
  openFolder(name: string, opts: { readOnly: boolean }): Promise<FolderSnapshot>;

  /**
   * Message content for FETCH, as much as `needs` asks for, for many UIDs at
   * once, yielded in ascending UID order (in batches, so a FETCH of many large
   * messages streams with bounded memory: the protocol layer awaits the
   * socket between messages). UIDs that no longer exist are skipped.
   * `structure` must be present when asked for: a message stored without
   * one gets it from computeImapStructure(raw) (and should keep it).
   */
  fetchMessages(folderId: string, uids: readonly number[], needs: FetchNeeds): AsyncIterable<MessageContent>;

  /**
   * STORE and the implicit \Seen of FETCH BODY[]: changes flags of these
   * messages in one statement, giving each changed message a new MODSEQ above
   * the folder's HIGHESTMODSEQ (and raising it). Messages whose flags would
   * not change keep their MODSEQ and are not returned. With `unchangedSince`
   * (RFC 7162 CONDSTORE), messages whose MODSEQ is above it are left alone
   * and listed in `conflicts`. UIDs that no longer exist are ignored.
   */
  storeFlags(folderId: string, uids: readonly number[], op: FlagOperation, flags: readonly string[], opts?: { unchangedSince?: number }): Promise<StoreResult>;

  /**
   * COPY: copies messages (flags and INTERNALDATE kept, bytes shared) into
   * `target`, giving them new UIDs in source UID order. TRYCREATE when the
   * target does not exist, OVERQUOTA when it would pass the quota.
   */
  copyMessages(folderId: string, uids: readonly number[], target: string): Promise<CopyResult>;

  /**
   * MOVE (RFC 6851): copy and expunge from the source in one transaction;
   * the expunge is recorded (expunged_messages) like any other so other
   * sessions see it. Same errors as copyMessages.
   */
  moveMessages(folderId: string, uids: readonly number[], target: string): Promise<CopyResult>;

  /**
   * APPEND: stores a message (raw bytes as the client sent them) with its IMAP
   * structure computed (computeImapStructure) and a new UID. TRYCREATE when the
   * target does not exist, OVERQUOTA when it does not fit, TOOBIG when larger
   * than the server's message size limit.
   */
  appendMessage(target: string, raw: Buffer, opts: { flags: readonly string[]; internalDate?: Date }): Promise<AppendResult>;

  /**
   * EXPUNGE / UID EXPUNGE / CLOSE: removes messages flagged \Deleted (only
   * those among `uids` when given; all of the folder otherwise, but never one
   * with a UID above `maxUid`, which the session has not seen yet), records
   * each in expunged_messages with a new MODSEQ, and returns their UIDs.
   */
  expunge(folderId: string, opts: { uids?: readonly number[]; maxUid: number }): Promise<number[]>;

  /**
   * SEARCH keys the session cannot answer from its own view (header, body and
   * text matches, sent dates). Sequence numbers, \Recent and "*" are already
   * resolved into UID sets by the protocol layer. Returns the matching UIDs
   * up to `maxUid`. Date keys compare calendar dates in UTC (RFC 3501 ignores
   * time and zone); string keys are case-insensitive substring matches on
   * decoded text (encoded words, quoted-printable, base64 and charsets
   * decoded). See imap-search-match.ts for the reference semantics.
   */
  search(folderId: string, key: SearchKey, opts: { maxUid: number }): Promise<number[]>;

  /**
   * What changed in the folder after MODSEQ `since`: messages added or whose
   * flags changed (full state), and UIDs expunged. Returns null when the
   * folder no longer exists (deleted, or made again with a new UIDVALIDITY).
   * Guarantee the protocol relies on: a change with MODSEQ m becomes visible
   * no later than any change with a higher MODSEQ, and new UIDs become visible
   * in ascending order (hold the folder row lock from taking the UID/MODSEQ
   * until commit, as deliverMessage does).
   */
  changesSince(folderId: string, since: number): Promise<FolderChanges | null>;

  /** QUOTA (RFC 9208): usage of the whole mailbox, the only quota root. */
  quota(): Promise<QuotaInfo>;

  /**
   * Calls `listener` soon (within a second) after a change to any folder of
   * this mailbox, whichever process or session made it: delivery, flag
   * change, expunge, append, copy, move. The signal is only a hint (it may be
   * duplicated or merged); the session then asks changesSince(). Returns a
   * function that stops the calls. The PostgreSQL implementation LISTENs on
   * one channel per process and fans out by mailbox id.
   */
  watch(listener: (change: FolderChangeSignal) => void): () => void;

  /** Ends the session's use of the account (stops watchers, releases anything held). Called once. */
  close(): Promise<void>;
}

export type SpecialUse = '\\All' | '\\Archive' | '\\Drafts' | '\\Flagged' | '\\Junk' | '\\Sent' | '\\Trash';

export interface FolderInfo {
  id: string;
  name: string;
  specialUse: SpecialUse | null;
  subscribed: boolean;
}

export interface FolderStatus {
  messages: number;
  unseen: number;
  /** \Recent is not tracked across sessions by every backend; 0 is a valid answer. */
  recent: number;
  uidNext: number;
  uidValidity: number;
  highestModseq: number;
  /** Sum of message sizes in octets. */
  size: number;
}

/** What the session knows about one message of the selected folder. */
export interface MessageState {
  uid: number;
  modseq: number;
  /** May be the same list as other messages' (the PostgreSQL backend shares them): replace it, never change it in place. */
  flags: string[];
  internalDate: Date;
  /** RFC822.SIZE: octets of the raw message. */
  size: number;
}

export interface FolderSnapshot {
  folder: FolderInfo;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  /** Every message, ascending by UID (sequence number = index + 1). */
  messages: MessageState[];
  /**
   * Messages with this UID or above are \Recent for this session (RFC 3501 2.3.2).
   * A backend that tracks it claims them atomically on a read-write open (so one
   * session sees them as recent); null reports no recent messages.
   */
  firstRecentUid: number | null;
}

/** Which content FETCH needs; anything not asked for may be left out. */
export interface FetchNeeds {
  /** The whole raw message (BODY[], BODY[TEXT], RFC822, part sections). */
  raw?: boolean;
  /** Only the header section including its blank line (BODY[HEADER...] of the top level); ignored when raw is set. */
  header?: boolean;
  /** The stored ImapStructure (BODY, part sections). */
  structure?: boolean;
  /** The ENVELOPE and BODYSTRUCTURE response texts (ImapFetchText), stored with the message. */
  fetchText?: boolean;
}

export interface MessageContent {
  uid: number;
  raw?: Buffer;
  header?: Buffer;
  structure?: ImapStructure;
  /** With needs.fetchText; when a backend cannot give it, FETCH writes ENVELOPE/BODYSTRUCTURE from `structure`. */
  fetchText?: ImapFetchText;
}

export type FlagOperation = 'add' | 'remove' | 'replace';

export interface StoreResult {
  /** New state of each message whose flags changed, ascending UID. */
  changed: MessageState[];
  /** UIDs left alone because their MODSEQ was above `unchangedSince`. */
  conflicts: number[];
}

export interface CopyResult {
  /** UIDVALIDITY of the target folder (COPYUID, RFC 4315). */
  uidValidity: number;
  /** [source UID, new target UID] for each message copied, ascending source UID. */
  mapping: [number, number][];
}

export interface AppendResult {
  /** UIDVALIDITY of the target folder and the new message's UID (APPENDUID, RFC 4315). */
  uidValidity: number;
  uid: number;
  folderId: string;
}

export interface FolderChanges {
  /** The folder's HIGHESTMODSEQ the answer is complete up to. */
  highestModseq: number;
  /** Messages new or changed after `since`, with their current state, ascending UID. */
  changed: MessageState[];
  /** UIDs expunged after `since`, ascending. */
  expunged: number[];
}

export interface FolderChangeSignal {
  folderId: string;
}

export interface QuotaInfo {
  usedBytes: number;
  /** null: no limit (QUOTA then reports no resource). */
  limitBytes: number | null;
}

/**
 * A SEARCH criterion, after the protocol layer resolved everything that is
 * session-relative (sequence numbers, "*", \Recent). `and` with no keys
 * matches every message.
 */
export type SearchKey =
  | { type: 'and'; keys: SearchKey[] }
  | { type: 'or'; left: SearchKey; right: SearchKey }
  | { type: 'not'; key: SearchKey }
  /** UIDs ascending. */
  | { type: 'uid'; uids: number[] }
  /** Whether the flag (system flag or keyword) is set (`set: true`) or not. */
  | { type: 'flag'; flag: string; set: boolean }
  /** INTERNALDATE (BEFORE/ON/SINCE) or the Date: header (SENTBEFORE/SENTON/SENTSINCE); date as YYYY-MM-DD. */
  | { type: 'date'; field: 'internal' | 'sent'; comparison: 'before' | 'on' | 'since'; date: string }
  | { type: 'size'; comparison: 'larger' | 'smaller'; size: number }
  /** Header field (lower case) contains value; an empty value matches every message that has the field. */
  | { type: 'header'; field: string; value: string }
  | { type: 'body'; value: string }
  /** Header or body contains value. */
  | { type: 'text'; value: string };

/** RFC 5530 response codes a backend may answer with. */
export type ImapErrorCode =
  | 'ALREADYEXISTS'
  | 'NONEXISTENT'
  | 'TRYCREATE'
  | 'OVERQUOTA'
  | 'LIMIT'
  | 'TOOBIG'
  | 'CANNOT'
  | 'NOPERM'
  | 'INUSE'
  | 'UNAVAILABLE'
  | 'EXPUNGEISSUED'
  | 'SERVERBUG';

/** A refusal the client should see: answered as `tag NO [CODE] message`. */
export class ImapBackendError extends Error {
  constructor(
    readonly code: ImapErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImapBackendError';
  }
}
