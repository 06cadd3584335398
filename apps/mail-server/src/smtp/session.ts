import type { SMTPServerEnvelope, SMTPServerSession } from 'smtp-server';
import type { RelaySubject } from '../../../../libs/core/src/relay/relay-decision';

/** Which listener a session arrived on. */
export type ListenerKind = 'mx' | 'submission' | 'submissions';

/** What a successful AUTH leaves on the session (smtp-server's session.user). */
export interface AuthenticatedUser {
  mailboxId: string;
  address: string;
  customerId: string;
}

/** Where mail for one accepted RCPT goes, decided when the RCPT was answered. */
export interface RecipientPlan {
  address: string;
  mailboxIds: string[];
  /** Addresses to queue for delivery elsewhere (remote recipient, or external alias targets). */
  external: string[];
  dsnNotify: string[] | null;
  dsnOrcpt: string | null;
  /** Set when decideRelay accepted this recipient as relay: whose limits it counts against. */
  relaySubject: RelaySubject | null;
}

/** Extra per-session fields we set (see smtp-server-patches.ts for authRefusal). */
export interface PostbodeSession extends SMTPServerSession {
  authRefusal?: { code: number; text: string };
}

/**
 * smtp-server gives every transaction a fresh envelope object (after RSET,
 * EHLO and each DATA), so plans keyed by the envelope can never leak from one
 * transaction into the next.
 */
const plans = new WeakMap<SMTPServerEnvelope, Map<string, RecipientPlan>>();

export function recipientPlans(session: SMTPServerSession): Map<string, RecipientPlan> {
  let p = plans.get(session.envelope);
  if (!p) {
    p = new Map();
    plans.set(session.envelope, p);
  }
  return p;
}

export function authenticatedUser(session: SMTPServerSession): AuthenticatedUser | null {
  const u = session.user as AuthenticatedUser | undefined;
  return u && typeof u === 'object' && typeof u.mailboxId === 'string' ? u : null;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}
