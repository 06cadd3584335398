import type { SearchKey } from './imap-backend';
import { parseSearchDate } from './imap-dates';
import { ImapRefusal, ImapSyntaxError } from './imap-errors';
import { canonicalFlag } from './imap-flags';
import type { SelectedFolder } from './imap-selected-folder';
import { parseSequenceSet, resolveSequenceNumbers, resolveUidSet, SequenceRange } from './imap-sequence';
import { Token } from './imap-tokenizer';

/**
 * SEARCH criteria (RFC 3501 6.4.4) as the client wrote them, before the
 * session resolves sequence numbers, `*` and \Recent against its view.
 */
export type ClientSearchKey =
  | SearchKey
  | { type: 'sequence'; ranges: SequenceRange[] }
  | { type: 'uidset'; ranges: SequenceRange[] }
  | { type: 'recent'; set: boolean }
  | { type: 'clientAnd'; keys: ClientSearchKey[] }
  | { type: 'clientOr'; left: ClientSearchKey; right: ClientSearchKey }
  | { type: 'clientNot'; key: ClientSearchKey };

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};

const HEADER_KEYS = new Set(['FROM', 'TO', 'CC', 'BCC', 'SUBJECT']);
const DATE_KEYS: Record<string, ['internal' | 'sent', 'before' | 'on' | 'since']> = {
  BEFORE: ['internal', 'before'],
  ON: ['internal', 'on'],
  SINCE: ['internal', 'since'],
  SENTBEFORE: ['sent', 'before'],
  SENTON: ['sent', 'on'],
  SENTSINCE: ['sent', 'since'],
};

const MAX_DEPTH = 50;

/** SEARCH arguments: optional CHARSET, then criteria ANDed together. */
export function parseSearch(args: Token[]): ClientSearchKey {
  let i = 0;
  const first = args[0];
  if (first?.type === 'atom' && first.value.toUpperCase() === 'CHARSET') {
    const charset = tokenText(args[1]);
    if (charset === null) throw new ImapSyntaxError('CHARSET needs a name');
    if (!/^(utf-8|us-ascii)$/i.test(charset)) throw new ImapRefusal('BADCHARSET (UTF-8 US-ASCII)', `charset ${charset.slice(0, 40)} is not supported`);
    i = 2;
  }
  if (i >= args.length) throw new ImapSyntaxError('SEARCH needs criteria');
  const keys: ClientSearchKey[] = [];
  const cursor = { i };
  while (cursor.i < args.length) keys.push(parseKey(args, cursor, 0));
  return keys.length === 1 ? keys[0] : { type: 'clientAnd', keys };
}

function tokenText(t: Token | undefined): string | null {
  if (!t) return null;
  if (t.type === 'atom') return t.value;
  if (t.type === 'string') return t.bytes.toString('utf8');
  return null;
}

