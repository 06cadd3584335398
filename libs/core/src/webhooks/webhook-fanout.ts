import { EntityManager } from 'typeorm';
import { EventRecord } from '../entities/event.entity';
import { newId } from '../ids';

/**
 * The events table is the outbox. The deliveries an event causes are written
 * by recordEvent in the same transaction as the event itself, so whatever
 * order concurrent transactions commit in, every event reaches every
 * matching webhook exactly once (unique webhook_id + event_id), and a rolled
 * back change sends nothing. (A worker reading events after a cursor would
 * miss an event whose transaction commits after a later one was read.)
 *
 * A webhook matches when it is active, is unbound or bound to the event's
 * customer, and one of its event types is the action, `*`, or a prefix
 * pattern such as `agreement.*`.
 */
export async function fanOutToWebhooks(m: EntityManager, event: Pick<EventRecord, 'id' | 'action' | 'customerId'>): Promise<number> {
  const hooks: { id: string }[] = await m.query(
    `SELECT id FROM webhooks
      WHERE active
        AND (customer_id IS NULL OR customer_id = $1)
        AND EXISTS (SELECT 1 FROM unnest(event_types) AS t
                     WHERE t = '*' OR t = $2 OR (right(t, 2) = '.*' AND starts_with($2, left(t, -1))))`,
    [event.customerId, event.action],
  );
  if (hooks.length === 0) return 0;
  const values = hooks.map((_, i) => `($${i * 2 + 1}, $${i * 2 + 2}, $${hooks.length * 2 + 1}, 'pending', 0, now())`).join(', ');
  await m.query(
    `INSERT INTO webhook_deliveries (id, webhook_id, event_id, status, attempts, next_attempt_at) VALUES ${values}
     ON CONFLICT (webhook_id, event_id) DO NOTHING`,
    [...hooks.flatMap((h) => [newId(), h.id]), event.id],
  );
  return hooks.length;
}

/** `agreement.signed`, `agreement.*` or `*`: what a webhook may subscribe to. */
export const EVENT_TYPE_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/;
