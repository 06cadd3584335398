import { Client, Notification } from 'pg';
import { Logger } from 'pino';
import type { FolderChangeSignal } from './imap-backend';

/**
 * LISTEN postbode_mail on one connection per process and fan the
 * notifications out by mailbox id to the IMAP sessions of that mailbox.
 * Every change to a folder notifies in its own transaction (delivery in
 * deliver.ts; flags, expunge, copy, move, append in the IMAP store), so a
 * session learns of changes made by any process once they are committed.
 *
 * When the connection drops, notifications may have been missed: every
 * listener is then told (folderId '*': "anything may have changed") and the
 * connection is made again with backoff. IDLE also polls now and then, so a
 * lost hint costs latency, never correctness.
 */
export const MAIL_CHANNEL = 'postbode_mail';

export type MailSignalListener = (signal: FolderChangeSignal) => void;

export class MailSignals {
  private client: Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly byMailbox = new Map<string, Set<MailSignalListener>>();

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
  ) {}

  /** Resolves once LISTEN is in place: nothing committed afterwards is missed. */
  async start(): Promise<void> {
    await this.connect(0);
  }

  // Nest lifecycle: LISTEN is up before the IMAP listeners accept anyone.
  onModuleInit(): Promise<void> {
    return this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  /** Calls `listener` for every change to a folder of this mailbox; returns the unsubscribe function. */
  subscribe(mailboxId: string, listener: MailSignalListener): () => void {
    let set = this.byMailbox.get(mailboxId);
    if (!set) this.byMailbox.set(mailboxId, (set = new Set()));
    set.add(listener);
    return () => {
      const s = this.byMailbox.get(mailboxId);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) this.byMailbox.delete(mailboxId);
    };
  }

  get connected(): boolean {
    return this.client !== null;
  }

  private emit(mailboxId: string, signal: FolderChangeSignal): void {
    const set = this.byMailbox.get(mailboxId);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(signal);
      } catch (err) {
        this.log.error({ event: 'mail_signal_listener_failed', err: (err as Error).message }, 'mail signal listener threw');
      }
    }
  }

  private emitAll(): void {
    for (const mailboxId of [...this.byMailbox.keys()]) this.emit(mailboxId, { folderId: '*' });
  }

  private onNotification(n: Notification): void {
    if (n.channel !== MAIL_CHANNEL) return;
    try {
      const body = JSON.parse(n.payload ?? '{}');
      if (typeof body.mailboxId === 'string' && typeof body.folderId === 'string') this.emit(body.mailboxId, { folderId: body.folderId });
    } catch {
      // not ours; ignore
    }
  }

  private async connect(attempt: number): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'postbode-mail-server-imap-listen' });
    client.on('notification', (n: Notification) => this.onNotification(n));
    client.on('error', (err) => this.onLost(client, err));
    client.on('end', () => this.onLost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${MAIL_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      if (attempt === 0) throw err; // the first start must succeed
      this.scheduleReconnect(attempt + 1);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (attempt > 0) {
      this.log.warn({ event: 'mail_signals_reconnected' }, 'LISTEN postbode_mail back; telling every IMAP session to look for changes');
      this.emitAll();
    }
  }

  private onLost(client: Client, err: Error | null): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    this.log.warn({ event: 'mail_signals_lost', err: err?.message }, 'LISTEN postbode_mail lost; reconnecting');
    client.end().catch(() => undefined);
    this.scheduleReconnect(1);
  }

  private scheduleReconnect(attempt: number): void {
    if (this.stopped) return;
    const delay = Math.min(200 * 2 ** attempt, 10_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect(attempt).catch(() => this.scheduleReconnect(attempt + 1));
    }, delay);
    this.retryTimer.unref();
  }
}
