import { Client, Notification } from 'pg';
import { Logger } from 'pino';

/**
 * LISTEN postbode_changes on a connection of its own: the API notifies
 * (`{kind: 'mailbox' | 'customer' | 'domain' | 'alias' | 'agreement', id, customerId?}`)
 * in the same transaction as the change, and every mail-server process drops
 * what it cached. When the connection drops, notifications may have been
 * missed, so subscribers are told to forget everything (`kind: '*'`) and the
 * listener reconnects with backoff.
 */
export interface ChangeNotice {
  kind: string;
  id: string | null;
  /** Whose data changed, when the notice says (agreement notices do). */
  customerId?: string | null;
}

export const CHANGES_CHANNEL = 'postbode_changes';
/** Outbound mail became due (queued, retried or released): delivery workers wake up. */
export const OUTBOUND_CHANNEL = 'postbode_outbound';

export class ChangeListener {
  private client: Client | null = null;
  /** PostgreSQL backend of the LISTEN connection (for diagnostics and tests). */
  backendPid: number | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly subscribers: ((notice: ChangeNotice) => void)[] = [];
  private readonly outboundSubscribers: (() => void)[] = [];

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
  ) {}

  subscribe(fn: (notice: ChangeNotice) => void): void {
    this.subscribers.push(fn);
  }

  /** Called on every NOTIFY postbode_outbound, and after a reconnect (one may have been missed). */
  onOutbound(fn: () => void): void {
    this.outboundSubscribers.push(fn);
  }

  /** Resolves once LISTEN is in place, so nothing committed after start is missed. */
  async start(): Promise<void> {
    await this.connect();
  }

  // Nest lifecycle: LISTEN is up before any listener accepts a connection.
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

  private publish(notice: ChangeNotice): void {
    for (const fn of this.subscribers) fn(notice);
  }

  private async connect(attempt = 0): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'postbode-mail-server-listen' });
    client.on('notification', (n: Notification) => this.onNotification(n));
    client.on('error', (err) => this.onLost(client, err));
    client.on('end', () => this.onLost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}; LISTEN ${OUTBOUND_CHANNEL}`);
      this.backendPid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (attempt === 0 && !this.client) throw err; // the first start must succeed
      this.scheduleReconnect(attempt + 1);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    const reconnected = attempt > 0;
    this.client = client;
    if (reconnected) {
      this.log.warn({ event: 'changes_listener_reconnected' }, 'LISTEN connection back; dropping every cached account');
      this.publish({ kind: '*', id: null });
      this.outboundSubscribers.forEach((fn) => fn());
    }
  }

  private onNotification(n: Notification): void {
    if (n.channel === OUTBOUND_CHANNEL) {
      this.outboundSubscribers.forEach((fn) => fn());
      return;
    }
    if (n.channel !== CHANGES_CHANNEL) return;
    let notice: ChangeNotice;
    try {
      const body = JSON.parse(n.payload ?? '{}');
      notice = {
        kind: typeof body.kind === 'string' ? body.kind : '*',
        id: typeof body.id === 'string' ? body.id : null,
        customerId: typeof body.customerId === 'string' ? body.customerId : null,
      };
    } catch {
      notice = { kind: '*', id: null };
    }
    this.log.debug({ event: 'change_notice', ...notice }, 'account change');
    this.publish(notice);
  }

  private onLost(client: Client, err: Error | null): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    this.log.warn({ event: 'changes_listener_lost', err: err?.message }, 'LISTEN connection lost; cache off until it is back');
    this.publish({ kind: '*', id: null });
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

  /** True while notifications can arrive; the cache serves nothing otherwise. */
  get connected(): boolean {
    return this.client !== null;
  }
}
