import { Column, Entity, Index, ManyToOne, JoinColumn } from 'typeorm';
import { bigintAsNumber, ResourceEntity } from './columns';
import { Customer } from './customer.entity';

@Entity('domains')
@Index('ix_domains_customer', ['customerId', 'id'])
export class Domain extends ResourceEntity {
  @Column('uuid')
  customerId: string;

  @ManyToOne(() => Customer, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer;

  /** Lower-case, IDNA (punycode) form: the only form stored and compared. */
  @Index('uq_domains_name', { unique: true })
  @Column('text')
  name: string;

  /** null: no limit. */
  @Column('integer', { nullable: true })
  maxMailboxes: number | null;

  /** Sum of mailbox quotas may not exceed this; null: no limit. */
  @Column('bigint', { nullable: true, transformer: bigintAsNumber })
  storageBytes: number | null;

  @Column('bigint', { transformer: bigintAsNumber })
  defaultQuotaBytes: number;

  /**
   * Usage counters, kept by the mailbox service in the same transaction as the
   * change and under this row's lock: the limit check and the domain's usage
   * cost one row read instead of a count over the mailboxes.
   */
  @Column('integer', { default: 0 })
  mailboxCount: number;

  /** Sum of the quotas of this domain's mailboxes (what storageBytes limits). */
  @Column('bigint', { default: 0, transformer: bigintAsNumber })
  allocatedQuotaBytes: number;

  @Column('text')
  dkimSelector: string;

  /** PKCS#8 PEM. Never leaves the server through the API. */
  @Column('text')
  dkimPrivateKey: string;

  /** SPKI PEM, published in DNS. */
  @Column('text')
  dkimPublicKey: string;
}
