import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { AgreementVersion } from './agreement-version.entity';
import { ResourceEntity } from './columns';
import { Customer } from './customer.entity';

/**
 * A one-time signing link. Only the SHA-256 of its token is stored: the
 * token itself is shown once, to whoever created the invitation.
 */
@Entity('agreement_invitations')
@Index('ix_agreement_invitations_customer', ['customerId', 'id'])
export class AgreementInvitation extends ResourceEntity {
  @Column('uuid')
  customerId: string;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer;

  /** The version the link asks to sign, fixed when the invitation is made. */
  @Column('uuid')
  versionId: string;

  @ManyToOne(() => AgreementVersion, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'version_id' })
  version?: AgreementVersion;

  @Index('uq_agreement_invitations_token_hash', { unique: true })
  @Column('text', { select: false })
  tokenHash: string;

  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { nullable: true })
  usedAt: Date | null;

  /** Set when a newer invitation for the same customer made this link invalid. */
  @Column('timestamptz', { nullable: true })
  replacedAt: Date | null;

  @Column('uuid', { nullable: true })
  agreementId: string | null;

  @Column('text')
  createdByType: string;

  @Column('text', { nullable: true })
  createdById: string | null;
}
