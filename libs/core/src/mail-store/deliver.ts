import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { recordEvent } from '../events';
import { newId } from '../ids';
import type { RelaySubject } from '../relay/relay-decision';
import { recordRelayUsage, relayUsageKey } from '../relay/relay-usage';
import { computeImapStructure, ImapStructure } from '../mime/imap-structure';
import { ImapFetchText, imapFetchText } from '../mime/imap-structure-response';
import { computeSearchText, SearchText, storableSearchText } from '../mime/search-text';
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
  /**
   * Relayed mail: whose agreement limits it counts against and how many of
   * the recipients are relay (external alias targets of MX mail are not).
   * Counted in the transaction that queues it, so a message is counted
   * exactly when it is accepted.
   */
  relayUsage?: { subject: RelaySubject; recipients: number } | null;
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
 * all succeed or none. Round trips are per batch, not per message: one INSERT
 * for all messages, then one statement per target folder that takes as many
 * UIDs as it stores copies. Folders are visited in mailbox-id order, so every
 * transaction takes its row locks in the same order and two never deadlock;
 * within a folder, copies keep the order of the requests.
 */
export async function deliverMessages(db: DataSource, reqs: DeliveryRequest[]): Promise<DeliveryResult[]> {
  // parsing and hashing before BEGIN, so the transaction holds its locks only for the SQL
  const prepared = prepareDeliveries(reqs);
  return db.transaction((m) => storePrepared(m, prepared));
}

/**
 * The same inside a transaction the caller owns, for work that must commit
 * together with the delivery (the bounce pass stores a DSN and marks the
 * failed recipients bounced in one commit). The caller's transaction takes
 * the same locks in the same order as deliverMessages.
 */
export async function deliverMessagesIn(m: EntityManager, reqs: DeliveryRequest[]): Promise<DeliveryResult[]> {
  return storePrepared(m, prepareDeliveries(reqs));
}

interface PreparedDelivery {
  req: DeliveryRequest;
  mailboxIds: string[];
  hasOutbound: boolean;
  summary: HeaderSummary;
  structure: ImapStructure;
  /** ENVELOPE and BODYSTRUCTURE as FETCH sends them; null when they cannot be stored as text (a NUL). */
  fetchText: ImapFetchText | null;
  /** Null when longer than the store keeps (SEARCH then decodes the message). */
  searchText: SearchText | null;
  sha256: string;
  messageId: string;
}

interface PreparedBatch {
  prepared: PreparedDelivery[];
  /** Copies grouped per (mailbox, folder, flags), in lock order. */
  ordered: FolderGroup[];
}

function prepareDeliveries(reqs: DeliveryRequest[]): PreparedBatch {
  const prepared = reqs.map((req): PreparedDelivery => {
    const mailboxIds = [...new Set(req.mailboxIds)].sort();
    const outboundRecipients = req.outbound?.recipients ?? [];
    if (mailboxIds.length === 0 && outboundRecipients.length === 0) throw new Error('deliverMessage: no recipients');
    // ENVELOPE and BODYSTRUCTURE once, here, so IMAP FETCH never re-parses the message (and
    // sends them as stored text); the decoded text likewise, so IMAP SEARCH BODY/TEXT is a
    // substring test in SQL
    const structure = computeImapStructure(req.raw);
    return {
      req,
      mailboxIds,
      hasOutbound: outboundRecipients.length > 0,
      summary: summariseHeaders(req.raw),
      structure,
      fetchText: imapFetchText(structure),
      searchText: storableSearchText(computeSearchText(req.raw, structure)),
      sha256: createHash('sha256').update(req.raw).digest('hex'),
      messageId: newId(),
    };
  });

  // one group per (mailbox, folder, flags), in lock order
  const groups = new Map<string, FolderGroup>();
  prepared.forEach((p, index) => {
    for (const mailboxId of p.mailboxIds) {
      const folder = p.req.folder ?? 'INBOX';
      const flags = p.req.flags ?? [];
      const key = JSON.stringify([mailboxId, folder, flags]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { key, mailboxId, folder, flags, copies: [] }));
      g.copies.push({ index, messageId: p.messageId, size: p.req.raw.length, internalDate: p.req.internalDate ?? new Date() });
    }
  });
  const ordered = [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { prepared, ordered };
}

