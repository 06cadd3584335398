import { EntityManager } from 'typeorm';
import { EventRecord } from './entities/event.entity';
import { fanOutToWebhooks } from './webhooks/webhook-fanout';

export interface Actor {
  /** api_key | signer | system | mail_server */
  type: string;
  id: string | null;
  requestId?: string | null;
}

export interface EventInput {
  action: string;
  targetType: string;
  targetId: string | null;
  customerId: string | null;
  before?: object | null;
  after?: object | null;
}

/** JSON-safe copy (Dates as ISO strings) so before/after read the same as the API's responses. */
function snapshot(value: object | null | undefined): Record<string, unknown> | null {
  if (!value) return null;
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/**
 * Appends to the audit log inside the caller's transaction: the event exists
 * exactly when the change does. Snapshots must never hold secrets; pass the
 * response DTO, not the entity.
 */
export async function recordEvent(manager: EntityManager, actor: Actor, input: EventInput): Promise<EventRecord> {
  const event = manager.create(EventRecord, {
    actorType: actor.type,
    actorId: actor.id,
    requestId: actor.requestId ?? null,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId,
    customerId: input.customerId,
    before: snapshot(input.before),
    after: snapshot(input.after),
  });
  await manager.insert(EventRecord, event as never);
  // The webhook deliveries this event causes commit (or roll back) with it.
  await fanOutToWebhooks(manager, event);
  // Wake webhook workers (and anything else listening) after commit.
  await manager.query(`SELECT pg_notify('postbode_events', $1)`, [JSON.stringify({ id: event.id, action: event.action })]);
  return event;
}
