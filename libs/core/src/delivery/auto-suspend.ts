import { DataSource, EntityManager } from 'typeorm';
import { applyAgreementTransition } from '../agreements/agreement-lifecycle';
import { PostbodeConfig } from '../config/config';
import { Agreement } from '../entities';
import { hourStart, relayUsageKey } from '../relay/relay-usage';
import { RelaySubject } from '../relay/relay-decision';

/**
 * Automatic suspension: the agreement of a customer whose users keep running
 * into the sending limits, or whose recent outbound mail largely fails (the
 * signs of a compromised account or a bought list), is suspended by the
 * system with the reason recorded. applyAgreementTransition does the rest in
 * the same transaction: the event (and its webhooks), the hold on the
 * customer's queued mail, the NOTIFY that makes every mail server refuse its
 * next relay attempt. Staff reinstate through the API; held mail then resumes.
 *
 * Thresholds (config, README "Sending limits and automatic suspension"):
 * AUTO_SUSPEND_LIMIT_HITS refusals within AUTO_SUSPEND_WINDOW_SECONDS;
 * AUTO_SUSPEND_FAILURE_RATIO of at least AUTO_SUSPEND_MIN_RECIPIENTS
 * finished remote recipients within the window. 0 turns a rule off.
 */
const SYSTEM = { type: 'system', id: null } as const;

export const LIMIT_REASONS = new Set(['messages_per_hour', 'recipients_per_day', 'recipients_per_message']);

/**
 * Counts one refusal for a used-up limit (called by the SMTP server when
 * decideRelay refused for a limit) and suspends once there are too many.
 * Returns the suspension reason when this call suspended the agreement.
 */
export async function recordLimitHit(db: DataSource, subject: RelaySubject, config: PostbodeConfig, now = new Date()): Promise<string | null> {
  return db.transaction(async (m) => {
    await m.query(
      `INSERT INTO relay_usage (subject_key, hour_start, customer_id, mailbox_id, limit_hits, updated_at)
       VALUES ($1, $2, $3, $4, 1, now())
       ON CONFLICT (subject_key, hour_start) DO UPDATE SET limit_hits = relay_usage.limit_hits + 1, updated_at = now()`,
      [relayUsageKey(subject), hourStart(now), subject.customerId, subject.kind === 'mailbox' ? subject.mailboxId : null],
    );
    if (config.autoSuspendLimitHits <= 0) return null;
    const [row] = await m.query(
      `SELECT coalesce(sum(limit_hits), 0)::int AS hits FROM relay_usage
        WHERE customer_id = $1 AND hour_start > $2::timestamptz - make_interval(secs => $3)`,
      [subject.customerId, hourStart(now), config.autoSuspendWindowSeconds],
    );
    if (row.hits < config.autoSuspendLimitHits) return null;
    const who = subject.kind === 'mailbox' ? subject.address : 'its mail servers';
    const reason = `Automatic: ${row.hits} messages refused for exceeding the sending limits within ${describeWindow(config)} (last by ${who})`;
    return (await suspendAgreement(m, subject.customerId, reason)) ? reason : null;
  });
}

/**
 * After recipients failed: suspends when the customer's failure share over
 * the window crosses the threshold. Returns the reason when it suspended.
 */
export async function checkFailureRate(db: DataSource, customerId: string, config: PostbodeConfig): Promise<string | null> {
  if (config.autoSuspendFailureRatio <= 0) return null;
  const [row] = await db.query(
    `SELECT count(*) FILTER (WHERE r.status = 'failed')::int AS failed, count(*)::int AS finished
       FROM outbound_messages om JOIN outbound_recipients r ON r.outbound_message_id = om.id
      WHERE om.customer_id = $1 AND om.source = 'submission'
        AND r.status IN ('delivered', 'failed') AND r.finished_at > now() - make_interval(secs => $2)`,
    [customerId, config.autoSuspendWindowSeconds],
  );
  if (row.finished < config.autoSuspendMinRecipients || row.failed / row.finished < config.autoSuspendFailureRatio) return null;
  const reason = `Automatic: ${row.failed} of ${row.finished} remote recipients (${Math.round((100 * row.failed) / row.finished)}%) failed within ${describeWindow(config)}`;
  return db.transaction(async (m) => ((await suspendAgreement(m, customerId, reason)) ? reason : null));
}

/** Suspends the customer's active agreement; false when there is none (already suspended, revoked, never signed). */
async function suspendAgreement(m: EntityManager, customerId: string, reason: string): Promise<boolean> {
  const agreement = await m.findOne(Agreement, { where: { customerId, status: 'active' }, lock: { mode: 'pessimistic_write' } });
  if (!agreement) return false;
  await applyAgreementTransition(m, SYSTEM, agreement, 'suspend', reason);
  return true;
}

function describeWindow(config: PostbodeConfig): string {
  const s = config.autoSuspendWindowSeconds;
  return s % 3600 === 0 ? `${s / 3600} hour${s === 3600 ? '' : 's'}` : s % 60 === 0 ? `${s / 60} minutes` : `${s} seconds`;
}
