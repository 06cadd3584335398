import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { recordEvent } from '../events';
import { newId } from '../ids';
import { ensureDefaultFolders } from './folders';
import { HeaderSummary, summariseHeaders } from './header-summary';

/**
 * Stores one message for its local recipients and queues it for its remote
 * ones, in ONE transaction: the SMTP layer answers 250 only after this
 * returns, so an acknowledged message is committed, and a message that was
 * not acknowledged is either wholly stored or not at all.
 *
 * Per mailbox: the next UID of the folder is taken with
 *   UPDATE folders SET uid_next = uid_next + 1 ... RETURNING
 * whose row lock orders concurrent deliveries to the same folder across all
 * mail-server processes; a rolled-back transaction gives its UID back with
 * it, a committed one never reuses it. Mailboxes are handled in id order so
 * two deliveries to the same set of mailboxes cannot deadlock.
 *
 * Quota: RCPT already refused full mailboxes. A message that crosses the
 * quota here (no SIZE declared, or several arriving at once) is stored
 * anyway -- an accepted recipient never loses mail -- and the crossing is
 * recorded as a `mailbox.quota_exceeded` event, visible in the audit log;
 * from then on RCPT answers 552 5.2.2.
 */
export interface OutboundRequest {
  recipients: { address: string; dsnNotify?: string[] | null; dsnOrcpt?: string | null }[];
  source: 'submission' | 'forward';
  mailboxId: string | null;
  customerId: string | null;
  clientAddress: string;
  dsnRet?: string | null;
  dsnEnvid?: string | null;
}

export interface DeliveryRequest {
  /** The final message bytes (Received header included, CRLF line ends). */
  raw: Buffer;
  envelopeFrom: string;
  mailboxIds: string[];
  outbound?: OutboundRequest | null;
  folder?: string;
  flags?: string[];
  internalDate?: Date;
}

export interface StoredDelivery {
  mailboxId: string;
  folderId: string;
  uid: number;
  modseq: number;
}

export interface DeliveryResult {
  messageId: string;
  deliveries: StoredDelivery[];
  outboundMessageId: string | null;
  /** Mailboxes this message pushed over their quota. */
  overQuota: string[];
}

const ACTOR = { type: 'mail_server', id: null } as const;

/** One message in one transaction. */
export async function deliverMessage(db: DataSource, req: DeliveryRequest): Promise<DeliveryResult> {
  return (await deliverMessages(db, [req]))[0];
}

/**
 * Several messages in ONE transaction (group commit, see DeliveryBatcher):
 * all succeed or none. Copies are stored in mailbox-id order (and, within a
 * mailbox, in request order), so every transaction takes its row locks in the
 * same order and two of them never deadlock.
 */
export async function deliverMessages(db: DataSource, reqs: DeliveryRequest[]): Promise<DeliveryResult[]> {
  const prepared = reqs.map((req) => {
    const mailboxIds = [...new Set(req.mailboxIds)].sort();
    const outboundRecipients = req.outbound?.recipients ?? [];
    if (mailboxIds.length === 0 && outboundRecipients.length === 0) throw new Error('deliverMessage: no recipients');
    return {
      req,
      mailboxIds,
      hasOutbound: outboundRecipients.length > 0,
      summary: summariseHeaders(req.raw),
      sha256: createHash('sha256').update(req.raw).digest('hex'),
      messageId: newId(),
    };
  });

  return db.transaction(async (m) => {
    // Messages and queue entries first: they lock nothing shared. The
    // per-mailbox statements take the folder and mailbox row locks, which are
    // held until COMMIT, so they come last and are one statement each.
    const results: DeliveryResult[] = [];
    for (const p of prepared) {
      await insertMessage(m, p.messageId, p.req, p.summary, p.sha256);
      const outboundMessageId = p.hasOutbound ? await enqueueOutbound(m, p.messageId, p.req.envelopeFrom, p.req.outbound!) : null;
      results.push({ messageId: p.messageId, deliveries: [], outboundMessageId, overQuota: [] });
    }

    const copies = prepared
      .flatMap((p, index) => p.mailboxIds.map((mailboxId) => ({ index, mailboxId })))
      .sort((a, b) => (a.mailboxId < b.mailboxId ? -1 : a.mailboxId > b.mailboxId ? 1 : a.index - b.index));
    for (const { index, mailboxId } of copies) {
      const { req, messageId } = prepared[index];
      const size = req.raw.length;
      const copy = await storeCopy(m, {
        mailboxId,
        folder: req.folder ?? 'INBOX',
        messageId,
        flags: req.flags ?? [],
        internalDate: req.internalDate ?? new Date(),
        size,
      });
      results[index].deliveries.push({ mailboxId, folderId: copy.folderId, uid: copy.uid, modseq: copy.modseq });
      if (copy.usedBytes > copy.quotaBytes && copy.usedBytes - size <= copy.quotaBytes) {
        results[index].overQuota.push(mailboxId);
        await recordEvent(m, ACTOR, {
          action: 'mailbox.quota_exceeded',
          targetType: 'mailbox',
          targetId: mailboxId,
          customerId: copy.customerId,
          after: { usedBytes: copy.usedBytes, quotaBytes: copy.quotaBytes, messageId },
        });
      }
    }
    return results;
  });
}

