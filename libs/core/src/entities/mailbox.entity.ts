import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { bigintAsNumber, ResourceEntity } from './columns';
import { Domain } from './domain.entity';

export type MailboxStatus = 'active' | 'disabled';

@Entity('mailboxes')
@Index('ix_mailboxes_domain', ['domainId', 'id'])
@Index('ix_mailboxes_customer', ['customerId', 'id'])
export class Mailbox extends ResourceEntity {
  @Column('uuid')
  domainId: string;

  @ManyToOne(() => Domain, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'domain_id' })
  domain?: Domain;

  /** Copied from the domain so every tenancy check is one indexed column. */
  @Column('uuid')
  customerId: string;

  /** As the customer typed it; comparisons use `address`. */
  @Column('text')
  localPart: string;

  /** lower(local part)@domain: unique, what SMTP/IMAP/POP3 look up. */
  @Index('uq_mailboxes_address', { unique: true })
  @Column('text')
  address: string;

  /** argon2id PHC string; never returned or logged. */
  @Column('text', { select: false })
  passwordHash: string;

  @Column('timestamptz')
  passwordChangedAt: Date;

  @Column('text', { nullable: true })
  displayName: string | null;

  @Column('bigint', { transformer: bigintAsNumber })
  quotaBytes: number;

  @Column('bigint', { default: 0, transformer: bigintAsNumber })
  usedBytes: number;

  @Column('integer', { default: 0 })
  messageCount: number;

  @Column('text', { default: 'active' })
  status: MailboxStatus;

  /** Staff block on relaying to other domains for this one mailbox (the agreement is untouched). */
  @Column('boolean', { default: false })
  relayBlocked: boolean;

  @Column('text', { nullable: true })
  relayBlockedReason: string | null;

  @Column('timestamptz', { nullable: true })
  relayBlockedAt: Date | null;

  /**
   * The largest UIDVALIDITY any folder of this mailbox has had, deleted ones
   * included: a folder made again (even within the same second) gets a larger
   * one, as RFC 3501 2.3.1.1 requires.
   */
  @Column('bigint', { default: 0, select: false })
  uidValidityFloor: string;
}
