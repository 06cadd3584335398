import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { newId } from '../ids';
import { StoredMessage } from './stored-message.entity';

export type OutboundSource = 'submission' | 'forward';
/**
 * queued (due now) → deferred (4xx or no connection; retried later) →
 * delivered | failed (5xx or queue lifetime over; bounced) | cancelled (by staff; bounced).
 * held: not sent until released (by whoever held it: the ISP's staff, or the customer; or when a suspended agreement is reinstated).
 * A recipient being sent stays queued/deferred, row-locked by the worker's open transaction.
 */
export type OutboundRecipientStatus = 'queued' | 'deferred' | 'delivered' | 'failed' | 'held' | 'cancelled';
/**
 * Why a recipient is held: `staff` (the ISP, through the queue API; only the ISP releases it),
 * `customer` (the customer's own bound API key), or `relay_suspended` (the sender lost relay permission).
 */
export type OutboundHoldReason = 'staff' | 'customer' | 'relay_suspended';

/**
 * A message waiting to leave for other servers: mail a user submitted to
 * remote recipients, or mail an alias forwards to external targets. Written in
 * the same transaction that stores the message; delivery workers take
 * recipients with FOR UPDATE SKIP LOCKED.
 */
@Entity('outbound_messages')
@Index('ix_outbound_messages_customer', ['customerId', 'id'])
// IMAP expunge asks whether a message is still queued before freeing its bytes
@Index('ix_outbound_messages_message', ['messageId'])
export class OutboundMessage {
  @PrimaryColumn('uuid')
  id: string = newId();

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('uuid')
  messageId: string;

  @ManyToOne(() => StoredMessage, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'message_id' })
  message?: StoredMessage;

  /** Envelope sender for the remote server; '' for the null sender. */
  @Column('text')
  envelopeFrom: string;

  @Column('text')
  source: OutboundSource;

  /** The authenticated mailbox that submitted it (null for forwards). */
  @Column('uuid', { nullable: true })
  mailboxId: string | null;

  /** Whose sending it counts against (null for forwards of mail from outside). */
  @Column('uuid', { nullable: true })
  customerId: string | null;

  /** The client that handed it to us. */
  @Column('text')
  clientAddress: string;

  /** RFC 3461 RET and ENVID from MAIL FROM. */
  @Column('text', { nullable: true })
  dsnRet: string | null;

  @Column('text', { nullable: true })
  dsnEnvid: string | null;
}

@Entity('outbound_recipients')
@Index('ix_outbound_recipients_due', ['status', 'nextAttemptAt'])
// the worker's claim: the most overdue sendable recipient is the first entry, whatever the queue's size
@Index('ix_outbound_recipients_sendable', ['nextAttemptAt'], { where: "status IN ('queued', 'deferred')" })
@Index('ix_outbound_recipients_finished', ['finishedAt'])
// the bounce pass: failed or cancelled recipients whose DSN is not yet settled
@Index('ix_outbound_recipients_unbounced', ['outboundMessageId'], { where: "bounced_at IS NULL AND status IN ('failed', 'cancelled')" })
@Index('ix_outbound_recipients_message', ['outboundMessageId'])
export class OutboundRecipient {
  @PrimaryColumn('uuid')
  id: string = newId();

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column('uuid')
  outboundMessageId: string;

  @ManyToOne(() => OutboundMessage, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'outbound_message_id' })
  outboundMessage?: OutboundMessage;

  @Column('text')
  recipient: string;

  /** The recipient's domain, lower-case ASCII: one delivery takes one message's recipients per domain. */
  @Column('text')
  domain: string;

  @Column('text', { default: 'queued' })
  status: OutboundRecipientStatus;

  @Column('integer', { default: 0 })
  attempts: number;

  @Column('timestamptz', { default: () => 'now()' })
  nextAttemptAt: Date;

  @Column('timestamptz', { nullable: true })
  lastAttemptAt: Date | null;

  /** The remote server's last reply, e.g. "451 4.7.1 greylisted". */
  @Column('text', { nullable: true })
  lastReply: string | null;

  /** Enhanced status code of the last outcome (e.g. 4.4.1, 5.1.1): the DSN's Status field. */
  @Column('text', { nullable: true })
  lastStatus: string | null;

  /** Host that gave the last reply (DSN Remote-MTA). */
  @Column('text', { nullable: true })
  remoteMta: string | null;

  @Column('text', { nullable: true })
  heldReason: OutboundHoldReason | null;

  /** When a "delayed" DSN went out for this recipient (at most one). */
  @Column('timestamptz', { nullable: true })
  delayNotifiedAt: Date | null;

  /**
   * Failed or cancelled recipients: when their failure DSN was queued, or it
   * was settled that none is due (null sender, NOTIFY=NEVER/without FAILURE).
   * Null on a failed row means the bounce pass still owes it.
   */
  @Column('timestamptz', { nullable: true })
  bouncedAt: Date | null;

  /** When it became delivered, failed or cancelled. */
  @Column('timestamptz', { nullable: true })
  finishedAt: Date | null;

  /** RFC 3461 NOTIFY values and ORCPT from RCPT TO. */
  @Column('text', { array: true, nullable: true })
  dsnNotify: string[] | null;

  @Column('text', { nullable: true })
  dsnOrcpt: string | null;
}

/** One try to hand a recipient to a remote server: the history behind lastReply. */
@Entity('outbound_attempts')
@Index('ix_outbound_attempts_recipient', ['recipientId', 'id'])
export class OutboundAttempt {
  @PrimaryColumn('uuid')
  id: string = newId();

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('uuid')
  recipientId: string;

  @ManyToOne(() => OutboundRecipient, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'recipient_id' })
  outboundRecipient?: OutboundRecipient;

  /** delivered | deferred | failed */
  @Column('text')
  outcome: string;

  @Column('text', { nullable: true })
  reply: string | null;

  @Column('text', { nullable: true })
  status: string | null;

  @Column('text', { nullable: true })
  remoteMta: string | null;

  @Column('integer')
  durationMs: number;
}
