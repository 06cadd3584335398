import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useCaller, useMay } from '../../app/caller';
import { Link, navigate, withQuery } from '../../app/router';
import { Button } from '../../ui/Button';
import { CopyButton } from '../../ui/CopyButton';
import { ConfirmDialog } from '../../ui/Dialog';
import { DetailList, EmptyState, ErrorNotice, Loading, PageHeader, StatusBadge } from '../../ui/feedback';
import { formatDateTime } from '../../ui/format';
import { useLoad, useSubmit } from '../../ui/hooks';
import { useNotify } from '../../ui/notices';
import { ReasonDialog } from '../../ui/ReasonDialog';
import { CustomerAgreement } from '../agreements/CustomerAgreement';
import { EventSummary } from '../audit-log/EventSummary';
import { CustomerQueue } from '../queue/CustomerQueue';
import { CustomerForm } from './CustomerForm';

type CustomerDto = Schemas['CustomerDto'];
type Dialog = 'suspend' | 'reactivate' | 'delete' | null;

/**
 * One customer: details, edit, suspend (with a reason) / reactivate, delete,
 * its no-spam agreement (and an invitation to sign it), its domains, its
 * mail in the outbound queue, its API keys and its latest activity.
 */
export function CustomerPage({ id }: { id: string }) {
  const customer = useLoad(() => call(api.GET('/v1/customers/{id}', { params: { path: { id } } })), id);
  const caller = useCaller();
  const mayWrite = useMay('customers:write');
  const isStaff = !caller.customerId; // suspend, reactivate and delete belong to the ISP
  const mayEvents = useMay('events:read');
  const mayAgreements = useMay('agreements:read');
  const mayDomains = useMay('domains:read');
  const mayQueue = useMay('queue:read');
  const [editing, setEditing] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const notify = useNotify();

  if (customer.error) return <ErrorNotice error={customer.error} onRetry={customer.reload} />;
  if (!customer.data) return <Loading />;
  const c = customer.data;
  const updated = (next: CustomerDto, message: string) => {
    customer.replace(next);
    setDialog(null);
    notify(message);
  };

  return (
    <>
      <p className="breadcrumb">
        <Link to="/customers">Customers</Link>
      </p>
      <PageHeader
        title={
          <>
            {c.name} <StatusBadge status={c.status} />
          </>
        }
        subtitle={c.externalRef ? `Billing id ${c.externalRef}` : undefined}
        actions={
          mayWrite && (
            <>
              {!editing && <Button onClick={() => setEditing(true)}>Edit</Button>}
              {isStaff && c.status === 'active' && (
                <Button variant="danger" onClick={() => setDialog('suspend')}>
                  Suspend
                </Button>
              )}
              {isStaff && c.status === 'suspended' && (
                <Button variant="primary" onClick={() => setDialog('reactivate')}>
                  Reactivate
                </Button>
              )}
              {isStaff && (
                <Button variant="link" className="danger-link" onClick={() => setDialog('delete')}>
                  Delete
                </Button>
              )}
            </>
          )
        }
      />

      {c.status === 'suspended' && (
        <div className="notice notice-warn">
          <strong>Suspended</strong> since {formatDateTime(c.suspendedAt)}: {c.suspendedReason}. Its users cannot log in or send; mail is still received.
        </div>
      )}

      <section className="panel" aria-labelledby="details-title">
        <h2 id="details-title">Details</h2>
        {editing ? (
          <CustomerForm
            initial={{ name: c.name, contactEmail: c.contactEmail, externalRef: c.externalRef ?? undefined }}
            submitLabel="Save changes"
            onCancel={() => setEditing(false)}
            onSubmit={async (body) => {
              const next = await call(api.PATCH('/v1/customers/{id}', { params: { path: { id } }, body }));
              setEditing(false);
              updated(next, 'Changes saved.');
            }}
          />
        ) : (
          <DetailList
            items={[
              ['Contact e-mail', <a href={`mailto:${c.contactEmail}`}>{c.contactEmail}</a>],
              ['Billing id', c.externalRef ?? '—'],
              ['Status', <StatusBadge status={c.status} />],
              ['Created', formatDateTime(c.createdAt)],
              ['Last changed', formatDateTime(c.updatedAt)],
              [
                'Id',
                <span className="inline-actions">
                  <code>{c.id}</code> <CopyButton value={c.id} label="customer id" />
                </span>,
              ],
            ]}
          />
        )}
      </section>

      <div className="grid-2">
        {mayAgreements && <CustomerAgreement customerId={c.id} />}
        {mayDomains && <CustomerDomains customerId={c.id} />}
        {mayQueue && <CustomerQueue customerId={c.id} />}
      </div>

      <div className="grid-2">
        {caller.scopes.includes('admin') && <CustomerApiKeys customer={c} />}
        {mayEvents && <CustomerActivity customerId={c.id} version={c.updatedAt} />}
      </div>

      <ReasonDialog
        open={dialog === 'suspend'}
        title={`Suspend ${c.name}?`}
        confirmLabel="Suspend customer"
        explanation={<p>Its users will no longer be able to log in or send mail. Mail for its addresses is still received.</p>}
        reasonHint="Recorded in the audit log and shown to staff, e.g. “Invoice 2026-113 unpaid”."
        onSubmit={(reason) => call(api.POST('/v1/customers/{id}/suspend', { params: { path: { id } }, body: { reason } }))}
        onDone={(next) => updated(next, 'Customer suspended.')}
        onClose={() => setDialog(null)}
      />
      <ReactivateDialog open={dialog === 'reactivate'} customer={c} onClose={() => setDialog(null)} onDone={(next) => updated(next, 'Customer reactivated.')} />
      <DeleteDialog open={dialog === 'delete'} customer={c} onClose={() => setDialog(null)} />
    </>
  );
}

