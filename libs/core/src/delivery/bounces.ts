import { DataSource, EntityManager } from 'typeorm';
import { databaseDirectory } from '../aliases/directory';
import { planLocalDelivery } from '../aliases/local-delivery';
import { matchAddress } from '../aliases/resolve';
import type { PostbodeConfig } from '../config/config';
import { deliverMessagesIn, DeliveryRequest } from '../mail-store/deliver';
import { buildDsn, DsnReason, DsnRecipient } from './dsn';

/**
 * The bounce pass: turns finished-but-unreported queue rows into delivery
 * status notifications. The delivery worker marks recipients `failed` (5xx,
 * or the queue lifetime ran out) and the queue API marks them `cancelled`;
 * neither sends anything. This pass, run by the worker after its deliveries
 * and on a timer, sends one DSN per queued message listing every recipient
 * that failed so far, and notes `bounced_at` on those rows.
 *
 * One transaction per message: the recipients are row-locked (FOR UPDATE
 * SKIP LOCKED, so any number of mail-server processes can run the pass), the
 * DSN is stored in the sender's mailbox or queued for a remote sender, and
 * `bounced_at` is set, all in one commit. A crash before COMMIT leaves the
 * rows owed and stores nothing; after it, the rows are settled and the DSN
 * exists: nothing is lost and no DSN goes out twice.
 *
 * When no DSN is due (RFC 3461): the null sender `<>` never gets one (that is
 * how bounce loops end, and a DSN's own envelope sender is `<>`, so a DSN
 * that fails is never bounced again); NOTIFY=NEVER or a NOTIFY list without
 * FAILURE settles the row silently. NOTIFY absent means FAILURE (and DELAY,
 * see noticeDelays). RET and ENVID come from MAIL FROM, ORCPT per recipient.
 */

/** pino-compatible: `log.info({ ...fields }, 'message')`. */
export interface BounceLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface BounceOptions {
  /** Most queued messages to settle in one call (default 100); call again while it returns that many. */
  limit?: number;
  log?: BounceLog;
}

/** What the pass reads from the configuration; the whole PostbodeConfig fits. */
export type BounceConfig = Pick<PostbodeConfig, 'mailHostname' | 'dsnOriginalMaxBytes' | 'queueLifetimeSeconds' | 'delayNoticeSeconds'>;

const SILENT: BounceLog = { info: () => undefined, warn: () => undefined };

/**
 * Not a network client: the DSN was made here. Stored as the queued DSN's
 * client_address so staff see where it came from.
 */
export const BOUNCE_CLIENT_ADDRESS = 'localhost';

interface RecipientRow {
  id: string;
  recipient: string;
  status: string;
  last_reply: string | null;
  last_status: string | null;
  remote_mta: string | null;
  last_attempt_at: Date | null;
  dsn_notify: string[] | null;
  dsn_orcpt: string | null;
}

interface MessageRow {
  id: string;
  message_id: string;
  envelope_from: string;
  dsn_ret: string | null;
  dsn_envid: string | null;
  created_at: Date;
  size: number;
}

const RECIPIENT_COLUMNS = 'id, recipient, status, last_reply, last_status, remote_mta, last_attempt_at, dsn_notify, dsn_orcpt';

/**
 * Failure DSNs for failed and cancelled recipients not yet settled. Returns
 * how many queued messages it settled (a DSN sent, or found that none was
 * due); fewer than `limit` means nothing is left that this process could take.
 */
