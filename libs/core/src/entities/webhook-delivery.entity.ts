import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { ResourceEntity } from './columns';
import { EventRecord } from './event.entity';
import { Webhook } from './webhook.entity';

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * One event for one webhook: written in the same transaction as the event,
 * taken by a worker with FOR UPDATE SKIP LOCKED, retried with growing delays.
 */
@Entity('webhook_deliveries')
@Index('uq_webhook_deliveries_event', ['webhookId', 'eventId'], { unique: true })
@Index('ix_webhook_deliveries_due', ['nextAttemptAt'], { where: `status = 'pending'` })
@Index('ix_webhook_deliveries_webhook', ['webhookId', 'id'])
export class WebhookDelivery extends ResourceEntity {
  @Column('uuid')
  webhookId: string;

  @ManyToOne(() => Webhook, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'webhook_id' })
  webhook?: Webhook;

  @Column('uuid')
  eventId: string;

  @ManyToOne(() => EventRecord, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: EventRecord;

  @Column('text', { default: 'pending' })
  status: WebhookDeliveryStatus;

  @Column('integer', { default: 0 })
  attempts: number;

  /** When a worker may take it next; while one holds it, the end of its lease. null once finished. */
  @Column('timestamptz', { nullable: true })
  nextAttemptAt: Date | null;

  @Column('timestamptz', { nullable: true })
  lastAttemptAt: Date | null;

  @Column('integer', { nullable: true })
  lastStatusCode: number | null;

  @Column('text', { nullable: true })
  lastError: string | null;

  @Column('timestamptz', { nullable: true })
  deliveredAt: Date | null;
}
