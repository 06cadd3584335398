import { api, call, type Schemas } from '../../api/client';
import { useCaller, useMay } from '../../app/caller';
import { Link, withQuery } from '../../app/router';
import { EmptyState, ErrorNotice, Loading, PageHeader, StatusBadge } from '../../ui/feedback';
import { formatDateTime } from '../../ui/format';
import { useLoad } from '../../ui/hooks';
import { EventSummary } from '../audit-log/EventSummary';
import { CustomerName } from '../names';

/** Counts by status (GET /v1/stats), customers that need attention, and the latest changes. */
export function DashboardPage() {
  const caller = useCaller();
  const stats = useLoad(() => call(api.GET('/v1/stats')), 'stats');
  const mayEvents = useMay('events:read');
  const mayCustomers = useMay('customers:read');
  const mayAgreements = useMay('agreements:read');
  return (
    <>
      <PageHeader title="Dashboard" subtitle={<>Signed in with the key “{caller.keyName ?? 'unnamed'}”</>} />
      {stats.error ? <ErrorNotice error={stats.error} onRetry={stats.reload} /> : stats.data ? <StatCards stats={stats.data} /> : <Loading />}
      <div className="grid-2">
        {mayAgreements && <SuspendedRelays />}
        {mayCustomers && <SuspendedCustomers />}
        {mayEvents && <LatestActivity />}
      </div>
    </>
  );
}

function StatCards({ stats }: { stats: Schemas['StatsDto'] }) {
  const cards: { label: string; value: number; detail?: string; to?: string }[] = [];
  if (stats.customers) {
    cards.push({ label: 'Customers', value: stats.customers.total, detail: `${stats.customers.active} active · ${stats.customers.suspended} suspended`, to: '/customers' });
  }
  if (stats.domains) cards.push({ label: 'Domains', value: stats.domains.total, to: '/domains' });
  if (stats.mailboxes) {
    cards.push({ label: 'Mailboxes', value: stats.mailboxes.total, detail: `${stats.mailboxes.active} active · ${stats.mailboxes.disabled} disabled`, to: '/mailboxes' });
  }
  if (stats.aliases) cards.push({ label: 'Aliases', value: stats.aliases.total, to: '/aliases' });
  if (stats.agreements) {
    const a = stats.agreements;
    cards.push({ label: 'Active agreements', value: a.active, detail: `${a.revoked} revoked · ${a.superseded} superseded`, to: '/agreements?status=active' });
    cards.push({ label: 'Suspended relays', value: a.suspended + (stats.relayBlockedMailboxes?.total ?? 0), detail: `${a.suspended} agreements · ${stats.relayBlockedMailboxes?.total ?? 0} blocked mailboxes`, to: '/agreements?status=suspended' });
  }
  if (stats.queue) {
    const q = stats.queue;
    cards.push({ label: 'Outbound queue', value: q.queued + q.deferred + q.held, detail: `${q.deferred} deferred · ${q.held} held`, to: '/queue' });
    cards.push({ label: 'Sent, last 24 h', value: q.sent, detail: `${q.bounced} bounced · ${q.cancelled} cancelled` });
  }
  if (stats.apiKeys) cards.push({ label: 'API keys', value: stats.apiKeys.active, detail: `${stats.apiKeys.revoked} revoked`, to: '/api-keys' });
  return (
    <ul className="stat-cards" aria-label="Counts">
      {cards.map((c) => (
        <li key={c.label} className="stat-card">
          <span className="stat-label">{c.to ? <Link to={c.to}>{c.label}</Link> : c.label}</span>
          <span className="stat-value">{c.value.toLocaleString()}</span>
          {c.detail && <span className="stat-detail">{c.detail}</span>}
        </li>
      ))}
    </ul>
  );
}

/** Agreements whose relaying is suspended (by staff or an automatic rule): the customers who cannot send out now. */
function SuspendedRelays() {
  const list = useLoad(() => call(api.GET('/v1/agreements', { params: { query: { status: 'suspended', limit: 5 } } })), 'suspended-agreements');
  return (
    <section className="panel" aria-labelledby="relays-title">
      <h2 id="relays-title">Suspended relays</h2>
      {list.error ? (
        <ErrorNotice error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.items.length === 0 ? (
        <EmptyState title="No agreement is suspended." />
      ) : (
        <ul className="plain-list">
          {list.data.items.map((a) => (
            <li key={a.id}>
              <CustomerName id={a.customerId} link={false} /> <StatusBadge status={a.status} /> <Link to={`/agreements/${a.id}`}>details</Link>
              <span className="muted small"> {a.statusReason}</span>
            </li>
          ))}
        </ul>
      )}
      {list.data?.nextCursor && <Link to={withQuery('/agreements', { status: 'suspended' })}>All suspended agreements</Link>}
    </section>
  );
}

function SuspendedCustomers() {
  const list = useLoad(() => call(api.GET('/v1/customers', { params: { query: { status: 'suspended', limit: 5 } } })), 'suspended');
  return (
    <section className="panel" aria-labelledby="suspended-title">
      <h2 id="suspended-title">Suspended customers</h2>
      {list.error ? (
        <ErrorNotice error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.items.length === 0 ? (
        <EmptyState title="No customer is suspended." />
      ) : (
        <ul className="plain-list">
          {list.data.items.map((c) => (
            <li key={c.id}>
              <Link to={`/customers/${c.id}`}>{c.name}</Link> <StatusBadge status={c.status} />
              <span className="muted small"> {c.suspendedReason}</span>
            </li>
          ))}
        </ul>
      )}
      {list.data?.nextCursor && <Link to={withQuery('/customers', { status: 'suspended' })}>All suspended customers</Link>}
    </section>
  );
}

function LatestActivity() {
  const events = useLoad(() => call(api.GET('/v1/events', { params: { query: { order: 'desc', limit: 8 } } })), 'latest');
  return (
    <section className="panel" aria-labelledby="activity-title">
      <h2 id="activity-title">Latest activity</h2>
      {events.error ? (
        <ErrorNotice error={events.error} onRetry={events.reload} />
      ) : !events.data ? (
        <Loading />
      ) : events.data.items.length === 0 ? (
        <EmptyState title="Nothing has happened yet." />
      ) : (
        <ul className="plain-list">
          {events.data.items.map((e) => (
            <li key={e.id}>
              <EventSummary event={e} /> <span className="muted small">{formatDateTime(e.createdAt)}</span>
            </li>
          ))}
        </ul>
      )}
      <Link to="/audit-log">Open the audit log</Link>
    </section>
  );
}
