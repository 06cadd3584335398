import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useMay } from '../../app/caller';
import { Link, navigate } from '../../app/router';
import { ByteSizeField } from '../../ui/ByteSizeField';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/Dialog';
import { DetailList, ErrorNotice, Loading, PageHeader, StatusBadge } from '../../ui/feedback';
import { Form } from '../../ui/Form';
import { FormError } from '../../ui/fields';
import { formatDateTime } from '../../ui/format';
import { useLoad, useSubmit } from '../../ui/hooks';
import { useNotify } from '../../ui/notices';
import { PasswordInput } from '../../ui/PasswordInput';
import { UsageBar } from '../../ui/UsageBar';
import { CustomerName } from '../names';
import { RelayPanel } from './RelayPanel';

type MailboxDto = Schemas['MailboxDto'];
type Dialog = 'disable' | 'enable' | 'password' | 'delete' | null;

/** One mailbox: storage in use, quota, disable/enable, reset password, and whether it may send to other domains. */
export function MailboxPage({ id }: { id: string }) {
  const mailbox = useLoad(() => call(api.GET('/v1/mailboxes/{id}', { params: { path: { id } } })), id);
  const mayWrite = useMay('mailboxes:write');
  const [dialog, setDialog] = useState<Dialog>(null);
  const [editingQuota, setEditingQuota] = useState(false);
  const notify = useNotify();
  const setStatus = useSubmit(async (status: MailboxDto['status']) => {
    mailbox.replace(await call(api.PATCH('/v1/mailboxes/{id}', { params: { path: { id } }, body: { status } })));
    setDialog(null);
    notify(status === 'disabled' ? 'Mailbox disabled.' : 'Mailbox enabled.');
  });
  const remove = useSubmit(async () => {
    await call(api.DELETE('/v1/mailboxes/{id}', { params: { path: { id } } }));
    notify('Mailbox deleted.');
    navigate('/mailboxes', { replace: true });
  });

  if (mailbox.error) return <ErrorNotice error={mailbox.error} onRetry={mailbox.reload} />;
  if (!mailbox.data) return <Loading />;
  const m = mailbox.data;
  const closeStatus = () => {
    setStatus.clear();
    setDialog(null);
  };
  return (
    <>
      <p className="breadcrumb">
        <Link to="/mailboxes">Mailboxes</Link> · <Link to={`/domains/${m.domainId}`}>its domain</Link>
      </p>
      <PageHeader
        title={
          <>
            {m.address} <StatusBadge status={m.status} />
          </>
        }
        subtitle={
          <>
            {m.displayName ? `${m.displayName} · ` : ''}Mailbox of <CustomerName id={m.customerId} />
          </>
        }
        actions={
          mayWrite && (
            <>
              <Button onClick={() => setDialog('password')}>Reset password</Button>
              {m.status === 'active' ? (
                <Button variant="danger" onClick={() => setDialog('disable')}>
                  Disable
                </Button>
              ) : (
                <Button variant="primary" onClick={() => setDialog('enable')}>
                  Enable
                </Button>
              )}
              <Button variant="link" className="danger-link" onClick={() => setDialog('delete')}>
                Delete
              </Button>
            </>
          )
        }
      />
      {m.status === 'disabled' && <div className="notice notice-warn">Disabled: the user cannot log in and mail for this address is refused.</div>}
      <div className="grid-2">
        <section className="panel" aria-labelledby="storage-title">
          <h2 id="storage-title">Storage</h2>
          <UsageBar used={m.usedBytes} limit={m.quotaBytes} label={`Storage of ${m.address}`} />
          {editingQuota ? (
            <QuotaForm mailbox={m} onCancel={() => setEditingQuota(false)} onSaved={(next) => (mailbox.replace(next), setEditingQuota(false), notify('Quota saved.'))} />
          ) : (
            <>
              <DetailList
                items={[
                  ['Messages', m.messageCount.toLocaleString()],
                  ['Password changed', formatDateTime(m.passwordChangedAt)],
                  ['Created', formatDateTime(m.createdAt)],
                ]}
              />
              {mayWrite && <Button onClick={() => setEditingQuota(true)}>Change quota</Button>}
            </>
          )}
        </section>
        <RelayPanel mailbox={m} version={m.updatedAt} />
      </div>

      <ConfirmDialog
        open={dialog === 'disable'}
        title={`Disable ${m.address}?`}
        confirmLabel="Disable mailbox"
        danger
        busy={setStatus.busy}
        error={setStatus.error?.message}
        onConfirm={() => void setStatus.run('disabled')}
        onCancel={closeStatus}
      >
        <p>The user can no longer log in, open sessions are closed, and mail for this address is refused. Stored mail is kept.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'enable'}
        title={`Enable ${m.address}?`}
        confirmLabel="Enable mailbox"
        busy={setStatus.busy}
        error={setStatus.error?.message}
        onConfirm={() => void setStatus.run('active')}
        onCancel={closeStatus}
      >
        <p>The user can log in and receive mail again.</p>
      </ConfirmDialog>
      <PasswordDialog open={dialog === 'password'} mailbox={m} onClose={() => setDialog(null)} />
      <ConfirmDialog
        open={dialog === 'delete'}
        title={`Delete ${m.address}?`}
        confirmLabel="Delete for good"
        danger
        busy={remove.busy}
        error={remove.error?.message}
        onConfirm={() => void remove.run()}
        onCancel={() => {
          remove.clear();
          setDialog(null);
        }}
      >
        <p>The mailbox and all its mail are deleted. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}

function QuotaForm({ mailbox, onCancel, onSaved }: { mailbox: MailboxDto; onCancel: () => void; onSaved: (m: MailboxDto) => void }) {
  const [quotaBytes, setQuotaBytes] = useState<number | null>(mailbox.quotaBytes);
  const submit = useSubmit(async () =>
    onSaved(await call(api.PATCH('/v1/mailboxes/{id}', { params: { path: { id: mailbox.id } }, body: { quotaBytes: quotaBytes ?? undefined } }))),
  );
  return (
    <Form onSubmit={() => void submit.run()} error={submit.error} aria-label="Quota">
      <FormError message={submit.formError(['quotaBytes'])} />
      <ByteSizeField label="Quota" name="quotaBytes" bytes={quotaBytes} onChange={setQuotaBytes} error={submit.fieldError('quotaBytes')} />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={submit.busy}>
          Save quota
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </Form>
  );
}

/** A new password, typed or generated; the old one stops working at once. */
function PasswordDialog({ open, mailbox, onClose }: { open: boolean; mailbox: MailboxDto; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const notify = useNotify();
  const submit = useSubmit(async () => {
    await call(api.POST('/v1/mailboxes/{id}/password', { params: { path: { id: mailbox.id } }, body: { password } }));
    setPassword('');
    onClose();
    notify('Password changed.');
  });
  return (
    <ConfirmDialog
      open={open}
      title={`New password for ${mailbox.address}`}
      confirmLabel="Set password"
      busy={submit.busy}
      error={submit.error && submit.error.hasErrorsBeyond(['password']) ? submit.error.message : null}
      onConfirm={() => void submit.run()}
      onCancel={() => {
        submit.clear();
        setPassword('');
        onClose();
      }}
    >
      <p>The old password stops working at once; mail programs must use the new one.</p>
      <PasswordInput label="New password" value={password} onChange={setPassword} error={submit.fieldError('password')} autoFocus />
    </ConfirmDialog>
  );
}