async function storePrepared(m: EntityManager, { prepared, ordered }: PreparedBatch): Promise<DeliveryResult[]> {
  // Messages and queue entries first: they lock nothing shared. Then the
  // senders' relay counters, then the folder and mailbox rows, each kind in
  // key order and held until COMMIT, so concurrent batches cannot deadlock.
  await insertMessages(m, prepared);
  const results: DeliveryResult[] = [];
  for (const p of prepared) {
    const outboundMessageId = p.hasOutbound ? await enqueueOutbound(m, p.messageId, p.req.envelopeFrom, p.req.outbound!) : null;
    results.push({ messageId: p.messageId, deliveries: [], outboundMessageId, overQuota: [] });
  }
  await countRelayed(m, prepared.map((p) => p.req));
  for (const g of ordered) {
    const stored = await storeCopies(m, g);
    let used = stored.usedBytes - g.copies.reduce((sum, c) => sum + c.size, 0);
    for (const [i, c] of g.copies.entries()) {
      results[c.index].deliveries.push({ mailboxId: g.mailboxId, folderId: stored.folderId, uid: stored.firstUid + i, modseq: stored.firstModseq + i + 1 });
      const before = used;
      used += c.size;
      if (before <= stored.quotaBytes && used > stored.quotaBytes) {
        results[c.index].overQuota.push(g.mailboxId);
        await recordEvent(m, ACTOR, {
          action: 'mailbox.quota_exceeded',
          targetType: 'mailbox',
          targetId: g.mailboxId,
          customerId: stored.customerId,
          after: { usedBytes: used, quotaBytes: stored.quotaBytes, messageId: c.messageId },
        });
      }
    }
  }
  return results;
}

interface FolderGroup {
  key: string;
  mailboxId: string;
  folder: string;
  flags: string[];
  copies: { index: number; messageId: string; size: number; internalDate: Date }[];
}

const MESSAGE_COLUMNS = 18;

async function insertMessages(m: EntityManager, prepared: PreparedDelivery[]): Promise<void> {
  // one statement per MESSAGE_ROWS_PER_INSERT: PostgreSQL's protocol numbers parameters with 16 bits
  for (let k = 0; k < prepared.length; k += MESSAGE_ROWS_PER_INSERT) await insertMessageRows(m, prepared.slice(k, k + MESSAGE_ROWS_PER_INSERT));
}

const MESSAGE_ROWS_PER_INSERT = Math.floor(65535 / MESSAGE_COLUMNS);

async function insertMessageRows(m: EntityManager, prepared: PreparedDelivery[]): Promise<void> {
  const params: unknown[] = [];
  const rows = prepared.map(({ messageId, req, summary, structure, fetchText, searchText, sha256 }) => {
    params.push(
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
      JSON.stringify(structure),
      fetchText?.envelope ?? null,
      fetchText?.bodyStructure ?? null,
      searchText?.headers ?? null,
      searchText?.body ?? null,
    );
    const base = params.length - MESSAGE_COLUMNS;
    return `(${Array.from({ length: MESSAGE_COLUMNS }, (_, i) => `$${base + i + 1}`).join(', ')})`;
  });
  await m.query(
    `INSERT INTO messages (id, raw, size, header_bytes, sha256, envelope_from, subject, from_header, to_header, cc_header, date_header, message_id_header, in_reply_to, imap_structure, imap_envelope, imap_body_structure, search_headers, search_body)
     VALUES ${rows.join(', ')}`,
    params,
  );
}

/**
 * One statement for all copies going into one folder: take `n` UIDs (the
 * folder row lock), insert the copies, add to the mailbox's counters (its row
 * lock), and notify IMAP IDLE sessions (delivered at COMMIT).
 */
