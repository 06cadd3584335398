import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { OutboundRequest } from '../../../../libs/core/src/mail-store/deliver';
import { normaliseMessage } from '../../../../libs/core/src/mail-store/normalise-message';
import { receivedHeader } from '../../../../libs/core/src/mail-store/received-header';
import { SmtpContext } from './smtp-context';
import { authenticatedUser, ListenerKind, recipientPlans } from './session';
import { localError, SmtpReply, smtpReply } from './smtp-reply';

type Done = (err?: Error | null, message?: string) => void;

/**
 * DATA: read the message (smtp-server has already removed the dot-stuffing
 * and ends DATA only at <CRLF>.<CRLF>), make its line ends safe, put our
 * Received header on top, and store it for every planned mailbox and queue it
 * for every external address in one transaction. The 250 goes out only after
 * that transaction committed.
 */
export function createDataHandler(ctx: SmtpContext, kind: ListenerKind) {
  return (stream: SMTPServerDataStream, session: SMTPServerSession, done: Done): void => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    let received = 0;
    stream.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // past the limit we only drain; smtp-server answers 552 5.3.4 (rejectOversized)
      if (received <= ctx.config.maxMessageBytes) chunks.push(chunk);
    });
    stream.once('error', () => undefined); // client vanished mid-message: nothing to answer
    stream.once('end', () => {
      if (stream.sizeExceeded) return done(smtpReply(552, '5.3.4', 'Message too big', 'too_big'));
      storeReceived(ctx, kind, session, Buffer.concat(chunks, Math.min(received, ctx.config.maxMessageBytes))).then(
        (id) => {
          ctx.log.info({ event: 'message_accepted', session: session.id, message: id, bytes: received, ms: Date.now() - started }, 'stored');
          done(null, `Ok: queued as ${id}`);
        },
        (err) => {
          if (err instanceof SmtpReply) return done(err);
          ctx.log.error({ event: 'store_failed', session: session.id, err: (err as Error)?.message }, 'message not stored');
          done(localError());
        },
      );
    });
  };
}

async function storeReceived(ctx: SmtpContext, kind: ListenerKind, session: SMTPServerSession, body: Buffer): Promise<string> {
  const plans = [...recipientPlans(session).values()];
  const mailboxIds = new Set<string>();
  const outbound: OutboundRequest['recipients'] = [];
  for (const plan of plans) {
    plan.mailboxIds.forEach((id) => mailboxIds.add(id));
    for (const address of plan.external) outbound.push({ address, dsnNotify: plan.dsnNotify, dsnOrcpt: plan.dsnOrcpt });
  }
  if (mailboxIds.size === 0 && outbound.length === 0) throw smtpReply(554, '5.5.1', 'No valid recipients', 'no_recipients');

  const user = authenticatedUser(session);
  // Every relayed recipient of one message was accepted for the same subject (the session's).
  const relayedPlans = plans.filter((p) => p.relaySubject);
  const relaySubject = relayedPlans[0]?.relaySubject ?? null;
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const received = receivedHeader({
    helo: session.hostNameAppearsAs || null,
    clientIp: session.remoteAddress,
    clientHostname: session.clientHostname || null,
    byHost: ctx.config.mailHostname,
    protocol: session.transmissionType || 'ESMTP',
    id: `${session.id}.${session.transaction}`,
    singleRecipient: plans.length === 1 ? plans[0].address : null,
    tls: session.tlsOptions ? { version: session.tlsOptions.version, cipher: session.tlsOptions.name } : null,
    date: new Date(),
  });
  const raw = Buffer.concat([Buffer.from(received, 'latin1'), normaliseMessage(body)]);
  const result = await ctx.deliveries.deliver({
    raw,
    envelopeFrom,
    mailboxIds: [...mailboxIds],
    outbound:
      outbound.length === 0
        ? null
        : {
            recipients: outbound,
            // MX mail is a forward (external alias targets) unless a client network relays through us
            source: kind === 'mx' && !relaySubject ? 'forward' : 'submission',
            mailboxId: user?.mailboxId ?? null,
            customerId: user?.customerId ?? relaySubject?.customerId ?? null,
            clientAddress: session.remoteAddress,
            dsnRet: session.envelope.dsn?.ret ?? null,
            dsnEnvid: session.envelope.dsn?.envid ?? null,
            relayUsage: relaySubject ? { subject: relaySubject, recipients: relayedPlans.length } : null,
          },
  });
  if (result.overQuota.length > 0) {
    ctx.log.warn({ event: 'quota_exceeded', session: session.id, mailboxes: result.overQuota }, 'stored over quota');
  }
  return result.messageId;
}
