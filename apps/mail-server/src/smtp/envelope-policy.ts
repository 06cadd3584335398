import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { resolveRecipient } from '../../../../libs/core/src/mail-accounts/resolve-recipient';
import { senderOwnedBy } from './remote-relay';
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
 * MAIL FROM. On MX any sender is taken (SPF/DMARC come with the spam checks).
 * On submission the session must be logged in as a mailbox that is still
 * active, of a customer still active (checked again for every message, so a
 * change made through the API applies to open sessions too), and the sender
 * must be the user's own address or one of its aliases.
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
  const mailbox = await ctx.directory.findMailbox(user.address);
  if (!mailbox || mailbox.id !== user.mailboxId || mailbox.status !== 'active') {
    throw smtpReply(550, '5.7.1', 'Your mailbox is disabled; sending refused', 'mailbox_disabled');
  }
  if ((await ctx.directory.customerStatus(mailbox.customerId)) !== 'active') {
    throw smtpReply(550, '5.7.1', 'Your account is suspended; sending refused, contact your provider', 'customer_suspended');
  }
  if (!address.address) throw smtpReply(553, '5.7.1', 'The null sender is not accepted from users', 'sender_not_owned');
  if (!(await senderOwnedBy(ctx.directory, address.address, user))) {
    throw smtpReply(553, '5.7.1', `Sender address <${address.address}> is not yours (logged in as ${user.address})`, 'sender_not_owned');
  }
}

/**
 * RCPT TO, decided at once so nothing is accepted that would later bounce:
 * local addresses resolve to mailboxes (and external alias targets); any
 * other domain is relaying, refused on MX and subject to the relay check on
 * submission.
 */
export function createRcptToHandler(ctx: SmtpContext, kind: ListenerKind) {
  return (address: SMTPServerAddress, session: SMTPServerSession, done: Done): void => {
    settle(ctx, session, 'rcpt_to', () => planRecipient(ctx, kind, address, session), done);
  };
}

async function planRecipient(ctx: SmtpContext, kind: ListenerKind, address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
  const declared = session.envelope.mailFrom ? session.envelope.mailFrom.args : false;
  const declaredSize = declared && typeof declared.SIZE === 'string' ? Number(declared.SIZE) : undefined;
  const resolution = await resolveRecipient(ctx.directory, address.address, { declaredSize });
  const dsn = { dsnNotify: address.dsn?.notify ?? null, dsnOrcpt: address.dsn?.orcpt ?? null };
  const key = address.address.toLowerCase();

  if (resolution.kind === 'refused') throw SmtpReply.from(resolution.refusal);
  if (resolution.kind === 'local') {
    recipientPlans(session).set(key, { address: resolution.address, mailboxIds: resolution.mailboxIds, external: resolution.external, ...dsn });
    return;
  }
  // not a domain we host
  const user = authenticatedUser(session);
  if (kind === 'mx' || !user) {
    throw smtpReply(554, '5.7.1', `Relay access denied: ${resolution.domain ?? 'that address'} is not a domain of ours`, 'relay_denied');
  }
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const verdict = await ctx.relayCheck(ctx.directory, { user, sender, recipient: address.address, recipientDomain: resolution.domain });
  if (!verdict.allowed) throw SmtpReply.from(verdict.refusal);
  recipientPlans(session).set(key, { address: address.address, mailboxIds: [], external: [address.address], ...dsn });
}
