import { ipInNetworks } from './client-networks';
import { EnvelopeAddress, parseEnvelopeAddress, withoutSubaddress } from './envelope-address';

/**
 * The relay decision: may this session hand this one recipient to Postbode?
 * The only place the rule lives; the mail server enforces it at RCPT TO and
 * the API explains it (GET /v1/mailboxes/{id}/relay-permission). Pure: every
 * fact comes in through `RelayInput`, loaded by relay-subject.ts.
 *
 * Order of the checks (the first that fails answers):
 *
 *  1. The recipient address: malformed → 501 5.1.3; carrying its own routing
 *     (`a%b@c`, `"a@b"@c`, `b!a@c`, `@c:a@b`, a second @) or an IP literal
 *     → 550 5.7.1, for everyone (see envelope-address.ts).
 *  2. A recipient in a hosted domain is local mail: nobody needs to log in or
 *     to have signed anything to receive. Unknown → 550 5.1.1, disabled →
 *     550 5.2.1, mailbox full → 552 5.2.2, else accept.
 *  3. Any other recipient is relay, which needs a relay subject: the
 *     authenticated mailbox, or (without AUTH) the customer whose agreement
 *     lists the client IP among its clientNetworks. None → 530 5.7.0.
 *  4. Who you are: mailbox disabled, customer suspended → 550 5.7.1.
 *  5. What you claim: the sender must be the user's own address or one of
 *     its aliases (a `+tag` is ignored; a catch-all alias owns its domain);
 *     for client networks, any address in the customer's domains (and the
 *     null sender, as their server sends bounces) → else 553 5.7.1.
 *  6. What you may: relay blocked on this mailbox by staff, then the
 *     customer's agreement: none, suspended, revoked → 550 5.7.1.
 *  7. How much: recipients in this message (452 4.5.3), messages this hour,
 *     recipients in the last 24 hours (451 4.7.1, try later).
 */

export interface RelayLimits {
  messagesPerHour: number;
  recipientsPerDay: number;
  recipientsPerMessage: number;
}

/** The customer's current agreement (active or suspended), or its last one when that was revoked. */
export interface RelayAgreementSnapshot {
  id: string;
  status: 'active' | 'suspended' | 'revoked';
  limits: RelayLimits;
  clientNetworks: readonly string[];
}

interface RelaySubjectBase {
  customerId: string;
  customerStatus: 'active' | 'suspended';
  agreement: RelayAgreementSnapshot | null;
}

/** A client that authenticated (SMTP AUTH) as this mailbox. */
export interface MailboxRelaySubject extends RelaySubjectBase {
  kind: 'mailbox';
  mailboxId: string;
  address: string;
  mailboxStatus: 'active' | 'disabled';
  relayBlocked: boolean;
  relayBlockedReason: string | null;
  /** Normalised addresses the user may send as: its own and its aliases' (`*@domain` for a catch-all). */
  ownedAddresses: readonly string[];
}

/** An unauthenticated client inside one of the customer's agreement clientNetworks. */
export interface NetworkRelaySubject extends RelaySubjectBase {
  kind: 'client_network';
  /** The customer's hosted domains: its servers may send as any address in them. */
  ownedDomains: readonly string[];
}

export type RelaySubject = MailboxRelaySubject | NetworkRelaySubject;

export interface RelaySession {
  /** The client's IP address as the socket saw it. */
  clientIp: string | null;
  /** Who would be relaying: see loadRelaySubject / loadClientNetworkSubject. null: nobody we know. */
  subject: RelaySubject | null;
}

/** What the caller found for parseEnvelopeAddress(recipient).address in a hosted domain. */
export type LocalRecipientState = 'deliverable' | 'unknown' | 'disabled' | 'over_quota';

/**
 * Relayed mail already counted for this subject (relay_usage), not including
 * the recipient being decided. "This hour" is the current UTC clock hour;
 * "last 24 hours" is that hour and the 23 before it.
 */
