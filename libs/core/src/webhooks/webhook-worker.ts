import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { signWebhookBody, SIGNATURE_HEADER } from './webhook-signature';

/**
 * Delivers pending webhook deliveries. Any number of workers (one per API
 * process) share the table: a worker claims due rows with FOR UPDATE SKIP
 * LOCKED and, in the same statement, pushes their next_attempt_at past the
 * end of the HTTP attempt (a lease), so no other worker takes them while the
 * POST is in flight, yet a worker that dies mid-attempt leaves nothing stuck.
 * It wakes on NOTIFY postbode_events (sent by recordEvent) and polls as a fallback.
 */

/** Retry delays in units of the base delay (30 s): 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h, 8 h; about 31.7 hours in all. */
export const RETRY_MULTIPLIERS = [1, 4, 20, 60, 120, 240, 480, 960, 960, 960] as const;

/** Delay before the next attempt after `attempts` failed ones, or null when the delivery is given up. */
export function retryDelayMs(attempts: number, baseMs: number): number | null {
  const multiplier = RETRY_MULTIPLIERS[attempts - 1];
  return multiplier === undefined ? null : multiplier * baseMs;
}

export interface WebhookWorkerOptions {
  /** Connection string for the LISTEN connection. */
  databaseUrl: string;
  retryBaseMs: number;
  pollMs: number;
  timeoutMs?: number;
  batchSize?: number;
  log?: { warn(message: string): void; error(message: string): void };
}

interface ClaimedDelivery {
  id: string;
  attempts: number;
  url: string;
  secret: string;
  event_id: string;
  action: string;
  created_at: Date;
  customer_id: string | null;
  actor_type: string;
  actor_id: string | null;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
}

/** The JSON body receivers get: the event as the audit log holds it. */
function payloadOf(d: ClaimedDelivery): string {
  return JSON.stringify({
    id: d.event_id,
    type: d.action,
    createdAt: d.created_at,
    customerId: d.customer_id,
    actor: { type: d.actor_type, id: d.actor_id },
    target: { type: d.target_type, id: d.target_id },
    data: { before: d.before, after: d.after },
    requestId: d.request_id,
  });
}

function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  return String(e?.cause?.code ?? e?.cause?.message ?? e?.message ?? err).slice(0, 500);
}

export class WebhookWorker {
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private stopping = false;
  private running: Promise<void> | null = null;
  private listener: Client | null = null;
  private wakeUp: (() => void) | null = null;
  private wokenEarly = false;

  constructor(
    private readonly db: DataSource,
    private readonly opts: WebhookWorkerOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.batchSize = opts.batchSize ?? 10;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    void this.listen();
    this.running = this.loop();
  }