function parseKey(args: Token[], cursor: { i: number }, depth: number): ClientSearchKey {
  if (depth > MAX_DEPTH) throw new ImapSyntaxError('search criteria nested too deep');
  const t = args[cursor.i++];
  if (!t) throw new ImapSyntaxError('missing search criterion');
  if (t.type === 'list') {
    if (!t.items.length) throw new ImapSyntaxError('empty parenthesised criteria');
    const inner = { i: 0 };
    const keys: ClientSearchKey[] = [];
    while (inner.i < t.items.length) keys.push(parseKey(t.items, inner, depth + 1));
    return keys.length === 1 ? keys[0] : { type: 'clientAnd', keys };
  }
  if (t.type !== 'atom') throw new ImapSyntaxError('expected a search key');
  const name = t.value.toUpperCase();
  const arg = (what: string): string => {
    const v = tokenText(args[cursor.i++]);
    if (v === null) throw new ImapSyntaxError(`${name} needs ${what}`);
    return v;
  };
  if (FLAG_KEYS[name]) return { type: 'flag', flag: FLAG_KEYS[name][0], set: FLAG_KEYS[name][1] };
  switch (name) {
    case 'ALL':
      return { type: 'and', keys: [] };
    case 'NEW':
      return { type: 'clientAnd', keys: [{ type: 'recent', set: true }, { type: 'flag', flag: '\\Seen', set: false }] };
    case 'OLD':
      return { type: 'recent', set: false };
    case 'RECENT':
      return { type: 'recent', set: true };
    case 'KEYWORD':
    case 'UNKEYWORD': {
      const flag = canonicalFlag(arg('a keyword'));
      // a keyword that cannot exist matches nothing (KEYWORD) or everything (UNKEYWORD)
      if (flag === null) return name === 'KEYWORD' ? { type: 'uid', uids: [] } : { type: 'and', keys: [] };
      return { type: 'flag', flag, set: name === 'KEYWORD' };
    }
    case 'HEADER': {
      const field = arg('a field name').toLowerCase();
      const value = arg('a value');
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(field)) throw new ImapSyntaxError('invalid header field name');
      return { type: 'header', field, value };
    }
    case 'BODY':
      return { type: 'body', value: arg('a string') };
    case 'TEXT':
      return { type: 'text', value: arg('a string') };
    case 'LARGER':
    case 'SMALLER': {
      const n = arg('a number');
      if (!/^\d{1,15}$/.test(n)) throw new ImapSyntaxError(`${name} needs a number`);
      return { type: 'size', comparison: name === 'LARGER' ? 'larger' : 'smaller', size: Number(n) };
    }
    case 'UID': {
      const ranges = parseSequenceSet(arg('a UID set'));
      if (!ranges) throw new ImapSyntaxError('invalid UID set');
      return { type: 'uidset', ranges };
    }
    case 'NOT':
      return { type: 'clientNot', key: parseKey(args, cursor, depth + 1) };
    case 'OR': {
      const left = parseKey(args, cursor, depth + 1);
      const right = parseKey(args, cursor, depth + 1);
      return { type: 'clientOr', left, right };
    }
  }
  if (HEADER_KEYS.has(name)) return { type: 'header', field: name.toLowerCase(), value: arg('a string') };
  if (DATE_KEYS[name]) {
    const date = parseSearchDate(arg('a date'));
    if (!date) throw new ImapSyntaxError(`${name} needs a date like 1-Feb-2024`);
    return { type: 'date', field: DATE_KEYS[name][0], comparison: DATE_KEYS[name][1], date };
  }
  const ranges = parseSequenceSet(t.value);
  if (ranges) return { type: 'sequence', ranges };
  throw new ImapSyntaxError(`unknown search key ${t.value.slice(0, 30)}`);
}

/**
 * Resolves what only the session knows: sequence numbers and `*` become UID
 * sets, \Recent becomes the UIDs recent to this session.
 */
export function resolveSearch(key: ClientSearchKey, view: SelectedFolder): SearchKey {
  switch (key.type) {
    case 'sequence': {
      const indexes = resolveSequenceNumbers(key.ranges, view.count);
      if (!indexes) throw new ImapSyntaxError('sequence number out of range');
      return { type: 'uid', uids: indexes.map((i) => view.uids[i]) };
    }
    case 'uidset':
      return { type: 'uid', uids: resolveUidSet(key.ranges, view.uids).map((i) => view.uids[i]) };
    case 'recent': {
      const recent = view.messages.filter((m) => m.recent).map((m) => m.uid);
      return key.set ? { type: 'uid', uids: recent } : { type: 'not', key: { type: 'uid', uids: recent } };
    }
    case 'clientAnd':
      return { type: 'and', keys: key.keys.map((k) => resolveSearch(k, view)) };
    case 'clientOr':
      return { type: 'or', left: resolveSearch(key.left, view), right: resolveSearch(key.right, view) };
    case 'clientNot':
      return { type: 'not', key: resolveSearch(key.key, view) };
    default:
      return key;
  }
}

/** Whether the key needs message content or headers (so the backend must answer it). */
export function needsBackend(key: SearchKey): boolean {
  switch (key.type) {
    case 'and':
      return key.keys.some(needsBackend);
    case 'or':
      return needsBackend(key.left) || needsBackend(key.right);
    case 'not':
      return needsBackend(key.key);
    case 'header':
    case 'body':
    case 'text':
      return true;
    case 'date':
      return key.field === 'sent';
    default:
      return false;
  }
}
