import { Client } from 'pg';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AuthThrottle } from '../../../../libs/core/src/mail-accounts/auth-throttle';
import { mailboxLogin } from '../../../../libs/core/src/mail-accounts/mailbox-login';
import { expungeUids } from '../../../../libs/core/src/mail-store/expunge';
import { OpenMaildropResult, Pop3AuthResult, Pop3Backend, Pop3Maildrop, Pop3MessageInfo } from './pop3-backend';

/** Read ahead this many messages (or bytes) per query: RETR of a whole maildrop is one query per batch. */
const READ_AHEAD_MESSAGES = 32;
const READ_AHEAD_BYTES = 4 * 1024 * 1024;

/**
 * POP3 on the PostgreSQL store. The maildrop is the INBOX folder. The lock
 * is a PostgreSQL advisory lock held by a connection of the session's own:
 * it spans every mail-server process, and a crashed process (or a killed
 * connection) drops it with the connection, so it never stays forever.
 */
export class Pop3PgBackend implements Pop3Backend {
  constructor(
    private readonly db: DataSource,
    private readonly databaseUrl: string,
    private readonly throttle: AuthThrottle,
    private readonly log: Logger,
  ) {}

  async authenticate(user: string, password: string, remoteAddress: string): Promise<Pop3AuthResult> {
    const result = await mailboxLogin(this.db, this.throttle, user, password, remoteAddress);
    if (!result.ok) return { ok: false, temporary: result.temporary, message: result.message };
    return { ok: true, mailboxId: result.mailbox.id, address: result.mailbox.address };
  }

  async openMaildrop(mailboxId: string, sessionId: string): Promise<OpenMaildropResult> {
    const lockConn = new Client({ connectionString: this.databaseUrl, application_name: `postbode-pop3-${sessionId.slice(0, 8)}` });
    lockConn.on('error', () => undefined);
    await lockConn.connect();
    try {
      const [{ locked }] = (await lockConn.query(`SELECT pg_try_advisory_lock(hashtextextended('postbode:maildrop:' || $1, 0)) AS locked`, [mailboxId])).rows;
      if (!locked) {
        await lockConn.end();
        return { ok: false, inUse: true, message: 'maildrop already locked by another session' };
      }
      const rows: Array<{ folder_id: string; uid_validity: string; uid: string; size: number; message_id: string }> = await this.db.query(
        `SELECT f.id AS folder_id, f.uid_validity, mm.uid, mm.size, mm.message_id
           FROM folders f JOIN mailbox_messages mm ON mm.folder_id = f.id
          WHERE f.mailbox_id = $1 AND f.name = 'INBOX'
          ORDER BY mm.uid`,
        [mailboxId],
      );
      const folderId: string | null = rows[0]?.folder_id ?? null;
      return { ok: true, maildrop: new PgMaildrop(this.db, lockConn, mailboxId, folderId, rows, this.log) };
    } catch (err) {
      await lockConn.end().catch(() => undefined);
      throw err;
    }
  }
}

class PgMaildrop implements Pop3Maildrop {
  readonly messages: Pop3MessageInfo[];
  private readonly uids: number[];
  private readonly messageIds: string[];
  private cache = new Map<number, Buffer>();
  private released = false;

  constructor(
    private readonly db: DataSource,
    private readonly lockConn: Client,
    private readonly mailboxId: string,
    private readonly folderId: string | null,
    rows: Array<{ uid_validity: string; uid: string; size: number; message_id: string }>,
    private readonly log: Logger,
  ) {
    // UIDL: UIDVALIDITY.UID is stable across sessions and restarts and never reused
    this.messages = rows.map((r) => ({ uidl: `${r.uid_validity}.${r.uid}`, size: r.size }));
    this.uids = rows.map((r) => Number(r.uid));
    this.messageIds = rows.map((r) => r.message_id);
  }

  async fetch(index: number): Promise<Buffer> {
    const hit = this.cache.get(index);
    if (hit) {
      this.cache.delete(index);
      return hit;
    }
    // clients read in order: fetch this one and the next few in one query
    const wanted: number[] = [];
    let bytes = 0;
    for (let i = index; i < this.messages.length && wanted.length < READ_AHEAD_MESSAGES && (wanted.length === 0 || bytes + this.messages[i].size <= READ_AHEAD_BYTES); i++) {
      wanted.push(i);
      bytes += this.messages[i].size;
    }
    const rows: Array<{ id: string; raw: Buffer }> = await this.db.query('SELECT id, raw FROM messages WHERE id = ANY($1::uuid[])', [wanted.map((i) => this.messageIds[i])]);
    const byId = new Map(rows.map((r) => [r.id, r.raw]));
    this.cache.clear();
    for (const i of wanted.slice(1)) {
      const raw = byId.get(this.messageIds[i]);
      if (raw) this.cache.set(i, raw);
    }
    const raw = byId.get(this.messageIds[index]);
    if (!raw) throw new Error(`message ${index + 1} vanished from the store`);
    return raw;
  }

  async commitDeletes(indexes: readonly number[]): Promise<void> {
    if (!this.folderId || indexes.length === 0) return;
    const removed = await expungeUids(this.db, this.mailboxId, this.folderId, indexes.map((i) => this.uids[i]));
    this.log.info({ mailbox: this.mailboxId, requested: indexes.length, removed: removed.length }, 'pop3 deleted messages');
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.cache.clear();
    // ending the connection drops the advisory lock with it
    await this.lockConn.end().catch(() => undefined);
  }
}
