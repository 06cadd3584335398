import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { normaliseDomain } from '../../../../libs/core/src/addresses';
import { Customer, OutboundAttempt, OutboundMessage, OutboundRecipient, OutboundRecipientStatus } from '../../../../libs/core/src/entities';
import { conflict, forbidden, notFound, unprocessable } from '../../../../libs/core/src/errors';
import { recordEvent } from '../../../../libs/core/src/events';
import { RelayHoldReason, relayHoldReason } from '../../../../libs/core/src/delivery/hold';
import { actorOf, requireVisible, scopeToCaller } from '../common/access';
import { Caller } from '../common/caller';
import { Page, paginate } from '../common/pagination';
import { countQueue } from './queue-counts';
import {
  QueueActionDto,
  QueueAttemptDto,
  QueueListQuery,
  QueueMessageDto,
  QueueMessageSummaryDto,
  QueueRecipientDto,
  QueueStatsDto,
  QueueStatsQuery,
  QueueStatusFilter,
  RECIPIENT_STATUSES,
  UNFINISHED_STATUSES,
} from './queue.dto';

export type QueueAction = 'retry' | 'hold' | 'release' | 'cancel';

/** Which recipients each action applies to, and the audit event it writes. */
const ACTIONS: Record<QueueAction, { from: OutboundRecipientStatus[]; event: string }> = {
  retry: { from: ['queued', 'deferred'], event: 'queue.retried' },
  hold: { from: ['queued', 'deferred'], event: 'queue.held' },
  release: { from: ['held'], event: 'queue.released' },
  cancel: { from: ['queued', 'deferred', 'held'], event: 'queue.cancelled' },
};

/** The delivery worker LISTENs here: mail that became due now is sent without waiting for its poll. */
const WAKE_WORKER = `SELECT pg_notify('postbode_outbound', '')`;

const TOP_CUSTOMERS = 20;

interface RecipientRow {
  id: string;
  recipient: string;
  status: OutboundRecipientStatus;
  held_reason: string | null;
  next_attempt_at: Date;
}

interface RecipientState {
  id: string;
  recipient: string;
  status: OutboundRecipientStatus;
  heldReason: string | null;
  nextAttemptAt: Date;
}

const isFinished = (status: OutboundRecipientStatus) => !UNFINISHED_STATUSES.includes(status);

/**
 * The outbound queue as staff (and customers, for their own mail) see it:
 * list, inspect, and retry / hold / release / cancel recipients.
 *
 * The delivery worker sends a recipient inside a transaction that holds the
 * recipient's row lock (FOR UPDATE SKIP LOCKED) until the remote has answered.
 * Actions here never wait for that: they lock with SKIP LOCKED and answer
 * 409 `recipient_in_flight` for a row they could not get, so an API request
 * never hangs behind a slow remote server and never changes a row the worker
 * is about to write its outcome to.
 */
