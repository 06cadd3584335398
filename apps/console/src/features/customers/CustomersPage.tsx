import { type FormEvent, useEffect, useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useCaller, useMay } from '../../app/caller';
import { Link, navigate, useLocation, withQuery } from '../../app/router';
import { Button } from '../../ui/Button';
import { type Column, DataTable } from '../../ui/DataTable';
import { EmptyState, PageHeader, StatusBadge } from '../../ui/feedback';
import { SelectField, TextField } from '../../ui/fields';
import { formatDateTime } from '../../ui/format';
import { usePagedList } from '../../ui/hooks';

type CustomerDto = Schemas['CustomerDto'];
type Status = CustomerDto['status'];

export function CustomersPage() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const status = (query.get('status') ?? '') as Status | '';
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]);
  const caller = useCaller();
  const mayCreate = useMay('customers:write') && !caller.customerId;

  const list = usePagedList(
    (cursor) => call(api.GET('/v1/customers', { params: { query: { cursor, limit: 25, q: q || undefined, status: status || undefined } } })),
    `${q}|${status}`,
  );

  const search = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQuery('/customers', { q: draft.trim(), status }));
  };

  const columns: Column<CustomerDto>[] = [
    { header: 'Name', cell: (c) => <Link to={`/customers/${c.id}`}>{c.name}</Link> },
    { header: 'Billing id', cell: (c) => c.externalRef ?? <span className="muted">—</span> },
    { header: 'Contact', cell: (c) => c.contactEmail },
    { header: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
    { header: 'Since', cell: (c) => formatDateTime(c.createdAt), className: 'nowrap' },
  ];

  return (
    <>
      <PageHeader
        title="Customers"
        actions={
          mayCreate && (
            <Button variant="primary" onClick={() => navigate('/customers/new')}>
              New customer
            </Button>
          )
        }
      />
      <form className="filters filters-inline" role="search" onSubmit={search} aria-label="Search customers">
        <TextField label="Search" name="q" type="search" placeholder="Name or billing id" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <SelectField label="Status" name="status" value={status} onChange={(e) => navigate(withQuery('/customers', { q, status: e.target.value }))}>
          <option value="">All</option>
          <option value="active">Active</option>
          <option value="suspended">Suspended</option>
        </SelectField>
        <div className="filter-actions">
          <Button type="submit" variant="primary">
            Search
          </Button>
        </div>
      </form>
      <DataTable
        caption="Customers"
        columns={columns}
        list={list}
        empty={
          q || status ? (
            <EmptyState title="No customer matches.">
              <p>
                Search looks in names and billing ids. <Link to="/customers">Show all customers</Link>
              </p>
            </EmptyState>
          ) : (
            <EmptyState title="No customers yet.">{mayCreate && <p>Create the first one with “New customer”.</p>}</EmptyState>
          )
        }
      />
    </>
  );
}
