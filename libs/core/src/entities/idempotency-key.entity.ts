import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { newId } from '../ids';

/**
 * A POST remembered by (API key, Idempotency-Key) so a billing retry does the
 * work once. Nothing here can be read without the Idempotency-Key
 * (libs/core/src/auth/idempotency-seal.ts).
 */
@Entity('idempotency_keys')
@Index('uq_idempotency_keys_key', ['apiKeyId', 'key'], { unique: true })
@Index('ix_idempotency_keys_created', ['createdAt'])
export class IdempotencyKey {
  @PrimaryColumn('uuid')
  id: string = newId();

  @Column('uuid')
  apiKeyId: string;

  /** SHA-256 of (API key id, Idempotency-Key): the key itself is never stored. */
  @Column('text')
  key: string;

  @Column('text')
  method: string;

  @Column('text')
  path: string;

  /** HMAC-SHA-256 of method, path and canonical JSON body, under a key derived from the Idempotency-Key (a body may hold a password). Rows sealed by the migration: `sha256:` and the plain hash. */
  @Column('text')
  requestHash: string;

  /** null while the first request is still running. */
  @Column('integer', { nullable: true })
  responseStatus: number | null;

  /** The answer's JSON, AES-256-GCM under a key derived from the Idempotency-Key: nonce, tag, ciphertext. */
  @Column('bytea', { nullable: true })
  responseSealed: Buffer | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
