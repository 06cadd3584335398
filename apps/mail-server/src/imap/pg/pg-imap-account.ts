import { NEXT_UID_VALIDITY, rememberUidValidity } from '../../../../../libs/core/src/mail-store/folders';
import { DataSource, EntityManager } from 'typeorm';
import { deliverMessage } from '../../../../../libs/core/src/mail-store/deliver';
import { newId } from '../../../../../libs/core/src/ids';
import { computeImapStructure, IMAP_STRUCTURE_VERSION, ImapStructure } from '../../../../../libs/core/src/mime/imap-structure';
import { imapFetchText } from '../../../../../libs/core/src/mime/imap-structure-response';
import { SearchText, storableSearchText } from '../../../../../libs/core/src/mime/search-text';
import {
  AppendResult,
  CopyResult,
  FetchNeeds,
  FlagOperation,
  FolderChanges,
  FolderChangeSignal,
  FolderInfo,
  FolderSnapshot,
  FolderStatus,
  ImapAccount,
  ImapBackendError,
  MessageContent,
  MessageState,
  QuotaInfo,
  SearchKey,
  StoreResult,
} from '../imap-backend';
import { hasFlag } from '../imap-flags';
import { matchesMessage, searchableText } from '../imap-search-match';
import type { MailSignals } from '../mail-signals';
import { folderInfo, readFolderState } from './folder-state';
import type { FolderStateCache } from './folder-state-cache';
import { lockFolder, notifyFolder, recordRemoval, RemovedCopy } from '../../../../../libs/core/src/mail-store/remove-copies';
import { searchConditions } from './search-sql';

/** How many messages one FETCH query reads: small for whole messages (memory), larger for headers and structures. */
const RAW_BATCH = 50;
const META_BATCH = 500;

const UNIQUE_VIOLATION = '23505';

export interface PgImapAccountOptions {
  /** The SMTP message size limit, also APPEND's. */
  maxMessageBytes: number;
  /** Folder states kept from earlier SELECTs (of any session of this process); without one, SELECT reads every message. */
  folderStates?: FolderStateCache;
}

/**
 * One logged-in user's mailbox on the PostgreSQL mail store. Every query is
 * scoped by the mailbox id, so a folder id of another mailbox is simply "not
 * there". Every change takes the folder row lock first (lockFolder) and
 * notifies postbode_mail in the same transaction.
 */
