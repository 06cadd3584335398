import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './columns';
import { Folder } from './folder.entity';

/**
 * UIDs removed from a folder and the MODSEQ of their removal, so IMAP QRESYNC
 * can answer VANISHED (RFC 7162) to a client that was offline.
 */
@Entity('expunged_messages')
@Index('ix_expunged_messages_folder_modseq', ['folderId', 'modseq'])
export class ExpungedMessage {
  @PrimaryColumn('uuid')
  folderId: string;

  @ManyToOne(() => Folder, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'folder_id' })
  folder?: Folder;

  @PrimaryColumn('bigint', { transformer: bigintAsNumber })
  uid: number;

  @Column('bigint', { transformer: bigintAsNumber })
  modseq: number;

  @Column('timestamptz', { default: () => 'now()' })
  expungedAt: Date;
}
