import { type FormEvent, useEffect, useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useMay } from '../../app/caller';
import { Link, navigate, useLocation, withQuery } from '../../app/router';
import { Button } from '../../ui/Button';
import { type Column, DataTable } from '../../ui/DataTable';
import { EmptyState, PageHeader } from '../../ui/feedback';
import { TextField } from '../../ui/fields';
import { formatBytes } from '../../ui/format';
import { usePagedList } from '../../ui/hooks';
import { CustomerName } from '../names';

type DomainDto = Schemas['DomainDto'];

/** Domains, searchable by name; `?customerId=` narrows to one customer's. */
export function DomainsPage() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const customerId = query.get('customerId') ?? '';
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]);
  const mayCreate = useMay('domains:write');
  const list = usePagedList(
    (cursor) => call(api.GET('/v1/domains', { params: { query: { cursor, limit: 25, q: q || undefined, customerId: customerId || undefined } } })),
    `${q}|${customerId}`,
  );
  const search = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQuery('/domains', { q: draft.trim(), customerId }));
  };
  const columns: Column<DomainDto>[] = [
    { header: 'Domain', cell: (d) => <Link to={`/domains/${d.id}`}>{d.unicodeName}</Link> },
    { header: 'Customer', cell: (d) => <CustomerName id={d.customerId} /> },
    { header: 'Mailboxes', cell: (d) => `${d.mailboxCount}${d.maxMailboxes === null ? '' : ` of ${d.maxMailboxes}`}` },
    { header: 'Storage allocated', cell: (d) => `${formatBytes(d.allocatedQuotaBytes)}${d.storageBytes === null ? '' : ` of ${formatBytes(d.storageBytes)}`}` },
  ];
  return (
    <>
      <PageHeader
        title="Domains"
        subtitle={customerId ? <>Of <CustomerName id={customerId} /> · <Link to="/domains">all domains</Link></> : undefined}
        actions={
          mayCreate && (
            <Button variant="primary" onClick={() => navigate(withQuery('/domains/new', { customerId }))}>
              New domain
            </Button>
          )
        }
      />
      <form className="filters filters-inline" role="search" onSubmit={search} aria-label="Search domains">
        <TextField label="Search" name="q" type="search" placeholder="Part of the name" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <div className="filter-actions">
          <Button type="submit" variant="primary">
            Search
          </Button>
        </div>
      </form>
      <DataTable
        caption="Domains"
        columns={columns}
        list={list}
        empty={<EmptyState title={q ? 'No domain matches.' : 'No domains yet.'}>{mayCreate && !q && <p>Add one with “New domain”.</p>}</EmptyState>}
      />
    </>
  );
}
