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

/**
 * Whether a submission's sender may still relay: the customer active, its
 * current agreement active, the mailbox (when one submitted it) active and not
 * blocked. Forwards (no customer) are not the sender's doing and always may.
 * The delivery worker asks this each time it takes a message.
 */
export async function relayStillPermitted(
  m: EntityManager,
  msg: { source: string; customerId: string | null; mailboxId: string | null },
): Promise<boolean> {
  if (msg.source !== 'submission' || !msg.customerId) return true;
  const [row] = await m.query(
    `SELECT c.status AS customer_status,
            (SELECT a.status FROM agreements a WHERE a.customer_id = c.id AND a.status <> 'superseded' ORDER BY a.id DESC LIMIT 1) AS agreement_status,
            mb.status AS mailbox_status, mb.relay_blocked
       FROM customers c LEFT JOIN mailboxes mb ON mb.id = $2
      WHERE c.id = $1`,
    [msg.customerId, msg.mailboxId],
  );
  if (!row || row.customer_status !== 'active' || row.agreement_status !== 'active') return false;
  if (msg.mailboxId && (row.mailbox_status !== 'active' || row.relay_blocked)) return false;
  return true;
}
