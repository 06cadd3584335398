import { type ReactNode, useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import type { ApiError } from '../../api/errors';
import { useMay } from '../../app/caller';
import { Link } from '../../app/router';
import { Button } from '../../ui/Button';
import { DetailList, ErrorNotice, Loading, PageHeader, StatusBadge } from '../../ui/feedback';
import { formatBytes, formatDateTime, plural } from '../../ui/format';
import { useLoad, useSubmit } from '../../ui/hooks';
import { useNotify } from '../../ui/notices';
import { ReasonDialog } from '../../ui/ReasonDialog';
import { CustomerName } from '../names';
import { HELD_BECAUSE, nextTryText, senderText } from './queue-format';

type QueueMessage = Schemas['QueueMessageDto'];
type Recipient = Schemas['QueueRecipientDto'];

const NO_REASON = {};
const retry = (id: string) => call(api.POST('/v1/queue/messages/{id}/retry', { params: { path: { id } }, body: NO_REASON }));
const release = (id: string) => call(api.POST('/v1/queue/messages/{id}/release', { params: { path: { id } }, body: NO_REASON }));

/**
 * One queued message: its envelope and DSN settings, every recipient with its
 * tries, and Retry now / Hold / Release / Cancel for all its recipients at once.
 */
export function QueueMessagePage({ id }: { id: string }) {
  const message = useLoad(() => call(api.GET('/v1/queue/messages/{id}', { params: { path: { id } } })), id);
  const mayWrite = useMay('queue:write');
  const [dialog, setDialog] = useState<'hold' | 'cancel' | null>(null);
  const notify = useNotify();
  const done = (next: QueueMessage, text: string) => {
    message.replace(next);
    setDialog(null);
    notify(text);
  };
  const act = useSubmit(async (action: typeof retry, text: string) => done(await action(id), text));
  if (message.error) return <ErrorNotice error={message.error} onRetry={message.reload} />;
  if (!message.data) return <Loading />;
  const m = message.data;
  const count = (...statuses: Recipient['status'][]) => m.recipients.filter((r) => statuses.includes(r.status)).length;
  const sendable = count('queued', 'deferred');
  const held = count('held');
  const runAct = (action: typeof retry, text: string) => () => void act.run(action, text);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/queue">Outbound queue</Link>
      </p>
      <PageHeader
        title={m.subject || '(no subject)'}
        subtitle={`From ${senderText(m.envelopeFrom)} to ${plural(m.recipients.length, 'recipient')}, queued ${formatDateTime(m.createdAt)}`}
        actions={
          mayWrite && (
            <>
              {sendable > 0 && (
                <Button onClick={runAct(retry, 'Due now: the delivery worker sends it at once.')} busy={act.busy}>
                  Retry now
                </Button>
              )}
              {held > 0 && (
                <Button variant="primary" onClick={runAct(release, 'Released: the delivery worker sends it at once.')} busy={act.busy}>
                  Release
                </Button>
              )}
              {sendable > 0 && <Button onClick={() => setDialog('hold')}>Hold</Button>}
              {sendable + held > 0 && (
                <Button variant="danger" onClick={() => setDialog('cancel')}>
                  Cancel
                </Button>
              )}
            </>
          )
        }
      />
      {act.error && <ActionProblem error={act.error} />}
      <section className="panel" aria-labelledby="message-title">
        <h2 id="message-title">Message</h2>
        <DetailList
          items={[
            ['Envelope sender', <code>{senderText(m.envelopeFrom)}</code>],
            ['From header', m.fromHeader ?? '—'],
            ['Source', m.source === 'forward' ? 'an alias forwarding mail received from outside' : <>sent by a user{m.mailboxId && <> (<Link to={`/mailboxes/${m.mailboxId}`}>the mailbox</Link>)</>}</>],
            ['Customer', m.customerId ? <CustomerName id={m.customerId} /> : 'none (counts against nobody)'],
            ['Handed over by', m.clientAddress],
            ['Message-ID', m.messageIdHeader ? <code>{`<${m.messageIdHeader}>`}</code> : '—'],
            ['Size', formatBytes(m.size)],
            ['Queued at', formatDateTime(m.createdAt, { seconds: true })],
            ['A bounce returns (RET)', m.dsnRet === 'HDRS' ? 'the header lines only (HDRS)' : m.dsnRet === 'FULL' ? 'the whole message (FULL)' : '—'],
            ['Envelope id (ENVID)', m.dsnEnvid ? <code>{m.dsnEnvid}</code> : '—'],
          ]}
        />
      </section>
      <section className="panel" aria-labelledby="recipients-title">
        <h2 id="recipients-title">Recipients</h2>
        <ul className="plain-list">
          {m.recipients.map((r) => (
            <RecipientItem key={r.id} recipient={r} />
          ))}
        </ul>
      </section>
      <ReasonDialog
        open={dialog === 'hold'}
        title="Hold this message?"
        confirmLabel="Hold message"
        explanation={<p>{plural(sendable, 'recipient')} waiting to be sent: none is sent until someone releases it.</p>}
        reasonHint="e.g. “Looks like spam, checking with the customer”. Recorded in the audit log; never sent to the sender."
        onSubmit={(reason) => call(api.POST('/v1/queue/messages/{id}/hold', { params: { path: { id } }, body: { reason } }))}
        onDone={(next) => done(next, 'Message held.')}
        onClose={() => setDialog(null)}
      />
      <ReasonDialog
        open={dialog === 'cancel'}
        title="Cancel this message?"
        confirmLabel="Cancel delivery"
        explanation={
          <>
            <p>{plural(sendable + held, 'recipient')} still waiting will never get it. This cannot be undone.</p>
            <p>
              {m.envelopeFrom ? (
                <>
                  The sender, <strong className="break">{m.envelopeFrom}</strong>, gets a bounce (a failure notice) saying the postmaster cancelled it; the reason is not in it.
                </>
              ) : (
                'The sender is <> (this is itself a bounce), so nobody is told.'
              )}
            </p>
          </>
        }
        reasonHint="e.g. “Customer asked us to stop the newsletter”. Recorded in the audit log; never sent to the sender."
        onSubmit={(reason) => call(api.POST('/v1/queue/messages/{id}/cancel', { params: { path: { id } }, body: { reason } }))}
        onDone={(next) => done(next, 'Message cancelled.')}
        onClose={() => setDialog(null)}
      />
    </>
  );
}

