import { Pool, PoolClient } from 'pg';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { LoginGuard, mailboxLogin } from '../../../../libs/core/src/mail-accounts/mailbox-login';
import { binaryCopyRows, copyOutBinary } from '../../../../libs/core/src/database/copy-out';
import { expungeUids } from '../../../../libs/core/src/mail-store/expunge';
import { OpenMaildropResult, Pop3AuthResult, Pop3Backend, Pop3Maildrop } from './pop3-backend';

/**
 * Read ahead this many messages (or bytes) per query: RETR of a whole maildrop is one query per
 * batch. The byte limit bounds a session's memory (the batch being sent and the next one); the
 * count only saves queries (each COPY is parsed and planned anew).
 */
const READ_AHEAD_MESSAGES = 256;
const READ_AHEAD_BYTES = 2 * 1024 * 1024;
/**
 * The first batch of a session (and after a jump) is small, so the first RETR is not kept
 * waiting for a 2 MB query; each next one is 4× larger up to the limits above.
 */
const FIRST_BATCH_MESSAGES = 16;
/**
 * What all sessions of one process may hold read ahead together (asked of the database and not yet
 * taken by a RETR). Each downloading session holds up to two batches of READ_AHEAD_BYTES; past this
 * bound batches shrink to what is left of it, down to the one message a RETR asks for, so a thousand
 * sessions downloading at once are slower rather than taking the process's memory.
 */
export const PROCESS_READ_AHEAD_BYTES = 256 * 1024 * 1024;

/** The read-ahead bytes of one process's POP3 sessions, against PROCESS_READ_AHEAD_BYTES. */
export class ReadAheadBudget {
  private used = 0;

  constructor(readonly limitBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  /** What a next batch may take now. */
  get available(): number {
    return Math.max(0, this.limitBytes - this.used);
  }

  take(bytes: number): void {
    this.used += bytes;
  }

  giveBack(bytes: number): void {
    this.used -= bytes;
  }
}

/** Binary COPY framing: header and trailer, and per row its field count, two lengths and the 8-byte UID. */
const COPY_OVERHEAD = 21;
const COPY_ROW_OVERHEAD = 18;

/**
 * Each session holds a database connection of its own for its lock. Opening
 * one costs a PostgreSQL backend start and a SCRAM exchange on both sides,
 * so ended sessions hand theirs back (lock released) for the next login.
 */
const MAX_SESSION_CONNECTIONS = 500;
const IDLE_SESSION_CONNECTION_MS = 60_000;

const LOCK_KEY = `hashtextextended('postbode:maildrop:' || $1, 0)`;

/**
 * POP3 on the PostgreSQL store. The maildrop is the INBOX folder. The lock
 * is a PostgreSQL advisory lock held by a connection of the session's own:
 * it spans every mail-server process, and a crashed process (or a killed
 * connection) drops it with the connection, so it never stays forever.
 */
export class Pop3PgBackend implements Pop3Backend {
  private readonly sessionConnections: Pool;
  readonly readAhead: ReadAheadBudget;

  constructor(
    private readonly db: DataSource,
    databaseUrl: string,
    private readonly guard: LoginGuard,
    private readonly log: Logger,
    readAheadBytes = PROCESS_READ_AHEAD_BYTES,
  ) {
    this.readAhead = new ReadAheadBudget(readAheadBytes);
    this.sessionConnections = new Pool({
      connectionString: databaseUrl,
      application_name: 'postbode-pop3',
      max: MAX_SESSION_CONNECTIONS,
      idleTimeoutMillis: IDLE_SESSION_CONNECTION_MS,
      // a full pool answers [SYS/TEMP] instead of keeping the client waiting
      connectionTimeoutMillis: 10_000,
    });
    // an idle connection that dies (server restart, terminated backend) is dropped by the pool
    this.sessionConnections.on('error', (err) => this.log.warn({ err: err.message }, 'pop3 idle session connection failed'));
  }

  async authenticate(user: string, password: string, remoteAddress: string): Promise<Pop3AuthResult> {
    const result = await mailboxLogin(this.db, this.guard, user, password, remoteAddress);
    if (!result.ok) return { ok: false, temporary: result.temporary, message: result.message, pausedMs: result.delayMs };
    return { ok: true, mailboxId: result.mailbox.id, address: result.mailbox.address };
  }

