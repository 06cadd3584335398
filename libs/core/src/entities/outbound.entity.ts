import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { newId } from '../ids';
import { StoredMessage } from './stored-message.entity';

export type OutboundSource = 'submission' | 'forward';
export type OutboundRecipientStatus = 'queued' | 'sending' | 'deferred' | 'delivered' | 'failed' | 'held' | 'cancelled';

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

  /** RFC 3461 NOTIFY values and ORCPT from RCPT TO. */
  @Column('text', { array: true, nullable: true })
  dsnNotify: string[] | null;

  @Column('text', { nullable: true })
  dsnOrcpt: string | null;
}