export class PgImapAccount implements ImapAccount {
  private readonly unsubscribes = new Set<() => void>();
  /** Folder of the last SELECT: a '*' signal (LISTEN reconnected) is passed on as a signal for it. */
  private lastOpened: string | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly signals: MailSignals,
    readonly mailboxId: string,
    readonly address: string,
    private readonly opts: PgImapAccountOptions,
  ) {}

  async listFolders(): Promise<FolderInfo[]> {
    const rows = await this.db.query('SELECT id, name, special_use, subscribed FROM folders WHERE mailbox_id = $1', [this.mailboxId]);
    return rows.map(folderInfo);
  }

  async createFolder(name: string): Promise<FolderInfo> {
    // UIDVALIDITY: the time in seconds, and above every folder the mailbox ever had (deleted ones
    // are remembered in mailboxes.uid_validity_floor), so a name made again always looks new
    const rows = await this.db.query(
      `INSERT INTO folders (id, mailbox_id, name, special_use, uid_validity)
       SELECT $3::uuid, $1, $2, NULL, ${NEXT_UID_VALIDITY}
       ON CONFLICT (mailbox_id, name) DO NOTHING
       RETURNING id, name, special_use, subscribed`,
      [this.mailboxId, name, newId()],
    );
    if (rows.length === 0) throw new ImapBackendError('ALREADYEXISTS', 'a folder of that name exists');
    return folderInfo(rows[0]);
  }

  async deleteFolder(name: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const folder = await lockFolder(m, this.mailboxId, { name });
      if (!folder) throw new ImapBackendError('NONEXISTENT', 'no such folder');
      const removed = await this.deleteCopies(m, folder.id, 'TRUE', []);
      // usage and unreferenced bytes as for an expunge; the folder row (and its expunge log) goes with CASCADE
      await recordRemoval(m, this.mailboxId, folder.id, folder.highestModseq, removed, { releaseUsage: true });
      await m.query('DELETE FROM folders WHERE id = $1', [folder.id]);
      // a folder made again under this name must get a larger UIDVALIDITY than this one had
      await rememberUidValidity(m, this.mailboxId, folder.uidValidity);
      await notifyFolder(m, this.mailboxId, folder.id);
    });
  }

  async renameFolder(from: string, to: string): Promise<void> {
    if (from === 'INBOX') return this.renameInbox(to);
    try {
      await this.db.transaction(async (m) => {
        const folder = await lockFolder(m, this.mailboxId, { name: from });
        if (!folder) throw new ImapBackendError('NONEXISTENT', 'no such folder');
        const taken = await m.query('SELECT 1 FROM folders WHERE mailbox_id = $1 AND name = $2', [this.mailboxId, to]);
        if (taken.length) throw new ImapBackendError('ALREADYEXISTS', 'a folder of that name exists');
        await m.query(
          `UPDATE folders SET name = $3 || substr(name, length($2) + 1)
            WHERE mailbox_id = $1 AND (name = $2 OR starts_with(name, $2 || '/'))`,
          [this.mailboxId, from, to],
        );
      });
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new ImapBackendError('ALREADYEXISTS', 'a folder of that name exists below the new name');
      throw err;
    }
  }

  /** RFC 3501 6.3.5: a new folder gets every message of INBOX, which stays, empty. */
  private async renameInbox(to: string): Promise<void> {
    const made = await this.createFolder(to);
    const inbox = await this.db.query(`SELECT id FROM folders WHERE mailbox_id = $1 AND name = 'INBOX'`, [this.mailboxId]);
    if (!inbox.length) return;
    const uids = await this.db.query('SELECT uid FROM mailbox_messages WHERE folder_id = $1 ORDER BY uid', [inbox[0].id]);
    if (uids.length) await this.transfer(inbox[0].id, uids.map((r: { uid: string }) => Number(r.uid)), made.name, true);
  }

  async setSubscribed(name: string, subscribed: boolean): Promise<void> {
    const rows = await this.db.query('UPDATE folders SET subscribed = $3 WHERE mailbox_id = $1 AND name = $2 RETURNING id', [this.mailboxId, name, subscribed]);
    if (!rowsOf(rows).length) throw new ImapBackendError('NONEXISTENT', 'no such folder');
  }

  async folderStatus(name: string): Promise<FolderStatus> {
    const rows = await this.db.query(
      `SELECT f.uid_validity, f.uid_next, f.highest_modseq,
              count(mm.uid)::int AS messages,
              (count(mm.uid) FILTER (WHERE NOT ('\\Seen' = ANY(mm.flags))))::int AS unseen,
              (count(mm.uid) FILTER (WHERE mm.uid >= f.recent_from_uid))::int AS recent,
              coalesce(sum(mm.size), 0)::bigint AS size
         FROM folders f LEFT JOIN mailbox_messages mm ON mm.folder_id = f.id
        WHERE f.mailbox_id = $1 AND f.name = $2
        GROUP BY f.id`,
      [this.mailboxId, name],
    );
    if (!rows.length) throw new ImapBackendError('NONEXISTENT', 'no such folder');
    const r = rows[0];
    return {
      messages: r.messages,
      unseen: r.unseen,
      recent: r.recent,
      uidNext: Number(r.uid_next),
      uidValidity: Number(r.uid_validity),
      highestModseq: Number(r.highest_modseq),
      size: Number(r.size),
    };
  }

  async openFolder(name: string, opts: { readOnly: boolean }): Promise<FolderSnapshot> {
    let firstRecentUid: number | null = null;
    if (!opts.readOnly) {
      // claim \Recent: this session sees messages from the old mark on as recent, no other session will.
      // Only when there is something to claim: a SELECT of a folder without new mail writes nothing
      // (no row version, no WAL flush at commit)
      const claimed = await this.db.query(
        `UPDATE folders f SET recent_from_uid = f.uid_next FROM folders old
          WHERE f.id = old.id AND f.mailbox_id = $1 AND f.name = $2 AND f.recent_from_uid < f.uid_next
          RETURNING old.recent_from_uid`,
        [this.mailboxId, name],
      );
      const row = rowsOf(claimed)[0];
      if (row) firstRecentUid = Number(row.recent_from_uid);
    }
    const state = this.opts.folderStates
      ? await this.opts.folderStates.read(this.db.manager, this.mailboxId, name)
      : await readFolderState(this.db.manager, this.mailboxId, { name }, 0);
    if (!state) throw new ImapBackendError('NONEXISTENT', 'no such folder');
    // nothing was claimed: the mark stood at uid_next, so only what arrived since is recent here
    if (!opts.readOnly && firstRecentUid === null) firstRecentUid = state.recentFromUid;
    this.lastOpened = state.info.id;
    return {
      folder: state.info,
      uidValidity: state.uidValidity,
      uidNext: state.uidNext,
      highestModseq: state.highestModseq,
      messages: state.messages,
      firstRecentUid,
    };
  }

  async *fetchMessages(folderId: string, uids: readonly number[], needs: FetchNeeds): AsyncIterable<MessageContent> {
    const batch = needs.raw ? RAW_BATCH : META_BATCH;
    for (let i = 0; i < uids.length; i += batch) {
      const part = uids.slice(i, i + batch);
      const rows = await this.db.query(
        `SELECT mm.uid, m.id,
                ${needs.raw ? 'm.raw' : 'NULL::bytea AS raw'},
                ${!needs.raw && needs.header ? 'substring(m.raw FROM 1 FOR m.header_bytes)' : 'NULL::bytea'} AS header,
                ${needs.structure ? 'm.imap_structure' : 'NULL::jsonb AS imap_structure'},
                ${needs.fetchText ? 'm.imap_envelope, m.imap_body_structure' : 'NULL AS imap_envelope, NULL AS imap_body_structure'}
           FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id
          WHERE mm.folder_id = $1 AND mm.mailbox_id = $2 AND mm.uid = ANY($3::bigint[])
          ORDER BY mm.uid`,
        [folderId, this.mailboxId, part],
      );
      for (const r of rows) {
        const content: MessageContent = { uid: Number(r.uid) };
        if (needs.raw) content.raw = r.raw;
        else if (needs.header) content.header = r.header;
        if (needs.structure) content.structure = await this.structureOf(r.id, r.imap_structure, r.raw);
        if (needs.fetchText) {
          if (r.imap_envelope !== null && r.imap_body_structure !== null) content.fetchText = { envelope: r.imap_envelope, bodyStructure: r.imap_body_structure };
          else await this.makeFetchText(r.id, r.raw, content);
        }
        yield content;
      }
    }
  }

  /** For rows stored before the texts existed: made from the structure and kept; the structure alone when a text cannot be stored. */
  private async makeFetchText(messageId: string, raw: Buffer | null, content: MessageContent): Promise<void> {
    const structure = content.structure ?? (await this.structureOf(messageId, (await this.db.query('SELECT imap_structure FROM messages WHERE id = $1', [messageId]))[0]?.imap_structure ?? null, raw));
    const text = imapFetchText(structure);
    if (!text) {
      content.structure = structure;
      return;
    }
    await this.db.query('UPDATE messages SET imap_envelope = $2, imap_body_structure = $3 WHERE id = $1', [messageId, text.envelope, text.bodyStructure]);
    content.fetchText = text;
  }

  /** The stored structure, or (for rows stored before it existed, or of an older version) computed now and kept. */
  private async structureOf(messageId: string, stored: ImapStructure | null, raw: Buffer | null): Promise<ImapStructure> {
    if (stored && stored.version === IMAP_STRUCTURE_VERSION) return stored;
    const bytes: Buffer = raw ?? (await this.db.query('SELECT raw FROM messages WHERE id = $1', [messageId]))[0].raw;
    const structure = computeImapStructure(bytes);
    await this.db.query('UPDATE messages SET imap_structure = $2 WHERE id = $1', [messageId, JSON.stringify(structure)]);
    return structure;
  }

  async storeFlags(folderId: string, uids: readonly number[], op: FlagOperation, flags: readonly string[], opts: { unchangedSince?: number } = {}): Promise<StoreResult> {
    return this.db.transaction(async (m) => {
      const folder = await lockFolder(m, this.mailboxId, { id: folderId });
      if (!folder) throw new ImapBackendError('NONEXISTENT', 'the folder no longer exists');
      const current = await m.query(
        `SELECT uid, modseq, flags, internal_date, size FROM mailbox_messages WHERE folder_id = $1 AND uid = ANY($2::bigint[]) ORDER BY uid`,
        [folderId, uids],
      );
      const changed: MessageState[] = [];
      const conflicts: number[] = [];
      let modseq = folder.highestModseq;
      for (const r of current) {
        const uid = Number(r.uid);
        if (opts.unchangedSince !== undefined && Number(r.modseq) > opts.unchangedSince) {
          conflicts.push(uid);
          continue;
        }
        const next = applyFlags(r.flags, op, flags);
        if (next.length === r.flags.length && next.every((x, i) => x === r.flags[i])) continue;
        changed.push({ uid, modseq: ++modseq, flags: next, internalDate: r.internal_date, size: r.size });
      }
      if (changed.length) {
        // flags travel as space-separated text (a flag never contains a space): one array per message without ragged arrays
        await m.query(
          `UPDATE mailbox_messages mm SET flags = string_to_array(t.flags, ' '), modseq = t.modseq
             FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS t(uid, flags, modseq)
            WHERE mm.folder_id = $1 AND mm.uid = t.uid`,
          [folderId, changed.map((c) => c.uid), changed.map((c) => c.flags.join(' ')), changed.map((c) => c.modseq)],
        );
        await m.query('UPDATE folders SET highest_modseq = $2 WHERE id = $1', [folderId, modseq]);
        await notifyFolder(m, this.mailboxId, folderId);
      }
      return { changed, conflicts };
    });
  }

  copyMessages(folderId: string, uids: readonly number[], target: string): Promise<CopyResult> {
    return this.transfer(folderId, uids, target, false);
  }

  moveMessages(folderId: string, uids: readonly number[], target: string): Promise<CopyResult> {
    return this.transfer(folderId, uids, target, true);
  }

  /**
   * COPY and MOVE: both folder rows locked in id order (two moves in opposite
   * directions cannot deadlock), new UIDs taken from the target's uid_next in
   * source UID order, bytes shared (no new messages row).
   */
  private async transfer(folderId: string, uids: readonly number[], target: string, move: boolean): Promise<CopyResult> {
    return this.db.transaction(async (m) => {
      const locked = await m.query(
        `SELECT id, name, highest_modseq FROM folders WHERE mailbox_id = $1 AND (id = $2::uuid OR name = $3) ORDER BY id FOR UPDATE`,
        [this.mailboxId, folderId, target],
      );
      const source = locked.find((f: { id: string }) => f.id === folderId);
      if (!source) throw new ImapBackendError('NONEXISTENT', 'the folder no longer exists');
      const dest = locked.find((f: { name: string }) => f.name === target);
      if (!dest) throw new ImapBackendError('TRYCREATE', 'no such folder');
      const picked = await m.query(
        `SELECT uid, message_id, flags, internal_date, size FROM mailbox_messages WHERE folder_id = $1 AND uid = ANY($2::bigint[]) ORDER BY uid`,
        [folderId, uids],
      );
      const n = picked.length;
      const bytes = picked.reduce((sum: number, r: { size: number }) => sum + r.size, 0);
      if (!move && n > 0) {
        const usage = await m.query('SELECT used_bytes, quota_bytes FROM mailboxes WHERE id = $1 FOR UPDATE', [this.mailboxId]);
        if (Number(usage[0].used_bytes) + bytes > Number(usage[0].quota_bytes)) throw new ImapBackendError('OVERQUOTA', 'the mailbox would be over its quota');
      }
      const slot = await m.query(
        `UPDATE folders SET uid_next = uid_next + $2, highest_modseq = highest_modseq + $2 WHERE id = $1
         RETURNING uid_validity, uid_next - $2 AS first_uid, highest_modseq - $2 AS first_modseq`,
        [dest.id, n],
      );
      const { uid_validity, first_uid, first_modseq } = rowsOf(slot)[0];
      const firstUid = Number(first_uid);
      if (n === 0) return { uidValidity: Number(uid_validity), mapping: [] };
      await m.query(
        `INSERT INTO mailbox_messages (id, mailbox_id, folder_id, uid, modseq, message_id, flags, internal_date, size)
         SELECT t.id, $1, $2, $3::bigint + t.ord - 1, $4::bigint + t.ord, m.message_id, m.flags, m.internal_date, m.size
           FROM unnest($6::bigint[], $7::uuid[]) WITH ORDINALITY AS t(uid, id, ord)
           JOIN mailbox_messages m ON m.folder_id = $5 AND m.uid = t.uid`,
        [this.mailboxId, dest.id, firstUid, Number(first_modseq), folderId, picked.map((r: { uid: string }) => Number(r.uid)), picked.map(() => newId())],
      );
      if (move) {
        const removed = await this.deleteCopies(m, folderId, 'uid = ANY($2::bigint[])', [picked.map((r: { uid: string }) => Number(r.uid))]);
        const sourceModseq = dest.id === folderId ? Number(first_modseq) + n : Number(source.highest_modseq);
        await recordRemoval(m, this.mailboxId, folderId, sourceModseq, removed, { releaseUsage: false });
        await notifyFolder(m, this.mailboxId, folderId);
      } else {
        await m.query('UPDATE mailboxes SET used_bytes = used_bytes + $2, message_count = message_count + $3 WHERE id = $1', [this.mailboxId, bytes, n]);
      }
      await notifyFolder(m, this.mailboxId, dest.id);
      return { uidValidity: Number(uid_validity), mapping: picked.map((r: { uid: string }, i: number) => [Number(r.uid), firstUid + i] as [number, number]) };
    });
  }

  async appendMessage(target: string, raw: Buffer, opts: { flags: readonly string[]; internalDate?: Date }): Promise<AppendResult> {
    if (raw.length > this.opts.maxMessageBytes) throw new ImapBackendError('TOOBIG', `messages are limited to ${this.opts.maxMessageBytes} octets`);
    const rows = await this.db.query(
      `SELECT f.uid_validity, mb.used_bytes, mb.quota_bytes FROM folders f JOIN mailboxes mb ON mb.id = f.mailbox_id WHERE f.mailbox_id = $1 AND f.name = $2`,
      [this.mailboxId, target],
    );
    if (!rows.length) throw new ImapBackendError('TRYCREATE', 'no such folder');
    if (Number(rows[0].used_bytes) + raw.length > Number(rows[0].quota_bytes)) throw new ImapBackendError('OVERQUOTA', 'the mailbox is full');
    // the store's delivery code: one transaction, UID from the folder row, usage and NOTIFY included
    const result = await deliverMessage(this.db, {
      raw: Buffer.from(raw),
      envelopeFrom: '',
      mailboxIds: [this.mailboxId],
      folder: target,
      flags: [...opts.flags],
      internalDate: opts.internalDate,
    });
    const stored = result.deliveries[0];
    return { uidValidity: Number(rows[0].uid_validity), uid: stored.uid, folderId: stored.folderId };
  }

  async expunge(folderId: string, opts: { uids?: readonly number[]; maxUid: number }): Promise<number[]> {
    return this.db.transaction(async (m) => {
      const folder = await lockFolder(m, this.mailboxId, { id: folderId });
      if (!folder) throw new ImapBackendError('NONEXISTENT', 'the folder no longer exists');
      const params: unknown[] = [opts.maxUid];
      let where = `uid <= $2 AND '\\Deleted' = ANY(flags)`;
      if (opts.uids) {
        params.push(opts.uids);
        where += ' AND uid = ANY($3::bigint[])';
      }
      const removed = await this.deleteCopies(m, folderId, where, params);
      if (removed.length === 0) return [];
      await recordRemoval(m, this.mailboxId, folderId, folder.highestModseq, removed, { releaseUsage: true });
      await notifyFolder(m, this.mailboxId, folderId);
      return removed.map((r) => r.uid);
    });
  }

  /** DELETE ... RETURNING the copies of a folder matching `where` (parameters from $2 on). */
  private async deleteCopies(m: EntityManager, folderId: string, where: string, params: unknown[]): Promise<RemovedCopy[]> {
    const rows = await m.query(
      `WITH gone AS (DELETE FROM mailbox_messages WHERE folder_id = $1 AND ${where} RETURNING uid, message_id, size)
       SELECT uid, message_id, size FROM gone ORDER BY uid`,
      [folderId, ...params],
    );
    return rows.map((r: { uid: string; message_id: string; size: number }) => ({ uid: Number(r.uid), messageId: r.message_id, size: r.size }));
  }

  /**
   * One statement for messages stored with their search text (all since the
   * columns exist): every key in SQL. Rows without it (stored before, or too
   * long to store) are answered by the header summary when that suffices,
   * otherwise decoded here with matchesMessage(), and their text is written
   * back, so only the first search pays for an old message.
   */
  async search(folderId: string, key: SearchKey, opts: { maxUid: number }): Promise<number[]> {
    const params: unknown[] = [folderId, this.mailboxId, opts.maxUid];
    const { indexed, legacy } = searchConditions(key, params);
    const rows = await this.db.query(
      `SELECT mm.uid, m.search_body IS NULL AS unindexed FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id
        WHERE mm.folder_id = $1 AND mm.mailbox_id = $2 AND mm.uid <= $3
          AND CASE WHEN m.search_body IS NOT NULL THEN ${indexed} ELSE ${legacy ?? 'TRUE'} END
        ORDER BY mm.uid`,
      params,
    );
    const out: number[] = [];
    const undecided: number[] = [];
    for (const r of rows) (legacy === null && r.unindexed ? undecided : out).push(Number(r.uid));
    if (undecided.length === 0) return out;
    for (let i = 0; i < undecided.length; i += RAW_BATCH) out.push(...(await this.searchDecoding(folderId, key, undecided.slice(i, i + RAW_BATCH))));
    return out.sort((a, b) => a - b);
  }

  /** matchesMessage() over the raw bytes of these messages; their search text is stored for next time. */
  private async searchDecoding(folderId: string, key: SearchKey, uids: number[]): Promise<number[]> {
    const rows = await this.db.query(
      `SELECT mm.uid, mm.modseq, mm.flags, mm.internal_date, mm.size, m.id, m.raw, m.imap_structure
         FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id
        WHERE mm.folder_id = $1 AND mm.mailbox_id = $2 AND mm.uid = ANY($3::bigint[])
        ORDER BY mm.uid`,
      [folderId, this.mailboxId, uids],
    );
    const found: number[] = [];
    const learned: { id: string; text: SearchText }[] = [];
    for (const r of rows) {
      const state: MessageState = { uid: Number(r.uid), modseq: Number(r.modseq), flags: r.flags, internalDate: r.internal_date, size: r.size };
      const structure: ImapStructure | undefined = r.imap_structure?.version === IMAP_STRUCTURE_VERSION ? r.imap_structure : undefined;
      const text = await searchableText(r.raw, structure);
      if (await matchesMessage(key, state, async () => text)) found.push(state.uid);
      const storable = storableSearchText(text);
      if (storable) learned.push({ id: r.id, text: storable });
    }
    if (learned.length) {
      await this.db.query(
        `UPDATE messages m SET search_headers = t.headers, search_body = t.body
           FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, headers, body)
          WHERE m.id = t.id AND m.search_body IS NULL`,
        [learned.map((l) => l.id), learned.map((l) => l.text.headers), learned.map((l) => l.text.body)],
      );
    }
    return found;
  }

  async changesSince(folderId: string, since: number): Promise<FolderChanges | null> {
    const state = await readFolderState(this.db.manager, this.mailboxId, { id: folderId }, since);
    if (!state) return null;
    return { highestModseq: state.highestModseq, changed: state.messages, expunged: state.expunged };
  }

  async quota(): Promise<QuotaInfo> {
    const rows = await this.db.query('SELECT used_bytes, quota_bytes FROM mailboxes WHERE id = $1', [this.mailboxId]);
    if (!rows.length) return { usedBytes: 0, limitBytes: null };
    return { usedBytes: Number(rows[0].used_bytes), limitBytes: Number(rows[0].quota_bytes) };
  }

  watch(listener: (change: FolderChangeSignal) => void): () => void {
    const unsubscribe = this.signals.subscribe(this.mailboxId, (signal) => {
      if (signal.folderId !== '*') listener(signal);
      else if (this.lastOpened) listener({ folderId: this.lastOpened });
    });
    this.unsubscribes.add(unsubscribe);
    return () => {
      unsubscribe();
      this.unsubscribes.delete(unsubscribe);
    };
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribes) u();
    this.unsubscribes.clear();
  }
}

/** DELETE/UPDATE ... RETURNING through TypeORM answer [rows, count]; a SELECT answers rows. */
function rowsOf(result: unknown): any[] {
  return Array.isArray(result) && Array.isArray(result[0]) ? result[0] : (result as any[]);
}

function applyFlags(current: readonly string[], op: FlagOperation, flags: readonly string[]): string[] {
  if (op === 'replace') return [...new Set(flags)];
  if (op === 'add') return [...current, ...flags.filter((f, i) => !hasFlag(current, f) && flags.findIndex((g) => g.toLowerCase() === f.toLowerCase()) === i)];
  return current.filter((f) => !hasFlag(flags, f));
}
