import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { recordEvent } from '../events';
import { newId } from '../ids';
import { ensureDefaultFolders } from './folders';
import { summariseHeaders } from './header-summary';

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

export async function deliverMessage(db: DataSource, req: DeliveryRequest): Promise<DeliveryResult> {
  const mailboxIds = [...new Set(req.mailboxIds)].sort();
  const outboundRecipients = req.outbound?.recipients ?? [];
  if (mailboxIds.length === 0 && outboundRecipients.length === 0) throw new Error('deliverMessage: no recipients');
  const summary = summariseHeaders(req.raw);
  const sha256 = createHash('sha256').update(req.raw).digest('hex');
  const folder = req.folder ?? 'INBOX';
  const internalDate = req.internalDate ?? new Date();

  return db.transaction(async (m) => {
    const messageId = newId();
    await m.query(
      `INSERT INTO messages (id, raw, size, header_bytes, sha256, envelope_from, subject, from_header, to_header, cc_header, date_header, message_id_header, in_reply_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        messageId,
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

    const deliveries: StoredDelivery[] = [];
    const overQuota: string[] = [];
    for (const mailboxId of mailboxIds) {
      const slot = await takeUid(m, mailboxId, folder);
      await m.query(
        `INSERT INTO mailbox_messages (id, mailbox_id, folder_id, uid, modseq, message_id, flags, internal_date, size)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [newId(), mailboxId, slot.folderId, slot.uid, slot.modseq, messageId, req.flags ?? [], internalDate, req.raw.length],
      );
      // (TypeORM answers an UPDATE with [rows, rowCount])
      const [[usage]] = await m.query(
        `UPDATE mailboxes SET used_bytes = used_bytes + $2, message_count = message_count + 1
          WHERE id = $1 RETURNING used_bytes, quota_bytes, customer_id`,
        [mailboxId, req.raw.length],
      );
      const used = Number(usage.used_bytes);
      const quota = Number(usage.quota_bytes);
      if (used > quota && used - req.raw.length <= quota) {
        overQuota.push(mailboxId);
        await recordEvent(m, ACTOR, {
          action: 'mailbox.quota_exceeded',
          targetType: 'mailbox',
          targetId: mailboxId,
          customerId: usage.customer_id,
          after: { usedBytes: used, quotaBytes: quota, messageId },
        });
      }
      // wakes IMAP IDLE sessions on every node (after commit)
      await m.query(`SELECT pg_notify('postbode_mail', $1)`, [JSON.stringify({ mailboxId, folderId: slot.folderId, uid: slot.uid })]);
      deliveries.push({ mailboxId, ...slot });
    }

    const outboundMessageId = outboundRecipients.length > 0 ? await enqueueOutbound(m, messageId, req.envelopeFrom, req.outbound!) : null;
    return { messageId, deliveries, outboundMessageId, overQuota };
  });
}

async function takeUid(m: EntityManager, mailboxId: string, folder: string): Promise<{ folderId: string; uid: number; modseq: number }> {
  const take = () =>
    m.query(
      `UPDATE folders SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
        WHERE mailbox_id = $1 AND name = $2
        RETURNING id, uid_next - 1 AS uid, highest_modseq AS modseq`,
      [mailboxId, folder],
    );
  let [rows] = await take();
  if (!rows?.length) {
    await ensureDefaultFolders(m, mailboxId);
    [rows] = await take();
  }
  if (!rows?.length) throw new Error(`folder ${folder} of mailbox ${mailboxId} does not exist`);
  return { folderId: rows[0].id, uid: Number(rows[0].uid), modseq: Number(rows[0].modseq) };
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
