import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useCaller, useMay } from '../../app/caller';
import { Link } from '../../app/router';
import { Button } from '../../ui/Button';
import { downloadText } from '../../ui/download';
import { DetailList, ErrorNotice, Loading, PageHeader, StatusBadge } from '../../ui/feedback';
import { formatDateTime } from '../../ui/format';
import { useLoad, useSubmit } from '../../ui/hooks';
import { useNotify } from '../../ui/notices';
import { ReasonDialog } from '../../ui/ReasonDialog';
import { ApiKeyName, CustomerName } from '../names';

type AgreementDto = Schemas['AgreementDto'];
type Action = 'suspend' | 'reinstate' | 'revoke' | null;

/** One signature: its status and who changed it, the signing evidence, the limits, the receipt; suspend / reinstate / revoke. */
export function AgreementPage({ id }: { id: string }) {
  const agreement = useLoad(() => call(api.GET('/v1/agreements/{id}', { params: { path: { id } } })), id);
  const caller = useCaller();
  const mayChange = useMay('agreements:write') && !caller.customerId; // customers read their agreement, staff change it
  const [action, setAction] = useState<Action>(null);
  const notify = useNotify();
  const receipt = useSubmit(async () => {
    const text = await call(api.GET('/v1/agreements/{id}/receipt', { params: { path: { id } }, parseAs: 'text' }));
    downloadText(text as string, `agreement-${id}-receipt.md`);
  });
  if (agreement.error) return <ErrorNotice error={agreement.error} onRetry={agreement.reload} />;
  if (!agreement.data) return <Loading />;
  const a = agreement.data;
  const done = (next: AgreementDto, message: string) => {
    agreement.replace(next);
    setAction(null);
    notify(message);
  };
  const by = a.statusChangedBy;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/agreements">Agreements</Link>
      </p>
      <PageHeader
        title={
          <>
            Agreement of <CustomerName id={a.customerId} /> <StatusBadge status={a.status} />
          </>
        }
        subtitle={`Signed ${formatDateTime(a.signedAt)} by ${a.signerName}`}
        actions={
          <>
            <Button onClick={() => void receipt.run()} busy={receipt.busy}>
              Download receipt
            </Button>
            {mayChange && a.status === 'active' && (
              <Button variant="danger" onClick={() => setAction('suspend')}>
                Suspend
              </Button>
            )}
            {mayChange && a.status === 'suspended' && (
              <Button variant="primary" onClick={() => setAction('reinstate')}>
                Reinstate
              </Button>
            )}
            {mayChange && (a.status === 'active' || a.status === 'suspended') && (
              <Button variant="link" className="danger-link" onClick={() => setAction('revoke')}>
                Revoke
              </Button>
            )}
          </>
        }
      />
      {receipt.error && <ErrorNotice error={receipt.error} />}
      {a.status !== 'active' && (
        <div className={`notice ${a.status === 'superseded' ? '' : 'notice-warn'}`}>
          <strong>{a.status === 'suspended' ? 'Suspended: its users may not send mail to other domains.' : a.status === 'revoked' ? 'Revoked for good.' : 'Superseded by a newer signature.'}</strong>{' '}
          {a.statusReason && <>Reason: {a.statusReason}. </>}
          {a.supersededById && <Link to={`/agreements/${a.supersededById}`}>The newer agreement</Link>}
        </div>
      )}
      <div className="grid-2">
        <section className="panel" aria-labelledby="evidence-title">
          <h2 id="evidence-title">Signing evidence</h2>
          <DetailList
            items={[
              ['Full name typed', a.signerName],
              ['E-mail', a.signerEmail],
              ['Signed at', formatDateTime(a.signedAt, { seconds: true })],
              ['From IP address', a.signerIp ?? '—'],
              ['Browser', <span className="break small">{a.signerUserAgent ?? '—'}</span>],
              ['SHA-256 of the text shown', <code className="break">{a.textSha256}</code>],
              ['Terms', <Link to={`/agreement-versions/${a.versionId}`}>The version signed</Link>],
            ]}
          />
        </section>
        <section className="panel" aria-labelledby="status-title">
          <h2 id="status-title">Status and limits</h2>
          <DetailList
            items={[
              ['Status', <StatusBadge status={a.status} />],
              ['Last changed', formatDateTime(a.statusChangedAt)],
              ['Changed by', by.type === 'api_key' && by.id ? <ApiKeyName id={by.id} /> : by.type],
              ['Reason', a.statusReason ?? '—'],
              ['Messages per hour', a.limits.messagesPerHour.toLocaleString()],
              ['Recipients per day', a.limits.recipientsPerDay.toLocaleString()],
              ['Recipients per message', a.limits.recipientsPerMessage.toLocaleString()],
              ['Client networks', a.clientNetworks.length ? a.clientNetworks.join(', ') : 'none (users log in to send)'],
            ]}
          />
        </section>
      </div>
      <ReasonDialog
        open={action === 'suspend'}
        title="Suspend this agreement?"
        confirmLabel="Suspend agreement"
        explanation={<p>The customer's users can no longer send mail to other domains (they still receive mail and send to our domains) until staff reinstate it.</p>}
        reasonHint="e.g. “Spam complaints from 3 recipients”. Recorded in the audit log and sent to webhooks."
        onSubmit={(reason) => call(api.POST('/v1/agreements/{id}/suspend', { params: { path: { id } }, body: { reason } }))}
        onDone={(next) => done(next, 'Agreement suspended.')}
        onClose={() => setAction(null)}
      />
      <ReasonDialog
        open={action === 'reinstate'}
        title="Reinstate this agreement?"
        confirmLabel="Reinstate agreement"
        explanation={<p>The customer's users may send to other domains again, within the limits.</p>}
        reasonHint="e.g. “Compromised account cleaned up”."
        onSubmit={(reason) => call(api.POST('/v1/agreements/{id}/reinstate', { params: { path: { id } }, body: { reason } }))}
        onDone={(next) => done(next, 'Agreement reinstated.')}
        onClose={() => setAction(null)}
      />
      <ReasonDialog
        open={action === 'revoke'}
        title="Revoke this agreement for good?"
        confirmLabel="Revoke agreement"
        explanation={<p>This cannot be undone. The customer must sign a new agreement before its users may send to other domains again.</p>}
        onSubmit={(reason) => call(api.POST('/v1/agreements/{id}/revoke', { params: { path: { id } }, body: { reason } }))}
        onDone={(next) => done(next, 'Agreement revoked.')}
        onClose={() => setAction(null)}
      />
    </>
  );
}