export interface RelayUsageCounts {
  messagesThisHour: number;
  recipientsLast24Hours: number;
  /** Remote recipients already accepted in the message being received. */
  recipientsInMessage: number;
}

export interface RelayInput {
  session: RelaySession;
  /** MAIL FROM as given; '' is the null sender. */
  sender: string;
  /** RCPT TO as given. */
  recipient: string;
  /** Is parseEnvelopeAddress(recipient).domain a hosted domain? */
  recipientDomainHosted: boolean;
  /** For a hosted domain: the state of that address (mailbox or alias); null otherwise. */
  localRecipient: LocalRecipientState | null;
  usage: RelayUsageCounts;
}

export type RelayRefusalReason =
  | 'bad_address'
  | 'routed_address'
  | 'ip_literal'
  | 'unknown_recipient'
  | 'recipient_disabled'
  | 'recipient_over_quota'
  | 'authentication_required'
  | 'mailbox_disabled'
  | 'customer_suspended'
  | 'sender_not_owned'
  | 'relay_blocked'
  | 'no_agreement'
  | 'agreement_suspended'
  | 'agreement_revoked'
  | 'recipients_per_message'
  | 'messages_per_hour'
  | 'recipients_per_day';

export interface RelayAccept {
  verdict: 'accept';
  /** local: deliver to a hosted mailbox or alias; remote: queue for delivery elsewhere. */
  route: 'local' | 'remote';
  /** The normalised recipient (lookup key). */
  recipient: string;
}

export interface RelayRefusal {
  /** reject: permanent (5xx); tempfail: try again later (4xx). */
  verdict: 'reject' | 'tempfail';
  code: number;
  enhancedCode: string;
  reason: RelayRefusalReason;
  /** One line for the SMTP reply and the API, in plain words; never staff's internal notes. */
  message: string;
}

export type RelayDecision = RelayAccept | RelayRefusal;

function refuse(code: number, enhancedCode: string, reason: RelayRefusalReason, message: string): RelayRefusal {
  return { verdict: code >= 500 ? 'reject' : 'tempfail', code, enhancedCode, reason, message };
}

const ROUTED = 'Relay denied: addresses that carry their own routing (%, !, quoted @, source routes) are not accepted';

function addressRefusal(parsed: Exclude<EnvelopeAddress, { kind: 'mailbox' }>): RelayRefusal {
  switch (parsed.kind) {
    case 'routed':
      return refuse(550, '5.7.1', 'routed_address', ROUTED);
    case 'ip_literal':
      return refuse(550, '5.7.1', 'ip_literal', 'Relay denied: addresses at an IP literal are not accepted; use a domain name');
    default:
      return refuse(501, '5.1.3', 'bad_address', 'Bad recipient address syntax');
  }
}

function localVerdict(state: LocalRecipientState | null, recipient: string): RelayDecision {
  switch (state) {
    case 'deliverable':
      return { verdict: 'accept', route: 'local', recipient };
    case 'disabled':
      return refuse(550, '5.2.1', 'recipient_disabled', `Mailbox ${recipient} is disabled`);
    case 'over_quota':
      return refuse(552, '5.2.2', 'recipient_over_quota', `Mailbox ${recipient} is full`);
    default:
      return refuse(550, '5.1.1', 'unknown_recipient', `No such user here: ${recipient}`);
  }
}

function ownsSender(subject: RelaySubject, sender: EnvelopeAddress): boolean {
  if (subject.kind === 'client_network') {
    return sender.kind === 'null' || (sender.kind === 'mailbox' && subject.ownedDomains.includes(sender.domain));
  }
  if (sender.kind !== 'mailbox') return false;
  const base = withoutSubaddress(sender.address);
  return subject.ownedAddresses.some((owned) => owned === sender.address || owned === base || owned === `*@${sender.domain}`);
}

