import { Logger } from 'pino';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { relayHoldReason } from '../../../../libs/core/src/delivery/hold';
import { newId } from '../../../../libs/core/src/ids';
import { DkimSigner } from './dkim';
import { lookupRoutes, MxResolver } from './routes';
import { Envelope, RecipientOutcome, SmtpSender } from './smtp-sender';

/**
 * The outbound delivery worker. Each of `deliveryConcurrency` slots loops:
 *
 *  1. BEGIN; take the most overdue recipient (queued or deferred, due now)
 *     FOR UPDATE SKIP LOCKED, then every due recipient of the same message and
 *     domain: one SMTP transaction carries them all. Other workers, in this
 *     process or another, skip locked rows, so no message is sent twice at once.
 *  2. Check the sender may still relay (else: held), and the queue lifetime
 *     (else: failed, 4.4.7). Look up the route (transport map, MX, A).
 *  3. Sign with DKIM and send through nodemailer, trying MX hosts in order
 *     while connections fail.
 *  4. Record per recipient: delivered, deferred (next try after the retry
 *     schedule) or failed, with the reply and an attempt row; COMMIT.
 *
 * The row locks live as long as that transaction, so a worker killed in the
 * middle loses nothing: PostgreSQL ends its session, the locks go, and the
 * recipients are due again for the next worker. If the kill falls between the
 * remote's 250 and our COMMIT, the message is sent a second time, as with
 * every MTA (RFC 5321 6.1 prefers a duplicate to a loss).
 *
 * Failed and cancelled recipients get their DSN from the bounce pass
 * (libs/core/src/delivery/bounces.ts), which this worker runs after deliveries
 * and on its timer.
 */
export interface DeliveryWorkerHooks {
  /** Runs after a delivery transaction committed with failures (bounces, automatic suspension). */
  afterFailures?: (customerIds: string[]) => Promise<void>;
  /** Runs on the housekeeping timer. */
  housekeeping?: () => Promise<void>;
}

interface ClaimedRecipient {
  id: string;
  recipient: string;
  domain: string;
  attempts: number;
  status: string;
  dsn_notify: string[] | null;
  dsn_orcpt: string | null;
  last_reply: string | null;
  remote_mta: string | null;
}

interface ClaimedMessage {
  id: string;
  message_id: string;
  envelope_from: string;
  source: string;
  mailbox_id: string | null;
  customer_id: string | null;
  dsn_ret: string | null;
  dsn_envid: string | null;
  created_at: Date;
  raw: Buffer;
}

const MAX_RECIPIENTS_PER_TRANSACTION = 100;

export class DeliveryWorker {
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();
  private housekeepingTimer: NodeJS.Timeout | null = null;
  /** The housekeeping pass in flight, if any: stop() waits for it, so it never runs on a closed pool. */
  private housekeepingRun: Promise<void> | null = null;
  readonly sender: SmtpSender;
  private readonly dkim: DkimSigner;
  /** Deliveries in flight (for tests and shutdown logs). */
  inFlight = 0;

  constructor(
    private readonly db: DataSource,
    private readonly config: PostbodeConfig,
    private readonly log: Logger,
    private readonly hooks: DeliveryWorkerHooks = {},
    private readonly resolver?: MxResolver,
  ) {
    this.sender = new SmtpSender({
      heloName: config.mailHostname,
      maxConnections: config.deliveryConcurrency,
      connectTimeoutMs: config.deliveryConnectTimeoutMs,
      socketTimeoutMs: config.deliverySocketTimeoutMs,
    });
    this.dkim = new DkimSigner(db, (domain, err) =>
      this.log.warn({ event: 'dkim_sign_failed', domain, err: err.message }, 'DKIM signing failed; sending unsigned'),
    );
  }

  start(): void {
    for (let i = 0; i < this.config.deliveryConcurrency; i++) this.loops.push(this.loop(i));
    const tick = () => {
      this.housekeepingTimer = setTimeout(() => void this.runHousekeeping().finally(() => !this.stopped && tick()), this.config.deliveryPollMs);
      this.housekeepingTimer.unref();
    };
    tick();
    this.log.info({ event: 'delivery_worker_started', slots: this.config.deliveryConcurrency }, 'delivery worker running');
  }