async function insertMessage(m: EntityManager, id: string, req: DeliveryRequest, summary: HeaderSummary, sha256: string): Promise<void> {
  await m.query(
    `INSERT INTO messages (id, raw, size, header_bytes, sha256, envelope_from, subject, from_header, to_header, cc_header, date_header, message_id_header, in_reply_to)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      id,
      req.raw,
      req.raw.length,
      summary.headerBytes,
      sha256,
      req.envelopeFrom,
      summary.subject,
      summary.from,
      summary.to,
      summary.cc,
      summary.date,
      summary.messageId,
      summary.inReplyTo,
    ],
  );
}

interface CopyRequest {
  mailboxId: string;
  folder: string;
  messageId: string;
  flags: string[];
  internalDate: Date;
  size: number;
}

interface StoredCopy {
  folderId: string;
  uid: number;
  modseq: number;
  usedBytes: number;
  quotaBytes: number;
  customerId: string;
}

/**
 * One statement: take the folder's next UID (row lock), insert the mailbox's
 * copy, add to the mailbox's counters (row lock), and notify IMAP IDLE
 * sessions (delivered at COMMIT). One round trip while holding the locks
 * keeps concurrent deliveries to one mailbox from queueing behind each other.
 */
const STORE_COPY = `
  WITH slot AS (
    UPDATE folders SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
     WHERE mailbox_id = $1 AND name = $2
    RETURNING id, uid_next - 1 AS uid, highest_modseq AS modseq
  ), copy AS (
    INSERT INTO mailbox_messages (id, mailbox_id, folder_id, uid, modseq, message_id, flags, internal_date, size)
    SELECT $3, $1, slot.id, slot.uid, slot.modseq, $4, $5, $6, $7 FROM slot
    RETURNING folder_id, uid, modseq
  ), usage AS (
    UPDATE mailboxes SET used_bytes = used_bytes + $7, message_count = message_count + 1
     WHERE id = $1 AND EXISTS (SELECT 1 FROM slot)
    RETURNING used_bytes, quota_bytes, customer_id
  )
  SELECT copy.folder_id, copy.uid, copy.modseq, usage.used_bytes, usage.quota_bytes, usage.customer_id,
         pg_notify('postbode_mail', json_build_object('mailboxId', $1::text, 'folderId', copy.folder_id, 'uid', copy.uid)::text)
    FROM copy, usage`;

async function storeCopy(m: EntityManager, req: CopyRequest): Promise<StoredCopy> {
  const params = [req.mailboxId, req.folder, newId(), req.messageId, req.flags, req.internalDate, req.size];
  let rows = await m.query(STORE_COPY, params);
  if (rows.length === 0) {
    // first delivery to this mailbox: make its folders, then try again
    await ensureDefaultFolders(m, req.mailboxId);
    rows = await m.query(STORE_COPY, params);
  }
  if (rows.length === 0) throw new Error(`folder ${req.folder} of mailbox ${req.mailboxId} does not exist`);
  const r = rows[0];
  return {
    folderId: r.folder_id,
    uid: Number(r.uid),
    modseq: Number(r.modseq),
    usedBytes: Number(r.used_bytes),
    quotaBytes: Number(r.quota_bytes),
    customerId: r.customer_id,
  };
}

async function enqueueOutbound(m: EntityManager, messageId: string, envelopeFrom: string, out: OutboundRequest): Promise<string> {
  const id = newId();
  await m.query(
    `INSERT INTO outbound_messages (id, message_id, envelope_from, source, mailbox_id, customer_id, client_address, dsn_ret, dsn_envid)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [id, messageId, envelopeFrom, out.source, out.mailboxId, out.customerId, out.clientAddress, out.dsnRet ?? null, out.dsnEnvid ?? null],
  );
  const seen = new Set<string>();
  for (const r of out.recipients) {
    if (seen.has(r.address)) continue;
    seen.add(r.address);
    await m.query(
      `INSERT INTO outbound_recipients (id, outbound_message_id, recipient, dsn_notify, dsn_orcpt) VALUES ($1, $2, $3, $4, $5)`,
      [newId(), id, r.address, r.dsnNotify ?? null, r.dsnOrcpt ?? null],
    );
  }
  return id;
}
