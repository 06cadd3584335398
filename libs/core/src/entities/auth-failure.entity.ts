import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed logins counted per user and per client network, in PostgreSQL so
 * every mail-server process (SMTP, later POP3 and IMAP) sees the same counts.
 * A row lives for one window; see libs/core/src/mail-accounts/auth-throttle.ts.
 */
@Entity('auth_failures')
export class AuthFailure {
  /** "user:<address>" or "ip:<address or /64 prefix>" */
  @PrimaryColumn('text')
  key: string;

  @Column('integer')
  failures: number;

  @Column('timestamptz')
  windowStartedAt: Date;

  @Column('timestamptz')
  lastFailureAt: Date;

  @Column('timestamptz', { nullable: true })
  lockedUntil: Date | null;
}
