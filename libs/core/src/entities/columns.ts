import { CreateDateColumn, PrimaryColumn, UpdateDateColumn, ValueTransformer } from 'typeorm';
import { newId } from '../ids';

/** PostgreSQL bigint arrives as a string; byte counts fit a JS number (2^53). */
export const bigintAsNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null || v === undefined ? v : Number(v)),
};

/** id (UUIDv7), createdAt, updatedAt: what every resource has. */
export abstract class ResourceEntity {
  @PrimaryColumn('uuid')
  id: string = newId();

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
