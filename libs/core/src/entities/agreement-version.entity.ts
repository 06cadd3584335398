import { Column, Entity, Index } from 'typeorm';
import { ResourceEntity } from './columns';

export type AgreementVersionStatus = 'draft' | 'published';

/**
 * The terms of the no-spam agreement. Staff edit a draft; publishing fixes
 * the text for good, numbers the version and stores the SHA-256 of the text,
 * so a signature can always be tied to the exact words the signer saw.
 */
@Entity('agreement_versions')
@Index('ix_agreement_versions_status', ['status', 'id'])
export class AgreementVersion extends ResourceEntity {
  @Column('text')
  title: string;

  /** Markdown, line endings normalised to \n: the bytes the SHA-256 is taken over. */
  @Column('text')
  text: string;

  @Column('text', { default: 'draft' })
  status: AgreementVersionStatus;

  /** 1, 2, 3 ... in publishing order; null while a draft. */
  @Index('uq_agreement_versions_number', { unique: true })
  @Column('integer', { nullable: true })
  number: number | null;

  /** Hex SHA-256 of the UTF-8 text; set when published. */
  @Column('text', { nullable: true })
  sha256: string | null;

  @Column('timestamptz', { nullable: true })
  publishedAt: Date | null;

  /** Default limits, copied into each agreement signed on this version. */
  @Column('integer')
  messagesPerHour: number;

  @Column('integer')
  recipientsPerDay: number;

  @Column('integer')
  recipientsPerMessage: number;
}
