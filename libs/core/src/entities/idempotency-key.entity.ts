import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { newId } from '../ids';

/** A POST remembered by (API key, Idempotency-Key) so a billing retry does the work once. */
@Entity('idempotency_keys')
@Index('uq_idempotency_keys_key', ['apiKeyId', 'key'], { unique: true })
export class IdempotencyKey {
  @PrimaryColumn('uuid')
  id: string = newId();

  @Column('uuid')
  apiKeyId: string;

  @Column('text')
  key: string;

  @Column('text')
  method: string;

  @Column('text')
  path: string;

  /** SHA-256 of method, path and canonical JSON body. */
  @Column('text')
  requestHash: string;

  /** null while the first request is still running. */
  @Column('integer', { nullable: true })
  responseStatus: number | null;

  @Column('jsonb', { nullable: true })
  responseBody: unknown;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
