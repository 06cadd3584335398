import { EntityManager } from 'typeorm';

/**
 * Queued mail follows its sender's relay permission: when a customer's
 * agreement is suspended or revoked, the customer is suspended, or one
 * mailbox's relay is blocked, what that sender still has in the queue is held
 * (status held, held_reason relay_suspended), not sent; when the permission
 * comes back it is released and goes out at once. Staff holds (held_reason
 * staff) are never touched here. Rows a worker is sending right now are
 * skipped (SKIP LOCKED): the worker checks the permission again when it next
 * takes them, so they cannot slip through either.
 */
export type HoldScope = { customerId: string } | { mailboxId: string };

function scopeCondition(scope: HoldScope): { sql: string; param: string } {
  return 'customerId' in scope
    ? { sql: 'om.customer_id = $1', param: scope.customerId }
    : { sql: 'om.mailbox_id = $1', param: scope.mailboxId };
}

export async function holdQueuedMail(m: EntityManager, scope: HoldScope): Promise<number> {
  const where = scopeCondition(scope);
  const rows: { id: string }[] = await m.query(
    `WITH taken AS (
       SELECT r.id FROM outbound_recipients r JOIN outbound_messages om ON om.id = r.outbound_message_id
        WHERE ${where.sql} AND om.source = 'submission' AND r.status IN ('queued', 'deferred')
          FOR UPDATE OF r SKIP LOCKED)
     UPDATE outbound_recipients r SET status = 'held', held_reason = 'relay_suspended', updated_at = now()
       FROM taken WHERE r.id = taken.id
     RETURNING r.id`,
    [where.param],
  );
  return rows.length;
}

export async function releaseHeldMail(m: EntityManager, scope: HoldScope): Promise<number> {
  const where = scopeCondition(scope);
  const rows: { id: string }[] = await m.query(
    `WITH taken AS (
       SELECT r.id FROM outbound_recipients r JOIN outbound_messages om ON om.id = r.outbound_message_id
        WHERE ${where.sql} AND r.status = 'held' AND r.held_reason = 'relay_suspended'
          FOR UPDATE OF r)
     UPDATE outbound_recipients r SET status = 'queued', held_reason = NULL, next_attempt_at = now(), updated_at = now()
       FROM taken WHERE r.id = taken.id
     RETURNING r.id`,
    [where.param],
  );
  if (rows.length > 0) await m.query(`SELECT pg_notify('postbode_outbound', '')`);
  return rows.length;
}

/** Why a customer's (or one of its mailboxes') queued mail may not go out now. */
export type RelayHoldReason = 'customer_suspended' | 'no_agreement' | 'agreement_suspended' | 'agreement_revoked' | 'mailbox_disabled' | 'mailbox_relay_blocked';

/**
 * Why the sender may not relay now, or null when it may: the customer
 * active, its current agreement (the newest not superseded, as
 * loadAgreementSnapshot picks it) active, and the mailbox, when one is given,
 * active and not blocked. One query: the delivery worker asks this every time
 * it takes a submission; the queue API asks it before releasing held mail.
 */
export async function relayHoldReason(
  m: EntityManager,
  sender: { customerId: string; mailboxId: string | null },
): Promise<{ reason: RelayHoldReason; agreementId: string | null } | null> {
  const [row] = await m.query(
    `SELECT c.status AS customer_status, a.id AS agreement_id, a.status AS agreement_status, mb.status AS mailbox_status, mb.relay_blocked
       FROM customers c
       LEFT JOIN LATERAL (SELECT id, status FROM agreements WHERE customer_id = c.id AND status <> 'superseded' ORDER BY id DESC LIMIT 1) a ON true
       LEFT JOIN mailboxes mb ON mb.id = $2
      WHERE c.id = $1`,
    [sender.customerId, sender.mailboxId],
  );
  const agreementId: string | null = row?.agreement_id ?? null;
  const hold = (reason: RelayHoldReason) => ({ reason, agreementId });
  if (!row || row.customer_status !== 'active') return hold('customer_suspended');
  if (!row.agreement_status) return hold('no_agreement');
  if (row.agreement_status === 'suspended') return hold('agreement_suspended');
  if (row.agreement_status === 'revoked') return hold('agreement_revoked');
  if (sender.mailboxId && row.mailbox_status !== 'active') return hold('mailbox_disabled');
  if (sender.mailboxId && row.relay_blocked) return hold('mailbox_relay_blocked');
  return null;
}
