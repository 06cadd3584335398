import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './columns';
import { newId } from '../ids';
import { Folder } from './folder.entity';
import { Mailbox } from './mailbox.entity';
import { StoredMessage } from './stored-message.entity';

/** A message as one mailbox sees it: its folder, UID, flags and dates. */
@Entity('mailbox_messages')
@Index('uq_mailbox_messages_folder_uid', ['folderId', 'uid'], { unique: true })
@Index('ix_mailbox_messages_folder_modseq', ['folderId', 'modseq'])
@Index('ix_mailbox_messages_mailbox', ['mailboxId', 'id'])
@Index('ix_mailbox_messages_message', ['messageId'])
export class MailboxMessage {
  @PrimaryColumn('uuid')
  id: string = newId();

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('uuid')
  mailboxId: string;

  @ManyToOne(() => Mailbox, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'mailbox_id' })
  mailbox?: Mailbox;

  @Column('uuid')
  folderId: string;

  @ManyToOne(() => Folder, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'folder_id' })
  folder?: Folder;

  @Column('bigint', { transformer: bigintAsNumber })
  uid: number;

  /** RFC 7162 MODSEQ of the last change to this entry. */
  @Column('bigint', { transformer: bigintAsNumber })
  modseq: number;

  @Column('uuid')
  messageId: string;

  @ManyToOne(() => StoredMessage, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'message_id' })
  message?: StoredMessage;

  /** IMAP system flags (\\Seen, \\Answered, ...) and keywords. */
  @Column('text', { array: true, default: () => "'{}'" })
  flags: string[];

  /** IMAP INTERNALDATE: when the message arrived. */
  @Column('timestamptz')
  internalDate: Date;

  @Column('integer')
  size: number;
}