function ReactivateDialog({ open, customer, onClose, onDone }: { open: boolean; customer: CustomerDto; onClose: () => void; onDone: (c: CustomerDto) => void }) {
  const submit = useSubmit(async () => onDone(await call(api.POST('/v1/customers/{id}/reactivate', { params: { path: { id: customer.id } } }))));
  return (
    <ConfirmDialog
      open={open}
      title={`Reactivate ${customer.name}?`}
      confirmLabel="Reactivate customer"
      busy={submit.busy}
      error={submit.error?.message}
      onConfirm={() => void submit.run()}
      onCancel={() => {
        submit.clear();
        onClose();
      }}
    >
      <p>Its users can log in and send mail again (within their agreement).</p>
    </ConfirmDialog>
  );
}

function DeleteDialog({ open, customer, onClose }: { open: boolean; customer: CustomerDto; onClose: () => void }) {
  const notify = useNotify();
  const submit = useSubmit(async () => {
    await call(api.DELETE('/v1/customers/{id}', { params: { path: { id: customer.id } } }));
    notify(`Customer “${customer.name}” deleted.`);
    navigate('/customers', { replace: true });
  });
  return (
    <ConfirmDialog
      open={open}
      title={`Delete ${customer.name}?`}
      confirmLabel="Delete for good"
      danger
      busy={submit.busy}
      error={submit.error?.message}
      onConfirm={() => void submit.run()}
      onCancel={() => {
        submit.clear();
        onClose();
      }}
    >
      <p>This cannot be undone. A customer that still has domains cannot be deleted; suspend it instead.</p>
    </ConfirmDialog>
  );
}

function CustomerDomains({ customerId }: { customerId: string }) {
  const domains = useLoad(() => call(api.GET('/v1/domains', { params: { query: { customerId, limit: 10 } } })), customerId);
  const mayCreate = useMay('domains:write');
  return (
    <section className="panel" aria-labelledby="domains-title">
      <h2 id="domains-title">Domains</h2>
      {domains.error ? (
        <ErrorNotice error={domains.error} onRetry={domains.reload} />
      ) : !domains.data ? (
        <Loading />
      ) : domains.data.items.length === 0 ? (
        <EmptyState title="No domains yet." />
      ) : (
        <ul className="plain-list">
          {domains.data.items.map((d) => (
            <li key={d.id}>
              <Link to={`/domains/${d.id}`}>{d.unicodeName}</Link> <span className="muted small">{d.mailboxCount} mailboxes</span>
            </li>
          ))}
        </ul>
      )}
      <p className="inline-actions">
        {mayCreate && <Link to={withQuery('/domains/new', { customerId })}>Add a domain</Link>}
        <Link to={withQuery('/mailboxes', { customerId })}>Its mailboxes</Link>
      </p>
    </section>
  );
}

function CustomerApiKeys({ customer }: { customer: CustomerDto }) {
  const keys = useLoad(() => call(api.GET('/v1/api-keys', { params: { query: { customerId: customer.id, limit: 10 } } })), customer.id);
  return (
    <section className="panel" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys of this customer</h2>
      {keys.error ? (
        <ErrorNotice error={keys.error} onRetry={keys.reload} />
      ) : !keys.data ? (
        <Loading />
      ) : keys.data.items.length === 0 ? (
        <EmptyState title="No key is bound to this customer." />
      ) : (
        <ul className="plain-list">
          {keys.data.items.map((k) => (
            <li key={k.id}>
              {k.name} <code>{k.hint}</code> {k.revokedAt && <StatusBadge status="revoked" />}
            </li>
          ))}
        </ul>
      )}
      <p className="inline-actions">
        <Link to={withQuery('/api-keys', { customerId: customer.id, new: '1' })}>Create a key for this customer</Link>
        <Link to={withQuery('/api-keys', { customerId: customer.id })}>All its keys</Link>
      </p>
    </section>
  );
}

/** `version` (the customer's updatedAt) reloads the list after a change made on this page. */
function CustomerActivity({ customerId, version }: { customerId: string; version: string }) {
  const events = useLoad(() => call(api.GET('/v1/events', { params: { query: { customerId, order: 'desc', limit: 8 } } })), `${customerId}|${version}`);
  return (
    <section className="panel" aria-labelledby="activity-title">
      <h2 id="activity-title">Latest activity</h2>
      {events.error ? (
        <ErrorNotice error={events.error} onRetry={events.reload} />
      ) : !events.data ? (
        <Loading />
      ) : events.data.items.length === 0 ? (
        <EmptyState title="Nothing recorded yet." />
      ) : (
        <ul className="plain-list">
          {events.data.items.map((e) => (
            <li key={e.id}>
              <EventSummary event={e} /> <span className="muted small">{formatDateTime(e.createdAt)}</span>
            </li>
          ))}
        </ul>
      )}
      <Link to={withQuery('/audit-log', { customerId })}>Full history in the audit log</Link>
    </section>
  );
}