@Injectable()
export class QueueService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(caller: Caller, q: QueueListQuery): Promise<Page<QueueMessageSummaryDto>> {
    const qb = scopeToCaller(this.db.getRepository(OutboundMessage).createQueryBuilder('om'), caller);
    if (q.customerId) qb.andWhere('om.customerId = :customerId', { customerId: q.customerId });
    if (q.mailboxId) qb.andWhere('om.mailboxId = :mailboxId', { mailboxId: q.mailboxId });
    if (q.createdAfter) qb.andWhere('om.createdAt >= :createdAfter', { createdAfter: q.createdAfter });
    if (q.createdBefore) qb.andWhere('om.createdAt < :createdBefore', { createdBefore: q.createdBefore });
    const statuses = statusesOf(q.status ?? 'unfinished');
    const domain = q.domain ? normaliseDomain(q.domain) : null;
    if (statuses || domain) {
      // one recipient must match both: "deferred for gmail.com" means a gmail.com recipient that is deferred
      const conditions = ['r.outbound_message_id = om.id'];
      if (statuses) conditions.push('r.status IN (:...statuses)');
      if (domain) conditions.push('r.domain = :domain');
      qb.andWhere(`EXISTS (SELECT 1 FROM outbound_recipients r WHERE ${conditions.join(' AND ')})`, { statuses, domain });
    }
    const page = await paginate(qb, q, q.order ?? 'asc');
    return { items: await this.summaries(this.db.manager, page.items), nextCursor: page.nextCursor };
  }

  async get(caller: Caller, id: string): Promise<QueueMessageDto> {
    const m = this.db.manager;
    return this.view(m, await this.load(m, caller, id));
  }

  /**
   * Applies one action to the message's recipients in one transaction with
   * its audit event. With `recipientIds`, every one named must be a recipient
   * of this message in a state the action applies to; without, the action
   * applies to every recipient it can (a partly delivered message can still be
   * cancelled) and is refused only when there is none.
   */
  async act(caller: Caller, id: string, action: QueueAction, dto: QueueActionDto): Promise<QueueMessageDto> {
    const rule = ACTIONS[action];
    const explicit = dto.recipientIds ? [...new Set(dto.recipientIds.map((x) => x.toLowerCase()))] : null;
    return this.db.transaction(async (m) => {
      const message = await this.load(m, caller, id);
      // A first look without locks. Finished is final (nothing moves a row
      // out of delivered, failed or cancelled), so what is finished here
      // stays finished and need not be locked.
      const all: RecipientRow[] = await m.query(
        'SELECT id, recipient, status, held_reason, next_attempt_at FROM outbound_recipients WHERE outbound_message_id = $1 ORDER BY id',
        [message.id],
      );
      let candidates: RecipientRow[];
      if (explicit) {
        const known = new Map(all.map((r) => [r.id, r]));
        const unknown = explicit.filter((x) => !known.has(x));
        if (unknown.length) {
          throw unprocessable('recipient_not_in_message', `Not recipients of queued message ${message.id}: ${unknown.join(', ')}`, {
            field: 'recipientIds',
            recipientIds: unknown,
          });
        }
        candidates = all.filter((r) => explicit.includes(r.id));
        const finished = candidates.filter((r) => isFinished(r.status));
        if (finished.length) throw refusal('recipient_finished', finished, true);
      } else {
        candidates = all.filter((r) => !isFinished(r.status));
        if (!candidates.length) {
          throw conflict('queue_message_finished', 'Every recipient of this message is already delivered, failed or cancelled', { recipients: states(all) });
        }
      }

      const locked: RecipientRow[] = await m.query(
        `SELECT id, recipient, status, held_reason, next_attempt_at FROM outbound_recipients
          WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE SKIP LOCKED`,
        [candidates.map((r) => r.id)],
      );
      const lockedIds = new Set(locked.map((r) => r.id));
      const inFlight = candidates.filter((r) => !lockedIds.has(r.id));
      if (inFlight.length) {
        throw conflict(
          'recipient_in_flight',
          `${inFlight.map((r) => r.recipient).join(', ')} ${inFlight.length === 1 ? 'is' : 'are'} being delivered (or changed) right now; try again in a moment`,
          recipientsDetail(inFlight, !!explicit),
        );
      }

      // The locked rows are current: the worker may have finished some since the first look.
      const targets = locked.filter((r) => rule.from.includes(r.status));
      const notApplicable = locked.filter((r) => !rule.from.includes(r.status));
      if (explicit && notApplicable.length) throw refusalFor(action, notApplicable, true);
      if (!targets.length) throw refusalFor(action, notApplicable, false);

      // the ISP's holds are the ISP's to lift: a customer's own key may not send what staff stopped
      const staffHeld = targets.filter((r) => r.held_reason === 'staff');
      if (action === 'release' && caller.customerId && staffHeld.length) {
        throw forbidden(
          'held_by_staff',
          `Held by your provider, so only your provider can release it: ${staffHeld.map((r) => r.recipient).join(', ')}`,
          recipientsDetail(staffHeld, !!explicit),
        );
      }
      if (action === 'release' && message.customerId && targets.some((r) => r.held_reason === 'relay_suspended')) {
        await assertRelayRestored(m, message.customerId, targets.filter((r) => r.held_reason === 'relay_suspended'));
      }

      const ids = targets.map((r) => r.id);
      switch (action) {
        case 'retry':
          await m.query('UPDATE outbound_recipients SET next_attempt_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])', [ids]);
          break;
        case 'hold':
          await m.query(`UPDATE outbound_recipients SET status = 'held', held_reason = $2, updated_at = now() WHERE id = ANY($1::uuid[])`, [
            ids,
            caller.customerId ? 'customer' : 'staff',
          ]);
          break;
        case 'release':
          await m.query(
            `UPDATE outbound_recipients SET status = 'queued', held_reason = NULL, next_attempt_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])`,
            [ids],
          );
          break;
        case 'cancel':
          // bounced_at stays NULL: the bounce pass sends the sender its failure notice
          await m.query(
            `UPDATE outbound_recipients
                SET status = 'cancelled', held_reason = NULL, finished_at = now(), last_status = '5.0.0', last_reply = $2, updated_at = now()
              WHERE id = ANY($1::uuid[])`,
            [ids, `Delivery cancelled by ${caller.customerId ? "the sender's administrator" : 'the postmaster'}`],
          );
          break;
      }
      if (action === 'retry' || action === 'release') await m.query(WAKE_WORKER);

      const view = await this.view(m, message);
      const changed = new Set(ids);
      await recordEvent(m, actorOf(caller), {
        action: rule.event,
        targetType: 'queue_message',
        targetId: message.id,
        customerId: message.customerId,
        before: { recipients: states(targets) },
        after: {
          recipients: view.recipients
            .filter((r) => changed.has(r.id))
            .map((r) => ({ id: r.id, recipient: r.recipient, status: r.status, heldReason: r.heldReason, nextAttemptAt: r.nextAttemptAt })),
          reason: dto.reason?.trim() || null,
        },
      });
      return view;
    });
  }

  async stats(caller: Caller, q: QueueStatsQuery): Promise<QueueStatsDto> {
    const customerId = q.customerId ?? caller.customerId;
    if (customerId) {
      requireVisible(caller, customerId, 'customer', customerId);
      if (!(await this.db.getRepository(Customer).exists({ where: { id: customerId } }))) throw notFound('customer', customerId);
    }
    const counted = await countQueue(this.db.manager, { customerId, topCustomers: TOP_CUSTOMERS });
    return { customerId, since: counted.since, ...counted.total, customers: customerId ? null : counted.customers };
  }

  /** A queued message the caller may see (404 otherwise: a bound key learns nothing of other customers' mail). */
  private async load(m: EntityManager, caller: Caller, id: string): Promise<OutboundMessage> {
    const message = await m.findOne(OutboundMessage, { where: { id } });
    if (!message || (caller.customerId && caller.customerId !== message.customerId)) throw notFound('queue message', id);
    return message;
  }

  private async view(m: EntityManager, message: OutboundMessage): Promise<QueueMessageDto> {
    const [summary] = await this.summaries(m, [message]);
    const recipients = await m.find(OutboundRecipient, { where: { outboundMessageId: message.id }, order: { id: 'ASC' } });
    const attempts = recipients.length
      ? await m.find(OutboundAttempt, { where: { recipientId: In(recipients.map((r) => r.id)) }, order: { recipientId: 'ASC', id: 'ASC' } })
      : [];
    const history = new Map<string, QueueAttemptDto[]>();
    for (const a of attempts) {
      const list = history.get(a.recipientId) ?? [];
      list.push({ id: a.id, createdAt: a.createdAt, outcome: a.outcome, reply: a.reply, status: a.status, remoteMta: a.remoteMta, durationMs: a.durationMs });
      history.set(a.recipientId, list);
    }
    return {
      ...summary,
      dsnRet: message.dsnRet,
      dsnEnvid: message.dsnEnvid,
      recipients: recipients.map((r): QueueRecipientDto => ({
        id: r.id,
        recipient: r.recipient,
        domain: r.domain,
        status: r.status,
        heldReason: r.heldReason,
        attempts: r.attempts,
        nextAttemptAt: r.nextAttemptAt,
        lastAttemptAt: r.lastAttemptAt,
        lastReply: r.lastReply,
        lastStatus: r.lastStatus,
        remoteMta: r.remoteMta,
        finishedAt: r.finishedAt,
        delayNotifiedAt: r.delayNotifiedAt,
        bouncedAt: r.bouncedAt,
        dsnNotify: r.dsnNotify,
        dsnOrcpt: r.dsnOrcpt,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        attemptHistory: history.get(r.id) ?? [],
      })),
    };
  }

  /** Envelope, header summary and recipient counts of a page of messages: two queries, whatever the page size. */
  private async summaries(m: EntityManager, messages: OutboundMessage[]): Promise<QueueMessageSummaryDto[]> {
    if (!messages.length) return [];
    const counts: SummaryRow[] = await m.query(
      `SELECT outbound_message_id AS id, count(*)::int AS total,
              ${RECIPIENT_STATUSES.map((s) => `count(*) FILTER (WHERE status = '${s}')::int AS ${s}`).join(', ')},
              min(next_attempt_at) FILTER (WHERE status IN ('queued', 'deferred')) AS next_attempt_at,
              max(last_attempt_at) AS last_attempt_at,
              array_agg(DISTINCT domain ORDER BY domain) AS domains
         FROM outbound_recipients WHERE outbound_message_id = ANY($1::uuid[])
        GROUP BY outbound_message_id`,
      [messages.map((x) => x.id)],
    );
    const headers: HeaderRow[] = await m.query('SELECT id, subject, from_header, message_id_header, size FROM messages WHERE id = ANY($1::uuid[])', [
      [...new Set(messages.map((x) => x.messageId))],
    ]);
    const countsOf = new Map(counts.map((c) => [c.id, c]));
    const headersOf = new Map(headers.map((h) => [h.id, h]));
    return messages.map((om) => {
      const c = countsOf.get(om.id);
      const h = headersOf.get(om.messageId);
      return {
        id: om.id,
        createdAt: om.createdAt,
        messageId: om.messageId,
        envelopeFrom: om.envelopeFrom,
        source: om.source,
        mailboxId: om.mailboxId,
        customerId: om.customerId,
        clientAddress: om.clientAddress,
        subject: h?.subject ?? null,
        fromHeader: h?.from_header ?? null,
        messageIdHeader: h?.message_id_header ?? null,
        size: h?.size ?? 0,
        recipientCounts: {
          total: c?.total ?? 0,
          queued: c?.queued ?? 0,
          deferred: c?.deferred ?? 0,
          held: c?.held ?? 0,
          delivered: c?.delivered ?? 0,
          failed: c?.failed ?? 0,
          cancelled: c?.cancelled ?? 0,
        },
        domains: c?.domains ?? [],
        nextAttemptAt: c?.next_attempt_at ?? null,
        lastAttemptAt: c?.last_attempt_at ?? null,
      };
    });
  }
}