  /** Finishes the attempts in flight (at most the HTTP timeout), then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    this.running = null;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  /** Ends the current wait at once; a wake during a run makes the next wait end at once. */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wokenEarly = true;
  }

  /** Claims up to one batch of due deliveries and attempts them; returns how many. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    await Promise.all(claimed.map((d) => this.attempt(d)));
    return claimed.length;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let handled = 0;
      try {
        handled = await this.runOnce();
      } catch (err) {
        this.opts.log?.error(`webhook worker: ${(err as Error)?.message ?? err}`);
      }
      if (this.stopping) break;
      if (handled < this.batchSize) await this.sleep(await this.idleDelay().catch(() => this.opts.pollMs));
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.wokenEarly) {
      this.wokenEarly = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wakeUp?.(), ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
    });
  }

  /** Until the earliest pending delivery is due, at most one poll interval. */
  private async idleDelay(): Promise<number> {
    const [row] = await this.db.query(
      `SELECT extract(epoch FROM min(d.next_attempt_at) - now()) * 1000 AS ms
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.status = 'pending' AND w.active`,
    );
    const ms = row?.ms === null || row?.ms === undefined ? this.opts.pollMs : Math.ceil(Number(row.ms));
    return Math.min(Math.max(ms, 0), this.opts.pollMs);
  }

  private async claim(): Promise<ClaimedDelivery[]> {
    const leaseMs = this.timeoutMs + 50_000;
    return this.db.query(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND w.active
          ORDER BY d.next_attempt_at, d.id
          LIMIT $1
          FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE webhook_deliveries d
          SET attempts = d.attempts + 1, last_attempt_at = now(),
              next_attempt_at = now() + make_interval(secs => $2::double precision / 1000), updated_at = now()
         FROM due, webhooks w, events e
        WHERE d.id = due.id AND w.id = d.webhook_id AND e.id = d.event_id
       RETURNING d.id, d.attempts, w.url, w.secret, e.id AS event_id, e.action, e.created_at, e.customer_id,
                 e.actor_type, e.actor_id, e.target_type, e.target_id, e.before, e.after, e.request_id`,
      [this.batchSize, leaseMs],
    // TypeORM answers an UPDATE as [rows, affected count]
    ).then(([rows]: [ClaimedDelivery[], number]) => rows);
  }

  private async attempt(d: ClaimedDelivery): Promise<void> {
    const body = payloadOf(d);
    let statusCode: number | null = null;
    let failure: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Postbode-Webhooks/1',
          [SIGNATURE_HEADER]: signWebhookBody(d.secret, body),
          'Postbode-Event': d.action,
          'Postbode-Event-Id': d.event_id,
          'Postbode-Delivery': d.id,
          'Postbode-Attempt': String(d.attempts),
        },
        body,
      });
      statusCode = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status > 299) failure = `HTTP ${res.status}`;
    } catch (err) {
      failure = describeFailure(err, this.timeoutMs);
    }
    await this.recordOutcome(d, statusCode, failure).catch((err) => this.opts.log?.error(`webhook delivery ${d.id}: could not record outcome: ${err?.message ?? err}`));
  }

  /** Written only while this attempt still owns the row (attempts unchanged), so a late answer cannot undo a newer one. */
  private async recordOutcome(d: ClaimedDelivery, statusCode: number | null, failure: string | null): Promise<void> {
    if (!failure) {
      await this.db.query(
        `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), next_attempt_at = NULL,
                last_status_code = $2, last_error = NULL, updated_at = now()
          WHERE id = $1 AND attempts = $3 AND status = 'pending'`,
        [d.id, statusCode, d.attempts],
      );
      return;
    }
    const delay = retryDelayMs(d.attempts, this.opts.retryBaseMs);
    if (delay === null) this.opts.log?.warn(`webhook delivery ${d.id} to ${d.url} given up after ${d.attempts} attempts: ${failure}`);
    await this.db.query(
      `UPDATE webhook_deliveries
          SET status = CASE WHEN $4::double precision IS NULL THEN 'failed' ELSE 'pending' END,
              next_attempt_at = CASE WHEN $4::double precision IS NULL THEN NULL ELSE now() + make_interval(secs => $4::double precision / 1000) END,
              last_status_code = $2, last_error = $5, updated_at = now()
        WHERE id = $1 AND attempts = $3 AND status = 'pending'`,
      [d.id, statusCode, d.attempts, delay, failure],
    );
  }

  /** LISTEN postbode_events on a connection of its own; if it drops, polling carries on and it reconnects. */
  private async listen(): Promise<void> {
    if (this.stopping) return;
    const client = new Client({ connectionString: this.opts.databaseUrl, application_name: 'postbode-webhook-listener' });
    const retry = () => {
      if (this.listener !== client || this.stopping) return;
      this.listener = null;
      client.end().catch(() => undefined);
      setTimeout(() => void this.listen(), this.opts.pollMs).unref();
    };
    this.listener = client;
    client.on('notification', () => this.wake());
    client.on('error', retry);
    try {
      await client.connect();
      await client.query('LISTEN postbode_events');
      if (this.stopping) await client.end();
    } catch (err) {
      this.opts.log?.warn(`webhook worker: LISTEN failed (${(err as Error)?.message}); polling every ${this.opts.pollMs} ms`);
      retry();
    }
  }
}
