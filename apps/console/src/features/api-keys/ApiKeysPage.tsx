import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { Link, navigate, useLocation, withQuery } from '../../app/router';
import { Button } from '../../ui/Button';
import { CopyButton } from '../../ui/CopyButton';
import { type Column, DataTable } from '../../ui/DataTable';
import { ConfirmDialog } from '../../ui/Dialog';
import { EmptyState, PageHeader, StatusBadge } from '../../ui/feedback';
import { CheckboxGroup, FormError, TextField } from '../../ui/fields';
import { Form } from '../../ui/Form';
import { formatDateTime } from '../../ui/format';
import { useLoad, usePagedList, useSubmit } from '../../ui/hooks';
import { useNotify } from '../../ui/notices';
import { useCaller } from '../../app/caller';
import { CustomerPicker } from '../customers/CustomerPicker';
import { CustomerName } from '../names';
import { SCOPE_OPTIONS } from './scopes';

type ApiKeyDto = Schemas['ApiKeyDto'];
type CreatedApiKeyDto = Schemas['CreatedApiKeyDto'];

/** API keys: create with scopes (the secret is shown once), list, revoke. Admin keys only. */
export function ApiKeysPage() {
  const { query } = useLocation();
  const customerId = query.get('customerId') ?? '';
  const creating = query.get('new') === '1';
  const [created, setCreated] = useState<CreatedApiKeyDto | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyDto | null>(null);
  const notify = useNotify();
  const caller = useCaller();
  const list = usePagedList((cursor) => call(api.GET('/v1/api-keys', { params: { query: { cursor, limit: 25, customerId: customerId || undefined } } })), customerId);
  const boundTo = useLoad(() => (customerId ? call(api.GET('/v1/customers/{id}', { params: { path: { id: customerId } } })) : Promise.resolve(null)), customerId);

  const columns: Column<ApiKeyDto>[] = [
    { header: 'Name', cell: (k) => k.name },
    { header: 'Key', cell: (k) => <code className="nowrap">{k.hint}</code> },
    { header: 'Scopes', cell: (k) => <span className="scopes">{k.scopes.join(', ')}</span> },
    { header: 'Customer', cell: (k) => (k.customerId ? <CustomerName id={k.customerId} /> : <span className="muted">all customers</span>) },
    { header: 'Last used', cell: (k) => formatDateTime(k.lastUsedAt), className: 'nowrap' },
    { header: 'Status', cell: (k) => (k.revokedAt ? <StatusBadge status="revoked" /> : <StatusBadge status="active" />) },
    {
      header: 'Actions',
      cell: (k) =>
        k.id === caller.keyId ? (
          <span className="muted small">the key you use</span>
        ) : (
          !k.revokedAt && (
          <Button className="btn-small" variant="danger" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
            Revoke
          </Button>
          )
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title="API keys"
        subtitle={boundTo.data ? <>Keys bound to {boundTo.data.name} · <Link to="/api-keys">all keys</Link></> : 'Keys for billing systems, scripts and staff.'}
        actions={
          !creating &&
          !created && (
            <Button variant="primary" onClick={() => navigate(withQuery('/api-keys', { customerId, new: '1' }))}>
              New API key
            </Button>
          )
        }
      />
      {created && <SecretOnce created={created} onDone={() => setCreated(null)} />}
      {creating && !created && (
        <CreateApiKey
          initialCustomerId={customerId}
          onCancel={() => navigate(withQuery('/api-keys', { customerId }))}
          onCreated={(k) => {
            setCreated(k);
            list.reload();
            navigate(withQuery('/api-keys', { customerId }), { replace: true });
          }}
        />
      )}
      <DataTable caption="API keys" columns={columns} list={list} empty={<EmptyState title="No API keys here yet." />} />
      {revoking && (
        <RevokeDialog
          apiKey={revoking}
          onClose={() => setRevoking(null)}
          onDone={() => {
            notify(`API key “${revoking.name}” revoked.`);
            setRevoking(null);
            list.reload();
          }}
        />
      )}
    </>
  );
}

function CreateApiKey({ initialCustomerId, onCreated, onCancel }: { initialCustomerId: string; onCreated: (k: CreatedApiKeyDto) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [customerId, setCustomerId] = useState(initialCustomerId);
  const submit = useSubmit(async () => {
    const body = { name, scopes: scopes as Schemas['CreateApiKeyDto']['scopes'], customerId: customerId || undefined };
    onCreated(await call(api.POST('/v1/api-keys', { body })));
  });
  return (
    <section className="panel" aria-labelledby="new-key-title">
      <h2 id="new-key-title">New API key</h2>
      <Form onSubmit={() => void submit.run()} error={submit.error}>
        <FormError message={submit.formError(['name', 'scopes', 'customerId'])} />
        <TextField label="Name" name="name" required value={name} onChange={(e) => setName(e.target.value)} error={submit.fieldError('name')} hint="Who or what uses it, e.g. “billing system”." autoFocus />
        <CheckboxGroup
          legend="Scopes"
          options={SCOPE_OPTIONS.map((s) => ({
            value: s.value,
            label: (
              <>
                <code>{s.value}</code> <span className="muted small">{s.description}</span>
              </>
            ),
          }))}
          value={scopes}
          onChange={setScopes}
          error={submit.fieldError('scopes')}
          hint="Give the least it needs. Write scopes include reading."
        />
        <CustomerPicker
          label="Bound to customer"
          optional
          value={customerId}
          onChange={setCustomerId}
          error={submit.fieldError('customerId')}
          hint="A bound key sees and changes only this customer's resources."
        />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={submit.busy}>
            Create key
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </Form>
    </section>
  );
}

/** The only time the secret exists outside the caller: shown here, then gone. */
function SecretOnce({ created, onDone }: { created: CreatedApiKeyDto; onDone: () => void }) {
  return (
    <section className="panel panel-highlight" aria-labelledby="secret-title" role="alert">
      <h2 id="secret-title">Copy the key “{created.name}” now</h2>
      <p>It is shown only this once; Postbode keeps only a hash. If it is lost, revoke it and create another.</p>
      <div className="secret">
        <input aria-label="New API key" readOnly value={created.key} onFocus={(e) => e.target.select()} spellCheck={false} data-secret />
        <CopyButton value={created.key} label="API key" />
      </div>
      <Button variant="primary" onClick={onDone}>
        I have stored it
      </Button>
    </section>
  );
}

function RevokeDialog({ apiKey, onClose, onDone }: { apiKey: ApiKeyDto; onClose: () => void; onDone: () => void }) {
  const submit = useSubmit(async () => {
    await call(api.DELETE('/v1/api-keys/{id}', { params: { path: { id: apiKey.id } } }));
    onDone();
  });
  return (
    <ConfirmDialog
      open
      title={`Revoke “${apiKey.name}”?`}
      confirmLabel="Revoke key"
      danger
      busy={submit.busy}
      error={submit.error?.message}
      onConfirm={() => void submit.run()}
      onCancel={onClose}
    >
      <p>
        Whatever uses <code>{apiKey.hint}</code> stops working at once. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