  /** Due mail may be waiting: wake every idle slot (NOTIFY postbode_outbound, or mail this process queued). */
  wake(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.housekeepingTimer) clearTimeout(this.housekeepingTimer);
    this.wake();
    await Promise.all([...this.loops, this.housekeepingRun]);
    await this.sender.close();
  }

  private async loop(slot: number): Promise<void> {
    while (!this.stopped) {
      let worked = false;
      try {
        worked = await this.deliverNext();
      } catch (err) {
        this.log.error({ event: 'delivery_error', slot, err: (err as Error).message }, 'delivery attempt failed');
        await this.sleep(1000);
      }
      if (!worked && !this.stopped) await this.sleep(this.config.deliveryPollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private async runHousekeeping(): Promise<void> {
    const housekeeping = this.hooks.housekeeping;
    if (this.housekeepingRun || this.stopped || !housekeeping) return;
    this.housekeepingRun = (async () => {
      try {
        await housekeeping();
      } catch (err) {
        this.log.error({ event: 'delivery_housekeeping_failed', err: (err as Error).message }, 'bounce/notice pass failed');
      }
    })();
    try {
      await this.housekeepingRun;
    } finally {
      this.housekeepingRun = null;
    }
  }

  /** One SMTP transaction's worth of recipients; false when nothing was due. */
  async deliverNext(): Promise<boolean> {
    // messages another slot is sending to the same domain right now: skip them this round
    const busy: string[] = [];
    for (;;) {
      const outcome = await this.tryDeliver(busy);
      if (outcome === 'idle') return false;
      if (outcome === 'done') return true;
      busy.push(outcome.busy);
    }
  }

  private async tryDeliver(busy: string[]): Promise<'idle' | 'done' | { busy: string }> {
    const qr = this.db.createQueryRunner();
    await qr.connect();
    let failedCustomer: string | null | undefined;
    try {
      await qr.startTransaction();
      const claimed = await this.claim(qr, busy);
      if (!claimed || 'busy' in claimed) {
        await qr.rollbackTransaction();
        return claimed ?? 'idle';
      }
      this.inFlight++;
      try {
        failedCustomer = await this.deliverClaimed(qr.manager, claimed.message, claimed.recipients);
      } finally {
        this.inFlight--;
      }
      await qr.commitTransaction();
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
    if (failedCustomer !== undefined && this.hooks.afterFailures) {
      await this.hooks.afterFailures(failedCustomer ? [failedCustomer] : []).catch((err) =>
        this.log.error({ event: 'after_failures_failed', err: (err as Error).message }, 'bounce/suspension check failed'),
      );
    }
    return 'done';
  }

  /**
   * Takes the most overdue recipient, then the whole group of due recipients
   * of that message and domain. A transaction-scoped advisory lock on the
   * group makes the group one slot's: a slot that took a sibling row first
   * finds the group busy, rolls back (freeing the row) and moves on, so the
   * group's holder can wait for that row instead of sending it separately.
   */
  private async claim(qr: QueryRunner, busy: string[]): Promise<{ message: ClaimedMessage; recipients: ClaimedRecipient[] } | { busy: string } | null> {
    const [first] = await qr.query(
      `SELECT id, outbound_message_id, domain FROM outbound_recipients
        WHERE status IN ('queued', 'deferred') AND next_attempt_at <= now() AND outbound_message_id <> ALL($1::uuid[])
        ORDER BY next_attempt_at
        LIMIT 1
        FOR UPDATE SKIP LOCKED`,
      [busy],
    );
    if (!first) return null;
    const [{ mine }] = await qr.query(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS mine`, [
      `outbound:${first.outbound_message_id}:${first.domain}`,
    ]);
    if (!mine) return { busy: first.outbound_message_id };
    const recipients: ClaimedRecipient[] = await qr.query(
      `SELECT id, recipient, domain, attempts, status, dsn_notify, dsn_orcpt, last_reply, remote_mta FROM outbound_recipients
        WHERE outbound_message_id = $1 AND domain = $2 AND status IN ('queued', 'deferred') AND next_attempt_at <= now()
        ORDER BY id
        LIMIT ${MAX_RECIPIENTS_PER_TRANSACTION}
        FOR UPDATE`,
      [first.outbound_message_id, first.domain],
    );
    if (!recipients.some((r) => r.id === first.id)) recipients.unshift({ ...(await this.recipientRow(qr, first.id)) });
    // the bytes come along: one round trip less per delivery (each costs milliseconds under load)
    const [message] = await qr.query(
      `SELECT o.id, o.message_id, o.envelope_from, o.source, o.mailbox_id, o.customer_id, o.dsn_ret, o.dsn_envid, o.created_at, m.raw
         FROM outbound_messages o JOIN messages m ON m.id = o.message_id WHERE o.id = $1`,
      [first.outbound_message_id],
    );
    return { message, recipients };
  }

  private async recipientRow(qr: QueryRunner, id: string): Promise<ClaimedRecipient> {
    const [row] = await qr.query(`SELECT id, recipient, domain, attempts, status, dsn_notify, dsn_orcpt, last_reply, remote_mta FROM outbound_recipients WHERE id = $1`, [id]);
    return row;
  }

  /** Sends and records; returns the customer id when some recipient failed (null: a forward), undefined when none did. */
  private async deliverClaimed(m: EntityManager, msg: ClaimedMessage, recipients: ClaimedRecipient[]): Promise<string | null | undefined> {
    const ids = recipients.map((r) => r.id);
    // submissions go only while their sender may relay; forwards (no customer) are nobody's doing
    const held = msg.source === 'submission' && msg.customer_id ? await relayHoldReason(m, { customerId: msg.customer_id, mailboxId: msg.mailbox_id }) : null;
    if (held) {
      await m.query(
        `UPDATE outbound_recipients SET status = 'held', held_reason = 'relay_suspended', updated_at = now() WHERE id = ANY($1)`,
        [ids],
      );
      this.log.info({ event: 'outbound_held', outbound: msg.id, recipients: ids.length, reason: held.reason }, 'sender may not relay now: held');
      return undefined;
    }

    const expiresAt = new Date(new Date(msg.created_at).getTime() + this.config.queueLifetimeSeconds * 1000);
    if (Date.now() >= expiresAt.getTime()) {
      await this.record(m, msg, recipients, recipients[0].remote_mta, 0, new Map(recipients.map((r) => [r.recipient, expired(r, this.config.queueLifetimeSeconds)])));
      return msg.customer_id;
    }

    const started = Date.now();
    const domain = recipients[0].domain;
    const outcomes = new Map<string, RecipientOutcome>();
    let remoteMta: string | null = null;
    const lookup = await lookupRoutes(domain, this.config.transportMap, this.resolver);
    if (lookup.kind !== 'routes') {
      const kind = lookup.kind === 'fail' ? 'failed' : 'deferred';
      for (const r of recipients) outcomes.set(r.recipient, { kind, reply: lookup.reply, status: lookup.status });
    } else {
      const raw = await this.signed(msg.raw);
      const errors: string[] = [];
      for (const route of lookup.routes) {
        const pending = recipients.filter((r) => !outcomes.has(r.recipient));
        if (pending.length === 0) break;
        let connectionError: string | null = null;
        for (const group of dsnGroups(pending)) {
          const envelope: Envelope = {
            from: msg.envelope_from,
            to: group.map((r) => r.recipient),
            dsn: { ret: msg.dsn_ret, envid: msg.dsn_envid, notify: group[0].dsn_notify, orcpt: group.length === 1 ? group[0].dsn_orcpt : null },
          };
          const result = await this.sender.send(route, envelope, raw);
          for (const [to, outcome] of result.outcomes) outcomes.set(to, outcome);
          if (result.connectionError) {
            connectionError = result.connectionError;
            break;
          }
        }
        if (connectionError) {
          errors.push(`${route.name}[${route.host}]:${route.port}: ${connectionError}`);
          continue; // the next MX may answer
        }
        remoteMta = route.name;
      }
      const reply = `Could not connect: ${errors.join('; ')}`.slice(0, 1000);
      for (const r of recipients) if (!outcomes.has(r.recipient)) outcomes.set(r.recipient, { kind: 'deferred', reply, status: '4.4.1' });
      if (!remoteMta && lookup.routes.length > 0) remoteMta = lookup.routes[0].name;
    }
    const failed = await this.record(m, msg, recipients, remoteMta, Date.now() - started, outcomes);
    this.log.info(
      {
        event: 'outbound_attempt',
        outbound: msg.id,
        domain,
        remote: remoteMta,
        delivered: [...outcomes.values()].filter((o) => o.kind === 'delivered').length,
        deferred: [...outcomes.values()].filter((o) => o.kind === 'deferred').length,
        failed,
        ms: Date.now() - started,
      },
      'delivery attempt',
    );
    return failed > 0 ? msg.customer_id : undefined;
  }

  /** The stored bytes with our DKIM signature on top (when the From domain is hosted here). */
  private async signed(raw: Buffer): Promise<Buffer> {
    const signed = await this.dkim.signatureFor(raw);
    return signed.header ? Buffer.concat([Buffer.from(signed.header, 'latin1'), raw]) : raw;
  }

  /** Writes each recipient's outcome and an attempt row; returns how many failed. */
  private async record(
    m: EntityManager,
    msg: ClaimedMessage,
    recipients: ClaimedRecipient[],
    remoteMta: string | null,
    durationMs: number,
    outcomes: Map<string, RecipientOutcome>,
  ): Promise<number> {
    const expiresAt = new Date(msg.created_at).getTime() + this.config.queueLifetimeSeconds * 1000;
    const schedule = this.config.deliveryRetrySchedule;
    let failed = 0;
    const rows = recipients.map((r) => {
      const o = outcomes.get(r.recipient)!;
      const attempts = r.attempts + 1;
      let next: Date | null = null;
      if (o.kind === 'deferred') {
        const delay = schedule[Math.min(attempts - 1, schedule.length - 1)] * 1000;
        // the last try falls on the end of the lifetime, after which it fails with 4.4.7
        next = new Date(Math.min(Date.now() + delay, expiresAt));
      }
      if (o.kind === 'failed') failed++;
      return { id: r.id, attemptId: newId(), kind: o.kind, attempts, reply: o.reply, status: o.status, next };
    });
    // every outcome and its attempt row in one statement
    await m.query(
      `WITH outcome AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[], $7::timestamptz[])
                    AS t(id, attempt_id, kind, attempts, reply, status, next)),
       updated AS (
         UPDATE outbound_recipients r
            SET status = o.kind, attempts = o.attempts, last_attempt_at = now(), last_reply = o.reply, last_status = o.status,
                remote_mta = $8, next_attempt_at = coalesce(o.next, r.next_attempt_at),
                finished_at = CASE WHEN o.kind IN ('delivered', 'failed') THEN now() END, updated_at = now()
           FROM outcome o WHERE r.id = o.id
         RETURNING r.id)
       INSERT INTO outbound_attempts (id, recipient_id, outcome, reply, status, remote_mta, duration_ms)
       SELECT o.attempt_id, o.id, o.kind, o.reply, o.status, $8, $9 FROM outcome o JOIN updated u ON u.id = o.id`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.attemptId),
        rows.map((r) => r.kind),
        rows.map((r) => r.attempts),
        rows.map((r) => r.reply),
        rows.map((r) => r.status),
        rows.map((r) => r.next),
        remoteMta,
        durationMs,
      ],
    );
    return failed;
  }
}

/** Recipients that can share one envelope: the same NOTIFY and no ORCPT of their own. */
function dsnGroups(recipients: ClaimedRecipient[]): ClaimedRecipient[][] {
  const groups = new Map<string, ClaimedRecipient[]>();
  for (const r of recipients) {
    const key = r.dsn_orcpt ? `orcpt:${r.id}` : `notify:${(r.dsn_notify ?? []).join(',')}`;
    const g = groups.get(key) ?? [];
    g.push(r);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** Queue lifetime over: failed with 4.4.7, quoting the last answer we had. */
function expired(r: ClaimedRecipient, lifetimeSeconds: number): RecipientOutcome {
  const span =
    lifetimeSeconds >= 86400 ? `${Math.round(lifetimeSeconds / 8640) / 10} days` : lifetimeSeconds >= 120 ? `${Math.round(lifetimeSeconds / 60)} minutes` : `${lifetimeSeconds} seconds`;
  const last = r.last_reply ? `; last reply: ${r.last_reply}` : '';
  return { kind: 'failed', status: '4.4.7', reply: `Delivery time expired: gave up after ${span} in the queue and ${r.attempts} attempts${last}`.slice(0, 1000) };
}
