import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { newId } from '../ids';
import type { ImapStructure } from '../mime/imap-structure';

/**
 * One received message, stored once however many local mailboxes get it
 * (each of them has a MailboxMessage row pointing here). The raw bytes are
 * exactly what IMAP FETCH BODY[] and POP3 RETR return: our Received header
 * first, line endings normalised to CRLF.
 */
@Entity('messages')
@Index('ix_messages_message_id_header', ['messageIdHeader'])
export class StoredMessage {
  @PrimaryColumn('uuid')
  id: string = newId();

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** The full RFC 5322 message. Not selected by default: it can be 50 MB. */
  @Column('bytea', { select: false })
  raw: Buffer;

  /** Octets of `raw` (what RFC822.SIZE and POP3 LIST report). */
  @Column('integer')
  size: number;

  /** Octets of the header section including the blank line, so IMAP can fetch headers without the body. */
  @Column('integer')
  headerBytes: number;

  /** Hex SHA-256 of `raw`. */
  @Column('text')
  sha256: string;

  /** SMTP envelope sender; '' for the null sender (bounces). */
  @Column('text')
  envelopeFrom: string;

  // A decoded summary of the headers, for listings and IMAP ENVELOPE without parsing `raw`.
  @Column('text', { nullable: true })
  subject: string | null;

  @Column('text', { nullable: true })
  fromHeader: string | null;

  @Column('text', { nullable: true })
  toHeader: string | null;

  @Column('text', { nullable: true })
  ccHeader: string | null;

  /** The Date: header, null when absent or unparsable. */
  @Column('timestamptz', { nullable: true })
  dateHeader: Date | null;

  /** Message-ID without the angle brackets. */
  @Column('text', { nullable: true })
  messageIdHeader: string | null;

  @Column('text', { nullable: true })
  inReplyTo: string | null;

  /**
   * IMAP ENVELOPE and BODYSTRUCTURE with the byte offsets of every part
   * (computeImapStructure), made once at delivery so FETCH never re-parses
   * `raw`. Null for rows stored before the column existed: the IMAP backend
   * computes it on first FETCH and writes it back. Not selected by default.
   */
  @Column('jsonb', { nullable: true, select: false })
  imapStructure: ImapStructure | null;

  /**
   * ENVELOPE and BODYSTRUCTURE as IMAP FETCH sends them (imapFetchText),
   * made with the structure, so FETCH copies text. Null for rows stored
   * before the columns existed (made and kept on first FETCH), and when the
   * text would hold a NUL. A change to how they are written needs a
   * migration that sets them to NULL. Not selected by default.
   */
  @Column('text', { nullable: true, select: false })
  imapEnvelope: string | null;

  @Column('text', { nullable: true, select: false })
  imapBodyStructure: string | null;

  /**
   * What IMAP SEARCH looks in (computeSearchText), lower case: every header
   * field as a "name: value" line, and the decoded text of the text parts.
   * Both null for rows stored before the columns existed and for messages
   * whose text is over MAX_STORED_SEARCH_TEXT: SEARCH decodes those itself
   * (and stores the text of the former). Not selected by default.
   */
  @Column('text', { nullable: true, select: false })
  searchHeaders: string | null;

  @Column('text', { nullable: true, select: false })
  searchBody: string | null;
}
