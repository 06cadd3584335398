import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useMay } from '../../app/caller';
import { Link, withQuery } from '../../app/router';
import { Button } from '../../ui/Button';
import { CopyButton } from '../../ui/CopyButton';
import { ErrorNotice, EmptyState, Loading, StatusBadge } from '../../ui/feedback';
import { FormError } from '../../ui/fields';
import { formatDateTime } from '../../ui/format';
import { useLoad, useSubmit } from '../../ui/hooks';

type InvitationDto = Schemas['InvitationDto'];

/**
 * On the customer page: its current agreement, and an invitation to sign. The
 * link is shown once (only its hash is stored), with a copy button; a new
 * invitation voids the older link.
 */
export function CustomerAgreement({ customerId }: { customerId: string }) {
  const mayInvite = useMay('agreements:write', 'billing');
  const [invitation, setInvitation] = useState<InvitationDto | null>(null);
  const current = useLoad(() => call(api.GET('/v1/agreements', { params: { query: { customerId, limit: 5 } } })), `${customerId}|${invitation?.id ?? ''}`);
  const invite = useSubmit(async () => setInvitation(await call(api.POST('/v1/customers/{id}/agreement-invitations', { params: { path: { id: customerId } }, body: { expiresInDays: 14 } }))));
  const latest = current.data?.items.find((a) => a.status === 'active' || a.status === 'suspended') ?? null;
  return (
    <section className="panel" aria-labelledby="agreement-title">
      <h2 id="agreement-title">No-spam agreement</h2>
      {current.error ? (
        <ErrorNotice error={current.error} onRetry={current.reload} />
      ) : !current.data ? (
        <Loading />
      ) : latest ? (
        <p>
          <StatusBadge status={latest.status} /> Signed by {latest.signerName} on {formatDateTime(latest.signedAt)}. <Link to={`/agreements/${latest.id}`}>View the agreement</Link>
        </p>
      ) : (
        <EmptyState title="No agreement signed: its users cannot send mail to other domains." />
      )}
      {current.data && current.data.items.length > 0 && <Link to={withQuery('/agreements', { customerId })}>All its agreements</Link>}
      {mayInvite && (
        <div className="invite">
          <FormError message={invite.error?.message} />
          {invitation ? (
            <div className="signing-link" role="group" aria-label="New signing link">
              <p>
                Send this link to the customer. It works once, until {formatDateTime(invitation.expiresAt)}, and is shown only now.
              </p>
              <div className="inline-actions">
                <input className="mono-input" readOnly aria-label="Signing link" value={invitation.signingUrl} onFocus={(e) => e.target.select()} />
                <CopyButton value={invitation.signingUrl} label="signing link" />
              </div>
            </div>
          ) : (
            <Button variant={latest ? 'secondary' : 'primary'} busy={invite.busy} onClick={() => void invite.run()}>
              {latest ? 'Invite to sign again' : 'Send agreement invitation'}
            </Button>
          )}
        </div>
      )}
    </section>
  );
}
