import { EntityManager } from 'typeorm';
import { QueueCountsDto, QueueCustomerCountsDto } from './queue.dto';

export interface QueueCountsResult {
  since: Date;
  total: QueueCountsDto;
  /** Top customers, when asked for (topCustomers > 0 and no customerId). */
  customers: QueueCustomerCountsDto[];
}

/**
 * Outbound recipients counted per state: waiting ones (queued, deferred,
 * held) as they are now, finished ones (sent, bounced, cancelled) over the
 * last 24 hours. Only rows that are waiting or finished within the window are
 * read: the status index finds the first, the finished_at index the second
 * (a BitmapOr), so the cost follows the queue's size, not its history.
 *
 * GROUPING SETS gives the total and the per-customer rows in one pass; the
 * total row exists even when nothing matches.
 */
export async function countQueue(m: EntityManager, opts: { customerId: string | null; topCustomers?: number }): Promise<QueueCountsResult> {
  const perCustomer = !opts.customerId && (opts.topCustomers ?? 0) > 0;
  const params: unknown[] = [];
  const customerFilter = opts.customerId ? `AND om.customer_id = $${params.push(opts.customerId)}` : '';
  const limit = perCustomer ? `$${params.push(opts.topCustomers)}` : '0';
  const rows: CountRow[] = await m.query(
    `WITH window_start AS (SELECT now() - interval '24 hours' AS since),
     g AS (
       SELECT GROUPING(om.customer_id) AS is_total, om.customer_id,
              count(*) FILTER (WHERE r.status = 'queued')::int AS queued,
              count(*) FILTER (WHERE r.status = 'deferred')::int AS deferred,
              count(*) FILTER (WHERE r.status = 'held')::int AS held,
              count(*) FILTER (WHERE r.status = 'delivered')::int AS sent,
              count(*) FILTER (WHERE r.status = 'failed')::int AS bounced,
              count(*) FILTER (WHERE r.status = 'cancelled')::int AS cancelled,
              min(om.created_at) FILTER (WHERE r.status IN ('queued', 'deferred', 'held')) AS oldest_waiting_since
         FROM outbound_recipients r
         JOIN outbound_messages om ON om.id = r.outbound_message_id
        CROSS JOIN window_start w
        WHERE (r.status IN ('queued', 'deferred', 'held') OR (r.status IN ('delivered', 'failed', 'cancelled') AND r.finished_at >= w.since))
          ${customerFilter}
        GROUP BY GROUPING SETS ((), (om.customer_id))
     )
     SELECT w.since, g.*, c.name AS customer_name
       FROM window_start w
       LEFT JOIN (
         (SELECT * FROM g WHERE is_total = 1)
         UNION ALL
         (SELECT * FROM g WHERE is_total = 0
           ORDER BY queued + deferred + held DESC, bounced DESC, sent DESC, customer_id NULLS LAST
           LIMIT ${limit})
       ) g ON true
       LEFT JOIN customers c ON c.id = g.customer_id AND g.is_total = 0
      ORDER BY g.is_total DESC, g.queued + g.deferred + g.held DESC, g.bounced DESC, g.sent DESC, g.customer_id NULLS LAST`,
    params,
  );
  const since = new Date(rows[0].since);
  const totalRow = rows.find((r) => r.is_total === 1);
  return {
    since,
    total: totalRow ? counts(totalRow) : { queued: 0, deferred: 0, held: 0, sent: 0, bounced: 0, cancelled: 0, oldestWaitingSince: null },
    customers: rows
      .filter((r) => r.is_total === 0)
      .map((r) => ({ customerId: r.customer_id, customerName: r.customer_name, ...counts(r) })),
  };
}

interface CountRow {
  since: Date;
  is_total: number | null;
  customer_id: string | null;
  customer_name: string | null;
  queued: number;
  deferred: number;
  held: number;
  sent: number;
  bounced: number;
  cancelled: number;
  oldest_waiting_since: Date | null;
}

function counts(r: CountRow): QueueCountsDto {
  return {
    queued: r.queued,
    deferred: r.deferred,
    held: r.held,
    sent: r.sent,
    bounced: r.bounced,
    cancelled: r.cancelled,
    oldestWaitingSince: r.oldest_waiting_since,
  };
}
