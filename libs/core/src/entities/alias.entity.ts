import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { ResourceEntity } from './columns';
import { Domain } from './domain.entity';

@Entity('aliases')
@Index('ix_aliases_domain', ['domainId', 'id'])
@Index('ix_aliases_customer', ['customerId', 'id'])
export class Alias extends ResourceEntity {
  @Column('uuid')
  domainId: string;

  @ManyToOne(() => Domain, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'domain_id' })
  domain?: Domain;

  @Column('uuid')
  customerId: string;

  /** lower(local)@domain, or `*@domain` for the catch-all. */
  @Index('uq_aliases_address', { unique: true })
  @Column('text')
  address: string;

  /** Normalised addresses: local mailboxes, other aliases, or external. */
  @Column('text', { array: true })
  targets: string[];
}