export async function bouncePending(db: DataSource, config: BounceConfig, opts: BounceOptions = {}): Promise<number> {
  return eachMessage(db, opts, 'bounce', async (m, skip) => {
    // the partial index ix_outbound_recipients_unbounced holds exactly these rows
    const [pick] = await m.query(
      `SELECT outbound_message_id FROM outbound_recipients
        WHERE bounced_at IS NULL AND status IN ('failed', 'cancelled') AND NOT (outbound_message_id = ANY($1::uuid[]))
        ORDER BY outbound_message_id LIMIT 1
          FOR UPDATE SKIP LOCKED`,
      [skip],
    );
    if (!pick) return null;
    const outboundId: string = pick.outbound_message_id;
    return {
      outboundId,
      settle: async () => {
        const rows: RecipientRow[] = await m.query(
          `SELECT ${RECIPIENT_COLUMNS} FROM outbound_recipients
            WHERE outbound_message_id = $1 AND bounced_at IS NULL AND status IN ('failed', 'cancelled')
            ORDER BY id FOR UPDATE SKIP LOCKED`,
          [outboundId],
        );
        const message = await loadMessage(m, outboundId);
        const wanted = rows.filter((r) => notifies(r.dsn_notify, 'FAILURE'));
        let outcome: SendOutcome | 'null_sender' | 'not_requested';
        if (message.envelope_from === '') outcome = 'null_sender';
        else if (wanted.length === 0) outcome = 'not_requested';
        else {
          const raw = buildDsn({
            reportingMta: config.mailHostname,
            originalSender: message.envelope_from,
            envid: message.dsn_envid,
            arrivalDate: message.created_at,
            ret: message.dsn_ret,
            ...(await loadOriginal(m, message, message.dsn_ret?.toUpperCase() === 'HDRS', config.dsnOriginalMaxBytes)),
            recipients: wanted.map(failedRecipient),
            maxOriginalBytes: config.dsnOriginalMaxBytes,
          });
          outcome = await sendDsn(m, message.envelope_from, raw);
        }
        await m.query(`UPDATE outbound_recipients SET bounced_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
        return { outcome, sender: message.envelope_from, recipients: rows.length, reported: outcome === 'null_sender' || outcome === 'not_requested' ? 0 : wanted.length };
      },
    };
  });
}

/**
 * One "delayed" DSN per queued message whose recipients are still deferred
 * DELAY_NOTICE_SECONDS after it arrived (0: never), for recipients that did
 * not exclude it with NOTIFY (absent NOTIFY: we send it), never to `<>`;
 * each recipient gets at most one (delay_notified_at). It returns the
 * original's header lines only: RET governs failure DSNs, and a warning
 * needs only enough for the sender to recognise the message.
 */
export async function noticeDelays(db: DataSource, config: BounceConfig, opts: BounceOptions = {}): Promise<number> {
  if (config.delayNoticeSeconds <= 0) return 0;
  const due = `r.status = 'deferred' AND r.delay_notified_at IS NULL AND (r.dsn_notify IS NULL OR 'DELAY' = ANY(r.dsn_notify))`;
  // not for messages whose lifetime is already over: those fail (and bounce) next
  const age = `o.envelope_from <> '' AND o.created_at <= now() - make_interval(secs => $1) AND o.created_at > now() - make_interval(secs => $2)`;
  return eachMessage(db, opts, 'delay notice', async (m, skip) => {
    const [pick] = await m.query(
      `SELECT r.outbound_message_id FROM outbound_recipients r JOIN outbound_messages o ON o.id = r.outbound_message_id
        WHERE ${due} AND ${age} AND NOT (r.outbound_message_id = ANY($3::uuid[]))
        ORDER BY r.outbound_message_id LIMIT 1
          FOR UPDATE OF r SKIP LOCKED`,
      [config.delayNoticeSeconds, config.queueLifetimeSeconds, skip],
    );
    if (!pick) return null;
    const outboundId: string = pick.outbound_message_id;
    return {
      outboundId,
      settle: async () => {
        const rows: RecipientRow[] = await m.query(
          `SELECT ${RECIPIENT_COLUMNS.split(', ').map((c) => `r.${c}`).join(', ')} FROM outbound_recipients r
            WHERE r.outbound_message_id = $1 AND ${due}
            ORDER BY r.id FOR UPDATE OF r SKIP LOCKED`,
          [outboundId],
        );
        const message = await loadMessage(m, outboundId);
        const raw = buildDsn({
          reportingMta: config.mailHostname,
          originalSender: message.envelope_from,
          envid: message.dsn_envid,
          arrivalDate: message.created_at,
          ret: 'HDRS',
          ...(await loadOriginal(m, message, true, config.dsnOriginalMaxBytes)),
          recipients: rows.map(delayedRecipient),
          willRetryUntil: new Date(message.created_at.getTime() + config.queueLifetimeSeconds * 1000),
          maxOriginalBytes: config.dsnOriginalMaxBytes,
        });
        const outcome = await sendDsn(m, message.envelope_from, raw);
        await m.query(`UPDATE outbound_recipients SET delay_notified_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
        return { outcome, sender: message.envelope_from, recipients: rows.length, reported: rows.length };
      },
    };
  });
}

// ---------------------------------------------------------------- one message per transaction

interface Settled {
  outcome: SendOutcome | 'null_sender' | 'not_requested';
  sender: string;
  recipients: number;
  reported: number;
}

type MessagePicker = (m: EntityManager, skip: string[]) => Promise<{ outboundId: string; settle: () => Promise<Settled> } | null>;

/**
 * Runs `pick` + `settle` in one transaction per message until nothing is
 * left or `limit` messages are done. A message whose DSN cannot be made
 * (an error) rolls back alone, is logged and skipped for the rest of this
 * call, and is tried again by the next pass: it never blocks the others.
 */
async function eachMessage(db: DataSource, opts: BounceOptions, what: string, pick: MessagePicker): Promise<number> {
  const limit = opts.limit ?? 100;
  const log = opts.log ?? SILENT;
  const skip: string[] = [];
  let done = 0;
  while (done < limit) {
    let current: string | null = null;
    try {
      const settled = await db.transaction(async (m) => {
        const picked = await pick(m, skip);
        if (!picked) return null;
        current = picked.outboundId;
        return { outboundId: picked.outboundId, ...(await picked.settle()) };
      });
      if (!settled) break;
      done++;
      log.info({ event: what === 'bounce' ? 'dsn_failure' : 'dsn_delay', outboundMessage: settled.outboundId, outcome: settled.outcome, recipients: settled.recipients, reported: settled.reported }, `${what}: ${OUTCOME_TEXT[settled.outcome]}`);
      if (settled.outcome === 'dropped') {
        log.warn({ event: 'dsn_dropped', outboundMessage: settled.outboundId, sender: settled.sender }, `${what} dropped: the sender's address here has no active mailbox`);
      }
    } catch (err) {
      if (current === null) throw err; // the database itself failed: the caller's problem
      skip.push(current);
      log.warn({ event: 'dsn_error', outboundMessage: current, err: (err as Error)?.message }, `${what} not made; tried again on the next pass`);
    }
  }
  return done;
}

const OUTCOME_TEXT: Record<Settled['outcome'], string> = {
  stored: "stored in the sender's mailbox",
  queued: 'queued for the remote sender',
  dropped: 'dropped',
  null_sender: 'none sent (null sender)',
  not_requested: 'none sent (NOTIFY)',
};

async function loadMessage(m: EntityManager, outboundId: string): Promise<MessageRow> {
  const [row] = await m.query(
    `SELECT o.id, o.message_id, o.envelope_from, o.dsn_ret, o.dsn_envid, o.created_at, s.size
       FROM outbound_messages o JOIN messages s ON s.id = o.message_id
      WHERE o.id = $1`,
    [outboundId],
  );
  if (!row) throw new Error(`outbound message ${outboundId} is gone`);
  return { ...row, size: Number(row.size) };
}

/** The bytes the DSN returns: the whole message, or only its header section (never 50 MB read for nothing). */
async function loadOriginal(m: EntityManager, message: MessageRow, headersOnly: boolean, maxBytes: number): Promise<{ original: Buffer; originalSize: number }> {
  const whole = !headersOnly && message.size <= maxBytes;
  const [row] = await m.query(`SELECT ${whole ? 'raw' : 'substring(raw FROM 1 FOR header_bytes) AS raw'} FROM messages WHERE id = $1`, [message.message_id]);
  return { original: row.raw as Buffer, originalSize: message.size };
}

/** RFC 3461 4.1: absent NOTIFY is FAILURE (and, our choice, DELAY); NEVER is nothing. */
export function notifies(notify: string[] | null, kind: 'FAILURE' | 'DELAY'): boolean {
  if (notify === null || notify.length === 0) return true;
  return notify.some((n) => n.toUpperCase() === kind);
}

const ENHANCED_IN_REPLY = /^[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b/;

/**
 * What to report for a failed or cancelled row. Failed with a permanent
 * status is a refusal (the remote's 5xx, or our own permanent verdict such as
 * a domain without mail servers); failed otherwise means the queue lifetime
 * ran out after temporary failures: 5.4.7, with the last reply as diagnostic.
 */
function failedRecipient(r: RecipientRow): DsnRecipient {
  const base = { recipient: r.recipient, orcpt: r.dsn_orcpt, action: 'failed' as const, remoteMta: r.remote_mta, reply: r.last_reply, lastAttemptAt: r.last_attempt_at };
  if (r.status === 'cancelled') return { ...base, status: '5.0.0', reason: 'cancelled' };
  const status = r.last_status ?? ENHANCED_IN_REPLY.exec(r.last_reply ?? '')?.[1] ?? (r.last_reply?.startsWith('5') ? '5.0.0' : null);
  const reason: DsnReason = status && status.startsWith('5.') && status !== '5.4.7' ? 'rejected' : 'expired';
  return { ...base, status: reason === 'rejected' ? status! : '5.4.7', reason };
}

function delayedRecipient(r: RecipientRow): DsnRecipient {
  const status = r.last_status ?? ENHANCED_IN_REPLY.exec(r.last_reply ?? '')?.[1] ?? '4.0.0';
  return {
    recipient: r.recipient,
    orcpt: r.dsn_orcpt,
    action: 'delayed',
    status: status.startsWith('4.') ? status : '4.0.0',
    remoteMta: r.remote_mta,
    reply: r.last_reply,
    lastAttemptAt: r.last_attempt_at,
    reason: 'delayed',
  };
}

// ---------------------------------------------------------------- sending the DSN

type SendOutcome = 'stored' | 'queued' | 'dropped';

/**
 * Hands the DSN on inside the caller's transaction, always with the null
 * envelope sender. A sender hosted here gets it in INBOX through the mail
 * store (an alias as sender: its mailboxes, and its outside targets through
 * the queue, as mail to that alias would). Anybody else gets it through the
 * outbound queue as `forward` mail without a customer: it counts against
 * nobody's relay limits and, its sender being `<>`, is never bounced itself.
 * A hosted address without an active mailbox behind it drops the DSN.
 */
async function sendDsn(m: EntityManager, sender: string, raw: Buffer): Promise<SendOutcome> {
  const dir = databaseDirectory(m);
  const match = await matchAddress(dir, sender);
  if (match.kind === 'external') {
    await deliverMessagesIn(m, [{ raw, envelopeFrom: '', mailboxIds: [], outbound: forward([sender]) }]);
    return 'queued';
  }
  // A full mailbox still gets the report about its own mail: the store keeps
  // it over quota and records that, as it does for mail that crosses the quota during DATA.
  const plan = await planLocalDelivery(dir, sender, { mailboxUsage: async () => ({ usedBytes: 0, quotaBytes: Number.MAX_SAFE_INTEGER }) });
  if (plan.state !== 'deliverable') return 'dropped';
  const req: DeliveryRequest = { raw, envelopeFrom: '', mailboxIds: plan.mailboxIds, outbound: plan.external.length > 0 ? forward(plan.external) : null };
  await deliverMessagesIn(m, [req]);
  return plan.mailboxIds.length > 0 ? 'stored' : 'queued';
}

function forward(addresses: string[]): DeliveryRequest['outbound'] {
  return {
    recipients: addresses.map((address) => ({ address })),
    source: 'forward',
    mailboxId: null,
    customerId: null,
    clientAddress: BOUNCE_CLIENT_ADDRESS,
    relayUsage: null,
  };
}
