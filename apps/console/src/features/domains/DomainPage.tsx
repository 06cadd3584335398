import { useState } from 'react';
import { api, call } from '../../api/client';
import { useCaller, useMay } from '../../app/caller';
import { Link, navigate, withQuery } from '../../app/router';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/Dialog';
import { DetailList, ErrorNotice, Loading, PageHeader } from '../../ui/feedback';
import { formatBytes, formatDateTime } from '../../ui/format';
import { useLoad, useSubmit } from '../../ui/hooks';
import { useNotify } from '../../ui/notices';
import { UsageBar } from '../../ui/UsageBar';
import { CustomerName } from '../names';
import { DnsRecords } from './DnsRecords';
import { DomainLimitsForm } from './DomainLimitsForm';

/** One domain: its limits (editable by ISP staff), the DNS records to publish, links to its mailboxes and aliases. */
export function DomainPage({ id }: { id: string }) {
  const domain = useLoad(() => call(api.GET('/v1/domains/{id}', { params: { path: { id } } })), id);
  const caller = useCaller();
  const mayWrite = useMay('domains:write');
  const mayEditLimits = mayWrite && !caller.customerId;
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const notify = useNotify();
  const remove = useSubmit(async () => {
    await call(api.DELETE('/v1/domains/{id}', { params: { path: { id }, query: {} } }));
    notify('Domain deleted.');
    navigate('/domains', { replace: true });
  });

  if (domain.error) return <ErrorNotice error={domain.error} onRetry={domain.reload} />;
  if (!domain.data) return <Loading />;
  const d = domain.data;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/domains">Domains</Link>
      </p>
      <PageHeader
        title={d.unicodeName}
        subtitle={
          <>
            Domain of <CustomerName id={d.customerId} />
            {d.unicodeName !== d.name && <> · stored as <code>{d.name}</code></>}
          </>
        }
        actions={
          mayWrite && (
            <>
              <Button variant="primary" onClick={() => navigate(withQuery('/mailboxes/new', { domainId: d.id }))}>
                New mailbox
              </Button>
              <Button variant="link" className="danger-link" onClick={() => setDeleting(true)}>
                Delete
              </Button>
            </>
          )
        }
      />
      <div className="grid-2">
        <section className="panel" aria-labelledby="limits-title">
          <h2 id="limits-title">Limits</h2>
          {editing ? (
            <DomainLimitsForm
              initial={{ maxMailboxes: d.maxMailboxes, storageBytes: d.storageBytes, defaultQuotaBytes: d.defaultQuotaBytes }}
              onCancel={() => setEditing(false)}
              onSubmit={async (body) => {
                domain.replace(await call(api.PATCH('/v1/domains/{id}', { params: { path: { id } }, body })));
                setEditing(false);
                notify('Limits saved.');
              }}
            />
          ) : (
            <>
              <DetailList
                items={[
                  ['Mailboxes', `${d.mailboxCount} of ${d.maxMailboxes ?? 'no limit'}`],
                  ['Storage allocated', <UsageBar used={d.allocatedQuotaBytes} limit={d.storageBytes} label="Storage allocated to mailboxes" />],
                  ['Quota of a new mailbox', formatBytes(d.defaultQuotaBytes)],
                  ['DKIM selector', <code>{d.dkimSelector}</code>],
                  ['Created', formatDateTime(d.createdAt)],
                ]}
              />
              {mayEditLimits && <Button onClick={() => setEditing(true)}>Change limits</Button>}
            </>
          )}
        </section>
        <section className="panel" aria-labelledby="contents-title">
          <h2 id="contents-title">Addresses</h2>
          <ul className="plain-list">
            <li>
              <Link to={withQuery('/mailboxes', { domainId: d.id })}>Mailboxes of {d.unicodeName}</Link> ({d.mailboxCount})
            </li>
            <li>
              <Link to={withQuery('/aliases', { domainId: d.id })}>Aliases of {d.unicodeName}</Link>
            </li>
          </ul>
        </section>
      </div>
      <section className="panel" aria-labelledby="dns-title">
        <h2 id="dns-title">DNS records to publish</h2>
        <p className="muted">The customer (or whoever runs the domain's DNS) publishes these so mail arrives here and our signatures are trusted.</p>
        <DnsRecords domainId={d.id} />
      </section>
      <ConfirmDialog
        open={deleting}
        title={`Delete ${d.unicodeName}?`}
        confirmLabel="Delete domain"
        danger
        busy={remove.busy}
        error={remove.error?.message}
        onConfirm={() => void remove.run()}
        onCancel={() => {
          remove.clear();
          setDeleting(false);
        }}
      >
        <p>Mail for this domain will be refused. A domain that still has mailboxes cannot be deleted here; remove them first.</p>
      </ConfirmDialog>
    </>
  );
}
