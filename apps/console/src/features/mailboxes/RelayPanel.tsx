import { type ReactNode, useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useMay } from '../../app/caller';
import { Link } from '../../app/router';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/Dialog';
import { DetailList, ErrorNotice, Loading, StatusBadge } from '../../ui/feedback';
import { formatDateTime } from '../../ui/format';
import { useLoad, useSubmit } from '../../ui/hooks';
import { useNotify } from '../../ui/notices';
import { ReasonDialog } from '../../ui/ReasonDialog';

type MailboxDto = Schemas['MailboxDto'];

/**
 * May this user send mail to other domains now, and if not, why: the same
 * decision the mail server makes (GET /v1/mailboxes/{id}/relay-permission).
 * Staff can block relaying for this one mailbox (a leaked password) and lift it.
 */
export function RelayPanel({ mailbox, version }: { mailbox: MailboxDto; version: string }) {
  const permission = useLoad(() => call(api.GET('/v1/mailboxes/{id}/relay-permission', { params: { path: { id: mailbox.id } } })), `${mailbox.id}|${version}`);
  const mayBlock = useMay('mailboxes:write');
  const [dialog, setDialog] = useState<'block' | 'unblock' | null>(null);
  const notify = useNotify();
  const unblock = useSubmit(async () => {
    await call(api.DELETE('/v1/mailboxes/{id}/relay-block', { params: { path: { id: mailbox.id } } }));
    setDialog(null);
    notify('Relaying allowed again for this mailbox.');
    permission.reload();
  });
  const p = permission.data;
  const blocked = p?.reason === 'relay_blocked';
  return (
    <section className="panel" aria-labelledby="relay-title">
      <h2 id="relay-title">Sending to other domains</h2>
      {permission.error ? (
        <ErrorNotice error={permission.error} onRetry={permission.reload} />
      ) : !p ? (
        <Loading />
      ) : (
        <>
          <p className="relay-verdict" data-testid="relay-permission">
            <StatusBadge status={p.allowed ? 'allowed' : 'refused'} label={p.allowed ? 'Allowed' : 'Refused'} /> {p.message}
          </p>
          <DetailList
            items={[
              ...(p.allowed ? [] : ([['Reply the mail server gives', <code>{`${p.code} ${p.enhancedCode}`}</code>], ['Reason', <code>{p.reason}</code>]] as [string, ReactNode][])),
              ['Agreement', p.agreementId ? <Link to={`/agreements/${p.agreementId}`}>View the agreement</Link> : 'none signed'],
              ...(p.limits
                ? ([
                    ['Messages this hour', `${p.usage.messagesThisHour.toLocaleString()} of ${p.limits.messagesPerHour.toLocaleString()}`],
                    ['Recipients in 24 hours', `${p.usage.recipientsLast24Hours.toLocaleString()} of ${p.limits.recipientsPerDay.toLocaleString()}`],
                  ] as [string, ReactNode][])
                : []),
            ]}
          />
          {blocked && <BlockReason mailboxId={mailbox.id} version={`${version}|${permission.data?.reason}`} />}
          {mayBlock && (
            <div className="inline-actions">
              {blocked ? (
                <Button onClick={() => setDialog('unblock')}>Allow relaying again</Button>
              ) : (
                <Button variant="danger" onClick={() => setDialog('block')}>
                  Block relaying
                </Button>
              )}
            </div>
          )}
        </>
      )}
      <ReasonDialog
        open={dialog === 'block'}
        title={`Block relaying for ${mailbox.address}?`}
        confirmLabel="Block relaying"
        explanation={<p>This user can still receive mail and send to our own domains, but not to the rest of the internet.</p>}
        reasonHint="e.g. “Sent spam after a password leak”. Recorded in the audit log."
        onSubmit={(reason) => call(api.POST('/v1/mailboxes/{id}/relay-block', { params: { path: { id: mailbox.id } }, body: { reason } }))}
        onDone={(state) => {
          setDialog(null);
          notify(`Relaying blocked${state.relayBlockedAt ? ` at ${formatDateTime(state.relayBlockedAt)}` : ''}.`);
          permission.reload();
        }}
        onClose={() => setDialog(null)}
      />
      <ConfirmDialog
        open={dialog === 'unblock'}
        title={`Allow relaying for ${mailbox.address}?`}
        confirmLabel="Allow relaying"
        busy={unblock.busy}
        error={unblock.error?.message}
        onConfirm={() => void unblock.run()}
        onCancel={() => {
          unblock.clear();
          setDialog(null);
        }}
      >
        <p>The user may send to other domains again, within the customer's agreement.</p>
      </ConfirmDialog>
    </section>
  );
}

/**
 * Why relaying is blocked: the mailbox answer does not carry it, the audit
 * entry of the block does (`after.relayBlockedReason`). Needs events:read.
 */
function BlockReason({ mailboxId, version }: { mailboxId: string; version: string }) {
  const mayEvents = useMay('events:read');
  const block = useLoad(
    () =>
      mayEvents
        ? call(api.GET('/v1/events', { params: { query: { targetType: 'mailbox', targetId: mailboxId, action: 'mailbox.relay_blocked', order: 'desc', limit: 1 } } }))
        : Promise.resolve(null),
    `${mailboxId}|${version}|${mayEvents}`,
  );
  const after = block.data?.items[0]?.after as { relayBlockedReason?: string; relayBlockedAt?: string } | null | undefined;
  if (!after?.relayBlockedReason) return null;
  return (
    <div className="notice notice-warn">
      Blocked by staff{after.relayBlockedAt ? ` on ${formatDateTime(after.relayBlockedAt)}` : ''}: {after.relayBlockedReason}
    </div>
  );
}
