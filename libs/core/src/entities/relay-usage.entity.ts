import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Outbound relay counters in one-hour buckets, one row per sender and hour:
 * the mail server adds to them as it relays, the relay decision reads them.
 * `subjectKey` is `mailbox:<id>` for an authenticated user, `network:<customer id>`
 * for mail from a customer's own mail servers (agreement client networks).
 */
@Entity('relay_usage')
@Index('ix_relay_usage_customer', ['customerId', 'hourStart'])
export class RelayUsage {
  @PrimaryColumn('text')
  subjectKey: string;

  /** Start of the UTC clock hour the counts belong to. */
  @PrimaryColumn('timestamptz')
  hourStart: Date;

  @Column('uuid')
  customerId: string;

  @Column('uuid', { nullable: true })
  mailboxId: string | null;

  @Column('integer', { default: 0 })
  messages: number;

  @Column('integer', { default: 0 })
  recipients: number;

  /** RCPTs refused because a limit was used up: automatic suspension counts these. */
  @Column('integer', { default: 0 })
  limitHits: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