const STORE_COPIES = `
  WITH slot AS (
    UPDATE folders SET uid_next = uid_next + $3, highest_modseq = highest_modseq + $3
     WHERE mailbox_id = $1 AND name = $2
    RETURNING id, uid_next - $3 AS first_uid, highest_modseq - $3 AS first_modseq
  ), input AS (
    SELECT * FROM unnest($4::uuid[], $5::uuid[], $6::int[], $7::timestamptz[]) WITH ORDINALITY AS t(copy_id, message_id, size, internal_date, ord)
  ), copy AS (
    INSERT INTO mailbox_messages (id, mailbox_id, folder_id, uid, modseq, message_id, flags, internal_date, size)
    SELECT input.copy_id, $1, slot.id, slot.first_uid + input.ord - 1, slot.first_modseq + input.ord, input.message_id, $8, input.internal_date, input.size
      FROM slot, input
    RETURNING folder_id, uid
  ), usage AS (
    UPDATE mailboxes SET used_bytes = used_bytes + $9, message_count = message_count + $3
     WHERE id = $1 AND EXISTS (SELECT 1 FROM slot)
    RETURNING used_bytes, quota_bytes, customer_id
  ), notified AS (
    SELECT pg_notify('postbode_mail', json_build_object('mailboxId', $1::text, 'folderId', copy.folder_id, 'uid', copy.uid)::text) FROM copy
  )
  SELECT slot.id AS folder_id, slot.first_uid, slot.first_modseq, usage.used_bytes, usage.quota_bytes, usage.customer_id,
         (SELECT count(*) FROM notified)::int AS notified
    FROM slot, usage`;

interface StoredCopies {
  folderId: string;
  firstUid: number;
  firstModseq: number;
  usedBytes: number;
  quotaBytes: number;
  customerId: string;
}

async function storeCopies(m: EntityManager, g: FolderGroup): Promise<StoredCopies> {
  const params = [
    g.mailboxId,
    g.folder,
    g.copies.length,
    g.copies.map(() => newId()),
    g.copies.map((c) => c.messageId),
    g.copies.map((c) => c.size),
    g.copies.map((c) => c.internalDate),
    g.flags,
    g.copies.reduce((sum, c) => sum + c.size, 0),
  ];
  let rows = await m.query(STORE_COPIES, params);
  if (rows.length === 0) {
    // first delivery to this mailbox: make its folders, then try again
    await ensureDefaultFolders(m, g.mailboxId);
    rows = await m.query(STORE_COPIES, params);
  }
  if (rows.length === 0) throw new Error(`folder ${g.folder} of mailbox ${g.mailboxId} does not exist`);
  const r = rows[0];
  return {
    folderId: r.folder_id,
    firstUid: Number(r.first_uid),
    firstModseq: Number(r.first_modseq),
    usedBytes: Number(r.used_bytes),
    quotaBytes: Number(r.quota_bytes),
    customerId: r.customer_id,
  };
}

/** The part after the last '@', lower-case: what MX lookup and the transport map are asked about. */
export function recipientDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase().replace(/\.$/, '');
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
      `INSERT INTO outbound_recipients (id, outbound_message_id, recipient, domain, dsn_notify, dsn_orcpt) VALUES ($1, $2, $3, $4, $5, $6)`,
      [newId(), id, r.address, recipientDomain(r.address), r.dsnNotify ?? null, r.dsnOrcpt ?? null],
    );
  }
  // wakes the delivery workers of every mail-server process once this commits
  await m.query(`SELECT pg_notify('postbode_outbound', '')`);
  return id;
}

/**
 * Adds the batch's relayed mail to the senders' relay_usage counters, one
 * upsert per sender in key order: those rows are locked until COMMIT, and a
 * fixed order keeps two batches of the same senders from deadlocking.
 */
async function countRelayed(m: EntityManager, reqs: DeliveryRequest[]): Promise<void> {
  const bySender = new Map<string, { subject: RelaySubject; messages: number; recipients: number }>();
  for (const req of reqs) {
    const relayed = req.outbound?.relayUsage;
    if (!relayed || relayed.recipients <= 0) continue;
    const key = relayUsageKey(relayed.subject);
    const entry = bySender.get(key) ?? { subject: relayed.subject, messages: 0, recipients: 0 };
    entry.messages += 1;
    entry.recipients += relayed.recipients;
    bySender.set(key, entry);
  }
  for (const key of [...bySender.keys()].sort()) {
    const { subject, messages, recipients } = bySender.get(key)!;
    await recordRelayUsage(m, subject, { messages, recipients });
  }
}