interface SummaryRow {
  id: string;
  total: number;
  queued: number;
  deferred: number;
  held: number;
  delivered: number;
  failed: number;
  cancelled: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  domains: string[];
}

interface HeaderRow {
  id: string;
  subject: string | null;
  from_header: string | null;
  message_id_header: string | null;
  size: number;
}

function statusesOf(filter: QueueStatusFilter): OutboundRecipientStatus[] | null {
  if (filter === 'any') return null;
  if (filter === 'unfinished') return UNFINISHED_STATUSES;
  return [filter];
}

function states(rows: RecipientRow[]): RecipientState[] {
  return rows.map((r) => ({ id: r.id, recipient: r.recipient, status: r.status, heldReason: r.held_reason, nextAttemptAt: r.next_attempt_at }));
}

/** An error's details naming recipients: their states, and the field when the caller named them. */
function recipientsDetail(rows: RecipientRow[], explicit: boolean): Record<string, unknown> {
  return { ...(explicit ? { field: 'recipientIds' } : {}), recipients: states(rows) };
}

const REFUSALS: Record<string, (list: string) => string> = {
  recipient_finished: (list) => `Already delivered, failed or cancelled: ${list}`,
  recipient_held: (list) => `Held, so not retried: ${list}; release it to send it`,
  recipient_already_held: (list) => `Already held: ${list}`,
  recipient_not_held: (list) => `Not held, so there is nothing to release: ${list}`,
};