function checkAgreement(agreement: RelayAgreementSnapshot | null): RelayRefusal | null {
  if (!agreement) {
    return refuse(550, '5.7.1', 'no_agreement', 'Relay denied: your organisation has not signed the anti-spam agreement; mail to other domains is blocked until it does');
  }
  if (agreement.status === 'suspended') {
    return refuse(550, '5.7.1', 'agreement_suspended', "Relay denied: your organisation's anti-spam agreement is suspended; contact your provider");
  }
  if (agreement.status === 'revoked') {
    return refuse(550, '5.7.1', 'agreement_revoked', "Relay denied: your organisation's anti-spam agreement was revoked; a new signature is needed");
  }
  return null;
}

function checkLimits(limits: RelayLimits, usage: RelayUsageCounts): RelayRefusal | null {
  if (usage.recipientsInMessage + 1 > limits.recipientsPerMessage) {
    return refuse(452, '4.5.3', 'recipients_per_message', `Too many recipients: at most ${limits.recipientsPerMessage} per message; send the rest in another message`);
  }
  if (usage.messagesThisHour + 1 > limits.messagesPerHour) {
    return refuse(451, '4.7.1', 'messages_per_hour', `Sending limit reached: ${limits.messagesPerHour} messages per hour; try again later`);
  }
  if (usage.recipientsLast24Hours + usage.recipientsInMessage + 1 > limits.recipientsPerDay) {
    return refuse(451, '4.7.1', 'recipients_per_day', `Sending limit reached: ${limits.recipientsPerDay} recipients per day; try again later`);
  }
  return null;
}

/** Effective relay subject: a client-network subject counts only when the IP really is in its networks. */
function effectiveSubject(session: RelaySession): RelaySubject | null {
  const s = session.subject;
  if (!s) return null;
  if (s.kind === 'client_network' && !ipInNetworks(session.clientIp, s.agreement?.clientNetworks ?? [])) return null;
  return s;
}

/**
 * Checks 3 to 5 on their own: is there a relay subject, may it send at all,
 * and does it own this sender? The mail server asks this at MAIL FROM on
 * submission (a disabled or suspended user sends nothing, not even local
 * mail); decideRelay asks it again for every remote recipient.
 */
export function decideSender(session: RelaySession, senderInput: string): RelayRefusal | null {
  const subject = effectiveSubject(session);
  if (!subject) {
    return refuse(530, '5.7.0', 'authentication_required', 'Authentication required: log in to send mail to other domains');
  }
  if (subject.kind === 'mailbox' && subject.mailboxStatus !== 'active') {
    return refuse(550, '5.7.1', 'mailbox_disabled', 'Sending refused: this mailbox is disabled');
  }
  if (subject.customerStatus !== 'active') {
    return refuse(550, '5.7.1', 'customer_suspended', "Sending refused: your organisation's account is suspended; contact your provider");
  }
  if (!ownsSender(subject, parseEnvelopeAddress(senderInput))) {
    return refuse(553, '5.7.1', 'sender_not_owned', 'Sender address rejected: send as your own address or one of your aliases');
  }
  return null;
}

export function decideRelay(input: RelayInput): RelayDecision {
  const recipient = parseEnvelopeAddress(input.recipient);
  if (recipient.kind !== 'mailbox') return addressRefusal(recipient);
  if (input.recipientDomainHosted) return localVerdict(input.localRecipient, recipient.address);
  const senderProblem = decideSender(input.session, input.sender);
  if (senderProblem) return senderProblem;
  const subject = effectiveSubject(input.session)!;
  if (subject.kind === 'mailbox' && subject.relayBlocked) {
    return refuse(550, '5.7.1', 'relay_blocked', 'Relay denied: sending to other domains is blocked for this mailbox; contact your provider');
  }
  const agreementProblem = checkAgreement(subject.agreement);
  if (agreementProblem) return agreementProblem;
  const limitProblem = checkLimits(subject.agreement!.limits, input.usage);
  if (limitProblem) return limitProblem;
  return { verdict: 'accept', route: 'remote', recipient: recipient.address };
}
