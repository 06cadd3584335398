import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { ResourceEntity } from './columns';
import { Customer } from './customer.entity';

/** An HTTP endpoint that receives matching events, signed with its secret. */
@Entity('webhooks')
@Index('ix_webhooks_customer', ['customerId', 'id'])
export class Webhook extends ResourceEntity {
  /** null: all events (staff); set: only that customer's events. */
  @Column('uuid', { nullable: true })
  customerId: string | null;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer;

  @Column('text')
  url: string;

  @Column('text', { nullable: true })
  description: string | null;

  /** Actions (`agreement.signed`), prefixes (`agreement.*`) or `*`. */
  @Column('text', { array: true })
  eventTypes: string[];

  @Column('boolean', { default: true })
  active: boolean;

  /**
   * HMAC key for the Postbode-Signature header. Kept in clear because every
   * delivery needs it; never returned after creation.
   */
  @Column('text', { select: false })
  secret: string;
}
