import { type FormEvent, useEffect, useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { navigate, useLocation, withQuery } from '../../app/router';
import { Button } from '../../ui/Button';
import { type Column, DataTable } from '../../ui/DataTable';
import { EmptyState, PageHeader } from '../../ui/feedback';
import { SelectField, TextField } from '../../ui/fields';
import { formatDateTime, isInstant } from '../../ui/format';
import { usePagedList } from '../../ui/hooks';
import { describeChanges } from './changes';
import { ApiKeyName, CustomerName } from '../names';
import { EventSummary } from './EventSummary';

type EventDto = Schemas['EventDto'];

/** The filters live in the URL, so a filtered view can be bookmarked and shared with a colleague. */
const FILTERS = ['action', 'targetType', 'targetId', 'customerId', 'actorId', 'since', 'until', 'order'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

const TARGET_TYPES = ['customer', 'api_key', 'domain', 'mailbox', 'alias', 'agreement', 'agreement_version', 'webhook', 'queue_message'];

/** datetime-local gives local wall time without a zone; the API wants an instant. */
const toInstant = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditLogPage() {
  const { query } = useLocation();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Filters;
  const [draft, setDraft] = useState<Filters>(filters);
  const key = JSON.stringify(filters);
  // back/forward changes the URL: the form follows
  useEffect(() => setDraft(JSON.parse(key) as Filters), [key]);

  const list = usePagedList(
    (cursor) =>
      call(
        api.GET('/v1/events', {
          params: {
            query: {
              cursor,
              limit: 25,
              order: filters.order === 'asc' ? 'asc' : 'desc',
              action: filters.action || undefined,
              targetType: filters.targetType || undefined,
              targetId: filters.targetId || undefined,
              customerId: filters.customerId || undefined,
              actorId: filters.actorId || undefined,
              since: toInstant(filters.since),
              until: toInstant(filters.until),
            },
          },
        }),
      ),
    key,
  );

  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQuery('/audit-log', draft));
  };
  const set = (field: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));
  const fieldError = (field: keyof Filters) => list.error?.fieldErrors[field]?.join(' ');
  const filtered = FILTERS.some((f) => f !== 'order' && filters[f]);

  const columns: Column<EventDto>[] = [
    { header: 'When', cell: (e) => <time dateTime={e.createdAt}>{formatDateTime(e.createdAt, { seconds: true })}</time>, className: 'nowrap' },
    { header: 'What', cell: (e) => <EventSummary event={e} /> },
    { header: 'Who', cell: (e) => <Actor event={e} /> },
    { header: 'Customer', cell: (e) => (e.customerId ? <CustomerName id={e.customerId} /> : <span className="muted">—</span>) },
    { header: 'Changes', cell: (e) => <Changes event={e} /> },
  ];

  return (
    <>
      <PageHeader title="Audit log" subtitle="Every change, who made it and when; written in the same transaction as the change." />
      <form className="filters" onSubmit={apply} aria-label="Filter the audit log">
        <TextField label="Action" name="action" placeholder="customer. or customer.suspended" value={draft.action} onChange={set('action')} error={fieldError('action')} hint='A prefix ending in "." matches a family.' />
        <SelectField label="Target type" name="targetType" value={draft.targetType} onChange={set('targetType')}>
          <option value="">Any</option>
          {TARGET_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </SelectField>
        <TextField label="Target id" name="targetId" value={draft.targetId} onChange={set('targetId')} error={fieldError('targetId')} spellCheck={false} />
        <TextField label="Customer id" name="customerId" value={draft.customerId} onChange={set('customerId')} error={fieldError('customerId')} spellCheck={false} />
        <TextField label="Actor (API key id)" name="actorId" value={draft.actorId} onChange={set('actorId')} error={fieldError('actorId')} spellCheck={false} />
        <TextField label="From" name="since" type="datetime-local" value={draft.since} onChange={set('since')} error={fieldError('since')} />
        <TextField label="Until" name="until" type="datetime-local" value={draft.until} onChange={set('until')} error={fieldError('until')} />
        <SelectField label="Order" name="order" value={draft.order || 'desc'} onChange={set('order')}>
          <option value="desc">Newest first</option>
          <option value="asc">Oldest first</option>
        </SelectField>
        <div className="filter-actions">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          {filtered && (
            <Button
              onClick={() => {
                setDraft(Object.fromEntries(FILTERS.map((f) => [f, ''])) as Filters);
                navigate('/audit-log');
              }}
            >
              Clear
            </Button>
          )}
        </div>
      </form>
      <DataTable
        caption="Audit log entries"
        columns={columns}
        list={list}
        empty={<EmptyState title={filtered ? 'No entries match these filters.' : 'The audit log is empty.'} />}
      />
    </>
  );
}

function Actor({ event }: { event: EventDto }) {
  if (event.actorType === 'api_key' && event.actorId) return <ApiKeyName id={event.actorId} />;
  return <>{event.actorId ? `${event.actorType} ${event.actorId}` : event.actorType}</>;
}

const readable = (value: string) => (isInstant(value) ? formatDateTime(value, { seconds: true }) : value);

function Changes({ event }: { event: EventDto }) {
  const changes = describeChanges(event.before, event.after);
  if (changes.length === 0) return <span className="muted">—</span>;
  return (
    <details className="changes">
      <summary>
        {changes.length} field{changes.length === 1 ? '' : 's'}
      </summary>
      <ul>
        {changes.map((c) => (
          <li key={c.field}>
            <strong>{c.field}</strong>: {c.before !== undefined && <del>{readable(c.before)}</del>}
            {c.before !== undefined && c.after !== undefined && ' → '}
            {c.after !== undefined && <ins>{readable(c.after)}</ins>}
          </li>
        ))}
      </ul>
      {event.requestId && <p className="muted small">Request {event.requestId}</p>}
    </details>
  );
}
