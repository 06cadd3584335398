import { type FormEvent, useEffect, useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema';
import { useCaller, useMay } from '../../app/caller';
import { Link, navigate, useLocation, withQuery } from '../../app/router';
import { Button } from '../../ui/Button';
import { type Column, DataTable } from '../../ui/DataTable';
import { EmptyState, PageHeader, StatusBadge } from '../../ui/feedback';
import { SelectField, TextField } from '../../ui/fields';
import { formatDateTime } from '../../ui/format';
import { usePagedList } from '../../ui/hooks';
import { CustomerPicker } from '../customers/CustomerPicker';
import { CustomerName } from '../names';
import { nextTryText, senderText } from './queue-format';

type Summary = Schemas['QueueMessageSummaryDto'];
type StatusFilter = NonNullable<paths['/v1/queue/messages']['get']['parameters']['query']>['status'];

const RECIPIENT_STATUSES = ['queued', 'deferred', 'held', 'delivered', 'failed', 'cancelled'] as const;
const STATUS_OPTIONS: [string, string][] = [
  ['unfinished', 'Waiting (queued, deferred or held)'],
  ['queued', 'Queued'],
  ['deferred', 'Deferred (will retry)'],
  ['held', 'Held'],
  ['delivered', 'Delivered'],
  ['failed', 'Failed (bounced)'],
  ['cancelled', 'Cancelled'],
  ['any', 'Any'],
];

/** The filters live in the URL, so a filtered view can be bookmarked and linked to (a customer's page links here). */
const FILTERS = ['status', 'domain', 'customerId', 'order'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** Mail waiting to leave (GET /v1/queue/messages): oldest first by default, what has waited longest. */
export function QueuePage() {
  const { query } = useLocation();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Filters;
  const key = JSON.stringify(filters);
  const [draft, setDraft] = useState<Filters>(filters);
  useEffect(() => setDraft(JSON.parse(key) as Filters), [key]);
  const caller = useCaller();
  const mayPickCustomer = useMay('customers:read') && !caller.customerId;
  const list = usePagedList(
    (cursor) =>
      call(
        api.GET('/v1/queue/messages', {
          params: {
            query: {
              cursor,
              limit: 25,
              status: (filters.status || undefined) as StatusFilter,
              domain: filters.domain || undefined,
              customerId: filters.customerId || undefined,
              order: filters.order === 'desc' ? 'desc' : undefined,
            },
          },
        }),
      ),
    key,
  );
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQuery('/queue', { ...draft, domain: draft.domain.trim() }));
  };
  const set = (field: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));
  const filtered = FILTERS.some((f) => f !== 'order' && filters[f]);
  const columns: Column<Summary>[] = [
    { header: 'Queued at', cell: (m) => formatDateTime(m.createdAt), className: 'nowrap' },
    { header: 'Sender', cell: (m) => <span className="break">{senderText(m.envelopeFrom)}</span> },
    { header: 'Subject', cell: (m) => <Link to={`/queue/${m.id}`}>{m.subject || '(no subject)'}</Link> },
    { header: 'Recipients', cell: (m) => <RecipientCounts message={m} /> },
    { header: 'Next attempt', cell: (m) => nextTryText(m.nextAttemptAt), className: 'nowrap' },
    { header: 'Customer', cell: (m) => (m.customerId ? <CustomerName id={m.customerId} /> : <span className="muted">none (forward)</span>) },
  ];
  return (
    <>
      <PageHeader
        title="Outbound queue"
        subtitle={filters.customerId ? <>Mail of <CustomerName id={filters.customerId} /> · <Link to="/queue">all mail</Link></> : 'Mail for other servers: waiting, retried, held, and what became of it.'}
      />
      <form className="filters" onSubmit={apply} aria-label="Filter the queue">
        <SelectField label="Status" name="status" value={draft.status || 'unfinished'} onChange={set('status')}>
          {STATUS_OPTIONS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </SelectField>
        <TextField label="Recipient domain" name="domain" placeholder="gmail.com" value={draft.domain} onChange={set('domain')} error={list.error?.fieldErrors.domain?.join(' ')} spellCheck={false} />
        {mayPickCustomer && <CustomerPicker label="Customer" optional value={draft.customerId} onChange={(customerId) => setDraft((d) => ({ ...d, customerId }))} />}
        <SelectField label="Order" name="order" value={draft.order || 'asc'} onChange={set('order')}>
          <option value="asc">Oldest first</option>
          <option value="desc">Newest first</option>
        </SelectField>
        <div className="filter-actions">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          {filtered && <Button onClick={() => navigate('/queue')}>Clear</Button>}
        </div>
      </form>
      <DataTable caption="Queued messages" columns={columns} list={list} empty={<EmptyState title={filtered ? 'No message matches these filters.' : 'Nothing is waiting to be sent.'} />} />
    </>
  );
}

/** "2 queued, 1 delivered" as badges, with the recipients' domains. */
function RecipientCounts({ message }: { message: Summary }) {
  const counts = message.recipientCounts;
  return (
    <>
      <span className="badges">
        {RECIPIENT_STATUSES.filter((s) => counts[s] > 0).map((s) => (
          <StatusBadge key={s} status={s} label={`${counts[s]} ${s}`} />
        ))}
      </span>
      <div className="muted small break">{message.domains.join(', ')}</div>
    </>
  );
}