function refusal(code: keyof typeof REFUSALS, rows: RecipientRow[], explicit: boolean) {
  const list = rows.map((r) => `${r.recipient} (${r.status})`).join(', ');
  return conflict(code, REFUSALS[code](list), recipientsDetail(rows, explicit));
}

/** Why these recipients (current, locked) are not ones the action applies to. */
function refusalFor(action: QueueAction, rows: RecipientRow[], explicit: boolean) {
  const finished = rows.filter((r) => isFinished(r.status));
  if (finished.length) return refusal('recipient_finished', finished, explicit);
  if (action === 'release') return refusal('recipient_not_held', rows, explicit);
  return refusal(action === 'hold' ? 'recipient_already_held' : 'recipient_held', rows, explicit);
}

/**
 * Mail held because its sender lost relay permission may go only once the
 * customer may send again: releasing it earlier would send exactly the mail
 * the suspension stopped. Reinstating the agreement (or reactivating the
 * customer) comes first.
 */
const STILL_SUSPENDED: Partial<Record<RelayHoldReason, (agreementId: string | null) => string>> = {
  customer_suspended: () => 'the customer is suspended; reactivate the customer first',
  no_agreement: () => 'the customer has no signed agreement; it must sign one first',
  agreement_suspended: (id) => `the customer's agreement is still suspended; reinstate it first (POST /v1/agreements/${id}/reinstate)`,
  agreement_revoked: () => "the customer's agreement was revoked; the customer must sign again first",
};

async function assertRelayRestored(m: EntityManager, customerId: string, rows: RecipientRow[]): Promise<void> {
  // the customer's permission only (no mailbox): the delivery worker holds a blocked mailbox's mail again
  const held = await relayHoldReason(m, { customerId, mailboxId: null });
  const why = held && STILL_SUSPENDED[held.reason];
  if (!held || !why) return;
  throw conflict('relay_still_suspended', `Held because the sender lost relay permission, and ${why(held.agreementId)}`, {
    reason: held.reason,
    customerId,
    agreementId: held.agreementId,
    recipients: states(rows),
  });
}