  async openMaildrop(mailboxId: string, sessionId: string): Promise<OpenMaildropResult> {
    const conn = await this.sessionConnections.connect();
    // a checked-out pg client without an error listener would take the process down when its connection breaks
    const onError = (err: Error) => this.log.warn({ session: sessionId, err: err.message }, 'pop3 session connection failed');
    conn.on('error', onError);
    const giveBack = (broken?: Error) => {
      conn.off('error', onError);
      conn.release(broken);
    };
    try {
      const [{ locked }] = (await conn.query(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`, [mailboxId])).rows;
      if (!locked) {
        giveBack();
        return { ok: false, inUse: true, message: 'maildrop already locked by another session' };
      }
      const listing = await readListing(conn, mailboxId);
      return { ok: true, maildrop: new PgMaildrop(this.db, conn, giveBack, mailboxId, listing, this.readAhead, this.log) };
    } catch (err) {
      // closing the connection drops the lock, if it was taken
      giveBack(err as Error);
      throw err;
    }
  }

  /** Closes the idle session connections (sessions still open give theirs back as they end). */
  async close(): Promise<void> {
    await this.sessionConnections.end();
  }
}

interface Listing {
  folderId: string | null;
  uidValidity: string;
  uids: Float64Array;
  sizes: Int32Array;
  octets: number;
}

/**
 * INBOX as it is now (the caller holds the lock): UIDs and sizes in UID
 * order. Aggregated to two strings in PostgreSQL: 100,000 rows would cost
 * far more to decode one by one than one split in JavaScript.
 */
async function readListing(conn: PoolClient, mailboxId: string): Promise<Listing> {
  const folders = await conn.query<{ id: string; uid_validity: string }>(`SELECT id, uid_validity FROM folders WHERE mailbox_id = $1 AND name = 'INBOX'`, [mailboxId]);
  if (!folders.rows.length) return { folderId: null, uidValidity: '', uids: new Float64Array(0), sizes: new Int32Array(0), octets: 0 };
  const { id: folderId, uid_validity: uidValidity } = folders.rows[0];
  if (!/^[0-9a-f-]{36}$/.test(folderId)) throw new Error(`unexpected folder id ${folderId}`); // it goes into COPY's SQL text
  // unnamed (planned for this folder): the index on (folder_id, uid) gives the order without a sort
  const { rows } = await conn.query<{ uids: string | null; sizes: string | null }>(
    `SELECT string_agg(uid::text, ',' ORDER BY uid) AS uids, string_agg(size::text, ',' ORDER BY uid) AS sizes
       FROM mailbox_messages WHERE folder_id = $1`,
    [folderId],
  );
  const uidText = rows[0].uids ? rows[0].uids.split(',') : [];
  const sizeText = rows[0].sizes ? rows[0].sizes.split(',') : [];
  const uids = new Float64Array(uidText.length);
  const sizes = new Int32Array(uidText.length);
  let octets = 0;
  for (let i = 0; i < uidText.length; i++) {
    uids[i] = Number(uidText[i]);
    sizes[i] = Number(sizeText[i]);
    octets += sizes[i];
  }
  return { folderId, uidValidity, uids, sizes, octets };
}

class PgMaildrop implements Pop3Maildrop {
  readonly count: number;
  readonly octets: number;
  /**
   * Read-ahead: index → raw message, or null when it is gone from the folder. Every entry, and every
   * message of a batch still on its way, counts its listed size against the process's budget until
   * a RETR takes it or the cache is dropped.
   */
  private readonly cache = new Map<number, Buffer | null>();
  private loading: { from: number; to: number; done: Promise<void> } | null = null;
  /** Everything below this index has been asked of the database (for reading ahead in order). */
  private readAheadEnd = 0;
  /** Messages the next query may fetch: small at first, growing while the client reads in order. */
  private batchMessages = FIRST_BATCH_MESSAGES;
  private released = false;

  constructor(
    private readonly db: DataSource,
    private readonly conn: PoolClient,
    private readonly giveBack: (broken?: Error) => void,
    private readonly mailboxId: string,
    private readonly listing: Listing,
    private readonly budget: ReadAheadBudget,
    private readonly log: Logger,
  ) {
    this.count = listing.uids.length;
    this.octets = listing.octets;
  }

  size(index: number): number {
    return this.listing.sizes[index];
  }

  /** UIDVALIDITY.UID is stable across sessions and restarts and never reused. */
  uidl(index: number): string {
    return `${this.listing.uidValidity}.${this.listing.uids[index]}`;
  }

  fetch(index: number): Buffer | null | Promise<Buffer | null> {
    return this.cache.has(index) ? this.take(index) : this.fetchLater(index);
  }

  private async fetchLater(index: number): Promise<Buffer | null> {
    const pending = this.loading;
    if (pending && index >= pending.from && index < pending.to) await pending.done;
    if (!this.cache.has(index)) {
      // not read in order: start over from here, small again
      this.dropCache();
      this.batchMessages = FIRST_BATCH_MESSAGES;
      await this.load(index);
    }
    return this.take(index);
  }

  private take(index: number): Buffer | null {
    const raw = this.cache.get(index);
    if (raw !== undefined) {
      // (undefined: released while the batch was on its way, and already given back)
      this.cache.delete(index);
      this.budget.giveBack(this.listing.sizes[index]);
    }
    // clients read in order: once half of what was read ahead is taken, the next batch
    // is fetched while this message goes out, so the client never waits for the query
    if (!this.loading && !this.released && this.readAheadEnd < this.count && this.readAheadEnd - index <= READ_AHEAD_MESSAGES / 2) {
      this.load(this.readAheadEnd).catch(() => undefined); // a failed read-ahead is retried by the fetch that needs it
    }
    return raw ?? null;
  }

  /** Gives the cached messages' bytes back to the process's budget and forgets them. */
  private dropCache(): void {
    for (const index of this.cache.keys()) this.budget.giveBack(this.listing.sizes[index]);
    this.cache.clear();
  }

  /**
   * One query for the messages from `from` on, within the read-ahead limits (the session's and what is
   * left of the process's), by (folder, UID): never another message's bytes. At least one message.
   */
  private load(from: number): Promise<void> {
    // the session's connection went back to the pool with the lock: another session may be using it
    if (this.released) return Promise.reject(new Error('maildrop already released'));
    const uids: number[] = [];
    let bytes = 0;
    const maxBytes = Math.min(READ_AHEAD_BYTES, this.budget.available);
    for (let i = from; i < this.count && uids.length < this.batchMessages && (uids.length === 0 || bytes + this.listing.sizes[i] <= maxBytes); i++) {
      uids.push(this.listing.uids[i]);
      bytes += this.listing.sizes[i];
    }
    const to = from + uids.length;
    this.budget.take(bytes);
    this.readAheadEnd = to;
    this.batchMessages = Math.min(READ_AHEAD_MESSAGES, this.batchMessages * 4);
    // COPY takes no parameters: the folder id is a UUID from the database and the UIDs are integers.
    // A UID range, not a list: a folder's UIDs only grow, so every message now in the folder with a UID
    // between two of the snapshot's was in the snapshot (one index range scan instead of one lookup per UID)
    const sql = `SELECT mm.uid, m.raw FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id
                  WHERE mm.folder_id = '${this.listing.folderId}' AND mm.uid BETWEEN ${uids[0]} AND ${uids[uids.length - 1]}`;
    const done = copyOutBinary(this.conn, sql, COPY_OVERHEAD + uids.length * COPY_ROW_OVERHEAD + bytes)
      .then((data) => {
        if (this.released) {
          // the session ended while this batch was on its way: nothing is cached any more
          this.budget.giveBack(bytes);
          return;
        }
        const byUid = new Map<number, Buffer>();
        for (const [uid, raw] of binaryCopyRows(data)) byUid.set(Number(uid!.readBigInt64BE(0)), raw!);
        const rows: Array<Buffer | null> = [];
        for (let i = from; i < to; i++) {
          const raw = byUid.get(this.listing.uids[i]) ?? null;
          // LIST announced this size: never send other octets under it
          if (raw && raw.length !== this.listing.sizes[i]) throw new Error(`message ${i + 1}: stored ${raw.length} octets, listed ${this.listing.sizes[i]}`);
          rows.push(raw);
        }
        for (let i = from; i < to; i++) {
          // a batch asked for before the session jumped elsewhere may bring a message again: counted once
          if (this.cache.has(i)) this.budget.giveBack(this.listing.sizes[i]);
          this.cache.set(i, rows[i - from]);
        }
      })
      .catch((err: unknown) => {
        // nothing of this batch was cached: its bytes go back at once
        this.budget.giveBack(bytes);
        throw err;
      })
      .finally(() => {
        if (this.loading?.done === done) this.loading = null;
      });
    this.loading = { from, to, done };
    return done;
  }

  async commitDeletes(indexes: readonly number[]): Promise<void> {
    if (!this.listing.folderId || indexes.length === 0) return;
    const removed = await expungeUids(
      this.db,
      this.mailboxId,
      this.listing.folderId,
      indexes.map((i) => this.listing.uids[i]),
    );
    this.log.info({ mailbox: this.mailboxId, requested: indexes.length, removed: removed.length }, 'pop3 deleted messages');
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.dropCache();
    try {
      await this.conn.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [this.mailboxId]);
      this.giveBack();
    } catch (err) {
      // the connection is closed instead, which drops the lock with it
      this.giveBack(err as Error);
    }
  }
}
