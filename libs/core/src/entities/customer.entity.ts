import { Column, Entity, Index } from 'typeorm';
import { ResourceEntity } from './columns';

export type CustomerStatus = 'active' | 'suspended';

@Entity('customers')
export class Customer extends ResourceEntity {
  @Column('text')
  name: string;

  @Column('text')
  contactEmail: string;

  /** The billing system's id for this customer: unique when set. */
  @Index('uq_customers_external_ref', { unique: true })
  @Column('text', { nullable: true })
  externalRef: string | null;

  @Column('text', { default: 'active' })
  status: CustomerStatus;

  @Column('text', { nullable: true })
  suspendedReason: string | null;

  @Column('timestamptz', { nullable: true })
  suspendedAt: Date | null;
}
