import { type FormEvent, useEffect, useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useMay } from '../../app/caller';
import { Link, navigate, useLocation, withQuery } from '../../app/router';
import { Button } from '../../ui/Button';
import { type Column, DataTable } from '../../ui/DataTable';
import { EmptyState, PageHeader, StatusBadge } from '../../ui/feedback';
import { SelectField, TextField } from '../../ui/fields';
import { usePagedList } from '../../ui/hooks';
import { UsageBar } from '../../ui/UsageBar';

type MailboxDto = Schemas['MailboxDto'];

/** Mailboxes, searchable by address; `?domainId=` or `?customerId=` narrows the list. */
export function MailboxesPage() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const domainId = query.get('domainId') ?? '';
  const customerId = query.get('customerId') ?? '';
  const status = (query.get('status') ?? '') as MailboxDto['status'] | '';
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]);
  const mayCreate = useMay('mailboxes:write');
  const filters = { q, domainId, customerId, status };
  const list = usePagedList(
    (cursor) =>
      call(
        api.GET('/v1/mailboxes', {
          params: { query: { cursor, limit: 25, q: q || undefined, domainId: domainId || undefined, customerId: customerId || undefined, status: status || undefined } },
        }),
      ),
    JSON.stringify(filters),
  );
  const search = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQuery('/mailboxes', { ...filters, q: draft.trim() }));
  };
  const columns: Column<MailboxDto>[] = [
    { header: 'Address', cell: (m) => <Link to={`/mailboxes/${m.id}`}>{m.address}</Link> },
    { header: 'Name', cell: (m) => m.displayName ?? <span className="muted">—</span> },
    { header: 'Storage', cell: (m) => <UsageBar used={m.usedBytes} limit={m.quotaBytes} label={`Storage of ${m.address}`} /> },
    { header: 'Messages', cell: (m) => m.messageCount.toLocaleString() },
    { header: 'Status', cell: (m) => <StatusBadge status={m.status} /> },
  ];
  return (
    <>
      <PageHeader
        title="Mailboxes"
        subtitle={domainId || customerId ? <Link to="/mailboxes">Show all mailboxes</Link> : undefined}
        actions={
          mayCreate && (
            <Button variant="primary" onClick={() => navigate(withQuery('/mailboxes/new', { domainId }))}>
              New mailbox
            </Button>
          )
        }
      />
      <form className="filters filters-inline" role="search" onSubmit={search} aria-label="Search mailboxes">
        <TextField label="Search" name="q" type="search" placeholder="Part of the address" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <SelectField label="Status" name="status" value={status} onChange={(e) => navigate(withQuery('/mailboxes', { ...filters, status: e.target.value }))}>
          <option value="">All</option>
          <option value="active">Active</option>
          <option value="disabled">Disabled</option>
        </SelectField>
        <div className="filter-actions">
          <Button type="submit" variant="primary">
            Search
          </Button>
        </div>
      </form>
      <DataTable caption="Mailboxes" columns={columns} list={list} empty={<EmptyState title={q || status ? 'No mailbox matches.' : 'No mailboxes yet.'} />} />
    </>
  );
}