function RecipientItem({ recipient: r }: { recipient: Recipient }) {
  const waiting = r.status === 'queued' || r.status === 'deferred';
  const failed = r.status === 'failed' || r.status === 'cancelled';
  const reply = r.lastReply && r.lastStatus && !r.lastReply.includes(r.lastStatus) ? `${r.lastReply} (${r.lastStatus})` : r.lastReply;
  const items: [string, ReactNode][] = r.heldReason ? [['Held because', HELD_BECAUSE[r.heldReason] ?? r.heldReason]] : [];
  items.push(['Attempts', r.attempts.toLocaleString()]);
  if (r.lastAttemptAt) items.push(['Last attempt', formatDateTime(r.lastAttemptAt, { seconds: true })]);
  if (reply) items.push(['Last reply', <code>{reply}</code>]);
  if (r.remoteMta) items.push(['Remote server', r.remoteMta]);
  if (waiting) items.push(['Next attempt', nextTryText(r.nextAttemptAt)]);
  if (r.finishedAt) items.push([`${r.status[0].toUpperCase()}${r.status.slice(1)} at`, formatDateTime(r.finishedAt, { seconds: true })]);
  if (failed) items.push(['Bounce to the sender', r.bouncedAt ? `handled ${formatDateTime(r.bouncedAt)} (sent, or none was due)` : 'not sent yet']);
  if (r.delayNotifiedAt) items.push(['Delay notice sent', formatDateTime(r.delayNotifiedAt)]);
  return (
    <li className="recipient">
      <p>
        <strong className="break">{r.recipient}</strong> <StatusBadge status={r.status} />
      </p>
      <DetailList items={items} />
      {r.attemptHistory.length > 0 && (
        <details className="changes">
          <summary>Attempt history ({r.attemptHistory.length})</summary>
          <ol>
            {r.attemptHistory.map((a) => (
              <li key={a.id}>
                {formatDateTime(a.createdAt, { seconds: true })} <StatusBadge status={a.outcome} /> <code>{a.reply ?? '—'}</code>{' '}
                <span className="muted small">
                  {a.remoteMta ?? 'no server'} · {a.durationMs.toLocaleString()} ms
                </span>
              </li>
            ))}
          </ol>
        </details>
      )}
    </li>
  );
}

const RELAY_STILL_SUSPENDED: Record<string, string> = {
  customer_suspended: 'the customer is still suspended: reactivate the customer first',
  no_agreement: 'the customer has not signed a no-spam agreement: it must sign one first',
  agreement_suspended: "the customer's agreement is still suspended: reinstate it first",
  agreement_revoked: "the customer's agreement was revoked: the customer must sign a new one first",
};

/** Release refused for mail held because its sender may not relay: what to do first, with a link to where it is done. */
function ActionProblem({ error }: { error: ApiError }) {
  const d = error.details as { reason?: string; customerId?: string; agreementId?: string | null } | null;
  if (error.code !== 'relay_still_suspended' || !d?.reason) return <ErrorNotice error={error} />;
  const atAgreement = d.agreementId && (d.reason === 'agreement_suspended' || d.reason === 'agreement_revoked');
  return (
    <div className="notice notice-warn" role="alert">
      <p>
        <strong>Not released.</strong> This mail is held because its sender lost relay permission, and {RELAY_STILL_SUSPENDED[d.reason] ?? d.reason}.{' '}
        <Link to={atAgreement ? `/agreements/${d.agreementId}` : `/customers/${d.customerId}`}>{atAgreement ? 'Open the agreement' : 'Open the customer'}</Link>. Or
        cancel the message.
      </p>
    </div>
  );
}
