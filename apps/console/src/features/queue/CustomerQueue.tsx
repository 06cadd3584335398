import { api, call } from '../../api/client';
import { Link, withQuery } from '../../app/router';
import { DetailList, ErrorNotice, Loading } from '../../ui/feedback';
import { formatDateTime, plural } from '../../ui/format';
import { useLoad } from '../../ui/hooks';

/** On the customer page: its recipients in the outbound queue now and in the last 24 hours (GET /v1/queue/stats?customerId=). */
export function CustomerQueue({ customerId }: { customerId: string }) {
  const stats = useLoad(() => call(api.GET('/v1/queue/stats', { params: { query: { customerId } } })), customerId);
  const s = stats.data;
  return (
    <section className="panel" aria-labelledby="queue-title">
      <h2 id="queue-title">Outbound queue</h2>
      {stats.error ? (
        <ErrorNotice error={stats.error} onRetry={stats.reload} />
      ) : !s ? (
        <Loading />
      ) : (
        <DetailList
          items={[
            ['Waiting now', `${plural(s.queued + s.deferred + s.held, 'recipient')} (${s.deferred} deferred, ${s.held} held)`],
            ['Oldest waiting since', formatDateTime(s.oldestWaitingSince)],
            ['Last 24 hours', `${s.sent} sent · ${s.bounced} bounced · ${s.cancelled} cancelled`],
          ]}
        />
      )}
      <p>
        <Link to={withQuery('/queue', { customerId })}>Its queued mail</Link>
      </p>
    </section>
  );
}
