import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { LocalDelivery, planLocalDelivery } from '../../../../libs/core/src/aliases/local-delivery';
import { LIMIT_REASONS, recordLimitHit } from '../../../../libs/core/src/delivery/auto-suspend';
import { decideRelay, decideSender, RelaySubject } from '../../../../libs/core/src/relay/relay-decision';
import { parseEnvelopeAddress } from '../../../../libs/core/src/relay/envelope-address';
import { loadRelayUsage } from '../../../../libs/core/src/relay/relay-usage';
import { SmtpContext } from './smtp-context';
import { authenticatedUser, ListenerKind, recipientPlans } from './session';
import { localError, SmtpReply, smtpReply } from './smtp-reply';

type Done = (err?: Error | null) => void;

/** Runs an async hook body and hands its outcome to smtp-server's callback. */
function settle(ctx: SmtpContext, session: SMTPServerSession, what: string, work: () => Promise<void>, done: Done): void {
  work().then(
    () => done(),
    (err) => {
      if (err instanceof SmtpReply) {
        ctx.log.info({ event: `${what}_refused`, session: session.id, code: err.responseCode, reason: err.reason }, err.message);
        return done(err);
      }
      ctx.log.error({ event: `${what}_error`, session: session.id, err: (err as Error)?.message }, 'policy check failed');
      done(localError());
    },
  );
}

/**
 * MAIL FROM. On MX any sender is taken here (SPF/DMARC come with the spam
 * checks; a client network's sender is judged per remote recipient by
 * decideRelay). On submission the logged-in user's relay subject is loaded
 * (again for every message, from the cache that change notices drop, so a
 * change made through the API applies to open sessions too) and the sender
 * part of the relay decision answers: mailbox active, customer active, sender
 * the user's own address or one of its aliases.
 */
export function createMailFromHandler(ctx: SmtpContext, kind: ListenerKind) {
  return (address: SMTPServerAddress, session: SMTPServerSession, done: Done): void => {
    if (kind === 'mx') return done();
    settle(ctx, session, 'mail_from', () => checkSubmissionSender(ctx, address, session), done);
  };
}

async function checkSubmissionSender(ctx: SmtpContext, address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
  const user = authenticatedUser(session);
  if (!user) throw smtpReply(530, '5.7.0', 'Authentication required', 'authentication_required');
  const subject = await ctx.accounts.relaySubject(user.mailboxId);
  if (!subject) throw smtpReply(550, '5.7.1', 'Sending refused: this mailbox no longer exists', 'mailbox_disabled');
  const refusal = decideSender({ clientIp: session.remoteAddress, subject }, address.address);
  if (refusal) throw SmtpReply.from(refusal);
}

/**
 * RCPT TO, decided at once by the one relay decision (decideRelay), so
 * nothing is accepted that would later bounce. The mail server's part is
 * gathering the facts: where a hosted address delivers (the shared alias
 * resolver), who would be relaying (the logged-in mailbox, or on MX the
 * customer whose agreement lists the client IP), and how much of the
 * agreement's limits is used (never cached).
 */
export function createRcptToHandler(ctx: SmtpContext, kind: ListenerKind) {
  return (address: SMTPServerAddress, session: SMTPServerSession, done: Done): void => {
    settle(ctx, session, 'rcpt_to', () => planRecipient(ctx, kind, address, session), done);
  };
}

async function planRecipient(ctx: SmtpContext, kind: ListenerKind, address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
  const declared = session.envelope.mailFrom ? session.envelope.mailFrom.args : false;
  const declaredSize = declared && typeof declared.SIZE === 'string' ? Number(declared.SIZE) : undefined;
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const dsn = { dsnNotify: address.dsn?.notify ?? null, dsnOrcpt: address.dsn?.orcpt ?? null };
  const key = address.address.toLowerCase();
  const plans = recipientPlans(session);

  const parsed = parseEnvelopeAddress(address.address);
  const hosted = parsed.kind === 'mailbox' && (await ctx.accounts.directory.isHostedDomain(parsed.domain));
  let local: LocalDelivery | null = null;
  if (hosted) {
    local = await planLocalDelivery(ctx.accounts.directory, parsed.address, { declaredSize, mailboxUsage: (id) => ctx.accounts.mailboxUsage(id) });
    if (local.state === 'deliverable' && local.loop) {
      ctx.log.warn({ event: 'alias_loop', session: session.id, chain: local.loop }, 'aliases loop; delivering to what was reached');
    }
  }
  const subject = parsed.kind === 'mailbox' && !hosted ? await relaySubjectOf(ctx, kind, session) : null;
  const inMessage = [...plans.entries()].filter(([k, p]) => k !== key && p.relaySubject).length;
  const usage = subject ? await loadRelayUsage(ctx.db.manager, subject) : { messagesThisHour: 0, recipientsLast24Hours: 0 };

  const decision = decideRelay({
    session: { clientIp: session.remoteAddress, subject },
    sender,
    recipient: address.address,
    recipientDomainHosted: hosted,
    localRecipient: local?.state ?? null,
    usage: { ...usage, recipientsInMessage: inMessage },
  });
  if (decision.verdict !== 'accept') {
    if (subject && LIMIT_REASONS.has(decision.reason)) await countLimitHit(ctx, session, subject);
    // MX offers no AUTH: "log in" would be no advice there; it is plain relay refusal.
    if (kind === 'mx' && decision.reason === 'authentication_required') {
      throw smtpReply(554, '5.7.1', `Relay access denied: ${parsed.kind === 'mailbox' ? parsed.domain : 'that address'} is not a domain of ours`, 'relay_denied');
    }
    throw SmtpReply.from(decision);
  }
  if (parsed.kind !== 'mailbox') throw localError(); // decideRelay refuses every other kind; never reached
  if (decision.route === 'local') {
    if (local?.state !== 'deliverable') throw localError(); // the decision accepted what the plan called deliverable
    plans.set(key, { address: parsed.address, mailboxIds: local.mailboxIds, external: local.external, relaySubject: null, ...dsn });
    return;
  }
  // Relay: the local part goes on exactly as given (a remote server may care about its case); the domain normalised.
  const remote = `${address.address.slice(0, address.address.lastIndexOf('@'))}@${parsed.domain}`;
  plans.set(key, { address: remote, mailboxIds: [], external: [remote], relaySubject: subject, ...dsn });
}

/** A refusal for a used-up limit counts towards automatic suspension; counting never fails the reply. */
async function countLimitHit(ctx: SmtpContext, session: SMTPServerSession, subject: RelaySubject): Promise<void> {
  try {
    const suspended = await recordLimitHit(ctx.db, subject, ctx.config);
    if (suspended) ctx.log.warn({ event: 'agreement_auto_suspended', session: session.id, customer: subject.customerId }, suspended);
  } catch (err) {
    ctx.log.error({ event: 'limit_hit_not_counted', session: session.id, err: (err as Error).message }, 'could not count a limit refusal');
  }
}

/** Who would be relaying: the logged-in mailbox, or on MX a client inside an agreement's clientNetworks. */
async function relaySubjectOf(ctx: SmtpContext, kind: ListenerKind, session: SMTPServerSession): Promise<RelaySubject | null> {
  const user = authenticatedUser(session);
  if (user) return ctx.accounts.relaySubject(user.mailboxId);
  if (kind === 'mx') return ctx.accounts.networkSubject(session.remoteAddress);
  return null;
}
