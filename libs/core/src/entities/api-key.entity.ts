import { Column, Entity, Index } from 'typeorm';
import { ResourceEntity } from './columns';

@Entity('api_keys')
export class ApiKey extends ResourceEntity {
  @Column('text')
  name: string;

  /** The public part of the token (`pb_<prefix>_<secret>`), used to find the row. */
  @Index('uq_api_keys_prefix', { unique: true })
  @Column('text')
  prefix: string;

  /** SHA-256 of the secret: the secret has 192 random bits, so a slow hash adds nothing. */
  @Column('text', { select: false })
  secretHash: string;

  @Column('text', { array: true })
  scopes: string[];

  /** Bound keys see and change only this customer's resources. */
  @Column('uuid', { nullable: true })
  customerId: string | null;

  @Column('timestamptz', { nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;

  @Column('uuid', { nullable: true })
  createdByKeyId: string | null;
}
