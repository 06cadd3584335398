import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './columns';
import { newId } from '../ids';
import { Mailbox } from './mailbox.entity';

/**
 * An IMAP folder of one mailbox. INBOX, Sent, Drafts, Junk and Trash exist for
 * every mailbox (made on first delivery). `uidNext` only grows: a UID is taken
 * with `UPDATE folders SET uid_next = uid_next + 1 ... RETURNING`, whose row
 * lock serialises deliveries to one folder across every mail-server process.
 */
@Entity('folders')
@Index('uq_folders_mailbox_name', ['mailboxId', 'name'], { unique: true })
export class Folder {
  @PrimaryColumn('uuid')
  id: string = newId();

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('uuid')
  mailboxId: string;

  @ManyToOne(() => Mailbox, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'mailbox_id' })
  mailbox?: Mailbox;

  /** IMAP name; "INBOX" is always spelled so. */
  @Column('text')
  name: string;

  /** RFC 6154 attribute (\\Sent, \\Drafts, \\Junk, \\Trash) or null. */
  @Column('text', { nullable: true })
  specialUse: string | null;

  /** IMAP UIDVALIDITY: set once when the folder is made; a folder made again under the same name gets a new one. */
  @Column('bigint', { transformer: bigintAsNumber })
  uidValidity: number;

  /** The UID the next message gets; never decreases, so UIDs are never reused. */
  @Column('bigint', { default: 1, transformer: bigintAsNumber })
  uidNext: number;

  /** RFC 7162 HIGHESTMODSEQ: raised by every change in the folder (new message, flag change, expunge). */
  @Column('bigint', { default: 1, transformer: bigintAsNumber })
  highestModseq: number;

  @Column('boolean', { default: true })
  subscribed: boolean;

  /**
   * IMAP \\Recent (RFC 3501 2.3.2): messages with this UID or above have not
   * been seen by a read-write SELECT yet. A read-write open claims them with
   * `UPDATE ... SET recent_from_uid = uid_next RETURNING` (old value), so
   * exactly one session sees them as recent.
   */
  @Column('bigint', { default: 1, transformer: bigintAsNumber })
  recentFromUid: number;
}
