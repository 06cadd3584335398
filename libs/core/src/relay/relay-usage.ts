import { EntityManager } from 'typeorm';
import { RelaySubject } from './relay-decision';

/**
 * Outbound counters behind the agreement's limits, in UTC hour buckets
 * (table relay_usage). Limits apply to each sender: an authenticated mailbox,
 * or all of a customer's client-network servers together.
 */

const HOUR_MS = 3_600_000;

export function hourStart(now: Date): Date {
  return new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
}

/** `mailbox:<id>` or `network:<customer id>`: the row key of a sender's counters. */
export function relayUsageKey(subject: RelaySubject): string {
  return subject.kind === 'mailbox' ? `mailbox:${subject.mailboxId}` : `network:${subject.customerId}`;
}

export interface RelayUsageTotals {
  /** Messages relayed in the current UTC clock hour. */
  messagesThisHour: number;
  /** Recipients relayed in the current hour and the 23 before it. */
  recipientsLast24Hours: number;
}

export async function loadRelayUsage(m: EntityManager, subject: RelaySubject, now: Date = new Date()): Promise<RelayUsageTotals> {
  const current = hourStart(now);
  const [row] = await m.query(
    `SELECT coalesce(sum(messages) FILTER (WHERE hour_start = $2), 0)::int AS messages_this_hour,
            coalesce(sum(recipients), 0)::int AS recipients_last_24_hours
       FROM relay_usage
      WHERE subject_key = $1 AND hour_start > $2::timestamptz - interval '24 hours' AND hour_start <= $2`,
    [relayUsageKey(subject), current],
  );
  return { messagesThisHour: row.messages_this_hour, recipientsLast24Hours: row.recipients_last_24_hours };
}

/**
 * Adds one relayed message (and its remote recipients) to the sender's
 * counters. The mail server calls it in the transaction that queues the message.
 */
export async function recordRelayUsage(
  m: EntityManager,
  subject: RelaySubject,
  counts: { messages: number; recipients: number },
  now: Date = new Date(),
): Promise<void> {
  await m.query(
    `INSERT INTO relay_usage (subject_key, hour_start, customer_id, mailbox_id, messages, recipients, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, now())
     ON CONFLICT (subject_key, hour_start)
     DO UPDATE SET messages = relay_usage.messages + EXCLUDED.messages,
                   recipients = relay_usage.recipients + EXCLUDED.recipients,
                   updated_at = now()`,
    [relayUsageKey(subject), hourStart(now), subject.customerId, subject.kind === 'mailbox' ? subject.mailboxId : null, counts.messages, counts.recipients],
  );
}
