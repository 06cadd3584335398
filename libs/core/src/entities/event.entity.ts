import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { newId } from '../ids';

/**
 * Append-only audit log, written in the same transaction as the change it
 * records. Later it is also the outbox webhooks are delivered from.
 */
@Entity('events')
@Index('ix_events_customer', ['customerId', 'id'])
@Index('ix_events_target', ['targetId', 'id'])
@Index('ix_events_action', ['action', 'id'])
export class EventRecord {
  @PrimaryColumn('uuid')
  id: string = newId();

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** api_key | system | signer | mail_server */
  @Column('text')
  actorType: string;

  @Column('text', { nullable: true })
  actorId: string | null;

  @Column('uuid', { nullable: true })
  customerId: string | null;

  /** e.g. customer.created, mailbox.password_changed */
  @Column('text')
  action: string;

  @Column('text')
  targetType: string;

  @Column('uuid', { nullable: true })
  targetId: string | null;

  @Column('jsonb', { nullable: true })
  before: Record<string, unknown> | null;

  @Column('jsonb', { nullable: true })
  after: Record<string, unknown> | null;

  @Column('text', { nullable: true })
  requestId: string | null;
}
