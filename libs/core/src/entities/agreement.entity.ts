import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { AgreementVersion } from './agreement-version.entity';
import { ResourceEntity } from './columns';
import { Customer } from './customer.entity';

/**
 * active ⇄ suspended → revoked (final). `superseded`: replaced by a newer
 * signature of the same customer (history, never current again).
 */
export type AgreementStatus = 'active' | 'suspended' | 'revoked' | 'superseded';

/**
 * A customer's signature of one agreement version, with the evidence of who
 * signed, when, from where, and the hash of the text they saw. At most one
 * agreement per customer is current (active or suspended).
 */
@Entity('agreements')
@Index('ix_agreements_customer', ['customerId', 'id'])
@Index('ix_agreements_status', ['status', 'id'])
@Index('uq_agreements_current', ['customerId'], { unique: true, where: `status IN ('active', 'suspended')` })
export class Agreement extends ResourceEntity {
  @Column('uuid')
  customerId: string;

  // Signed evidence is a record the ISP keeps: a customer who signed cannot be deleted by accident.
  @ManyToOne(() => Customer, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer;

  @Column('uuid')
  versionId: string;

  @ManyToOne(() => AgreementVersion, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'version_id' })
  version?: AgreementVersion;

  /** The invitation whose link was used to sign. */
  @Column('uuid', { nullable: true })
  invitationId: string | null;

  @Column('text')
  status: AgreementStatus;

  @Column('text', { nullable: true })
  statusReason: string | null;

  @Column('timestamptz')
  statusChangedAt: Date;

  /** Who made the last status change: api_key | signer | system | mail_server, and its id. */
  @Column('text')
  statusChangedByType: string;

  @Column('text', { nullable: true })
  statusChangedById: string | null;

  @Column('text')
  signerName: string;

  @Column('text')
  signerEmail: string;

  @Column('timestamptz')
  signedAt: Date;

  @Column('text', { nullable: true })
  signerIp: string | null;

  @Column('text', { nullable: true })
  signerUserAgent: string | null;

  /** SHA-256 of the exact text shown to the signer (equals the version's sha256). */
  @Column('text')
  textSha256: string;

  @Column('integer')
  messagesPerHour: number;

  @Column('integer')
  recipientsPerDay: number;

  @Column('integer')
  recipientsPerMessage: number;

  /** CIDRs of the customer's own mail servers, which may relay without SMTP AUTH. */
  @Column('text', { array: true, default: () => `'{}'` })
  clientNetworks: string[];

  @Column('uuid', { nullable: true })
  supersededById: string | null;
}
