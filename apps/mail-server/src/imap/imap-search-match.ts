import { summariseHeaders } from '../../../../libs/core/src/mail-store/header-summary';
import type { ImapStructure } from '../../../../libs/core/src/mime/imap-structure';
import { computeSearchText, headerLineContains, headersContain, SearchText } from '../../../../libs/core/src/mime/search-text';
import type { MessageState, SearchKey } from './imap-backend';
import { utcDay } from './imap-dates';
import { hasFlag } from './imap-flags';

/**
 * The reference semantics of SearchKey: what a backend's search() must
 * answer. The session uses matchesState() for keys it can answer from its
 * own view; the in-memory backend uses matchesMessage() for all of them,
 * and a database backend may use it for what it cannot express in SQL.
 */

/** Keys that need nothing but the message's state (flags, UID, INTERNALDATE, size). */
export function matchesState(key: SearchKey, m: MessageState): boolean {
  switch (key.type) {
    case 'and':
      return key.keys.every((k) => matchesState(k, m));
    case 'or':
      return matchesState(key.left, m) || matchesState(key.right, m);
    case 'not':
      return !matchesState(key.key, m);
    case 'uid':
      return includesSorted(key.uids, m.uid);
    case 'flag':
      return hasFlag(m.flags, key.flag) === key.set;
    case 'size':
      return key.comparison === 'larger' ? m.size > key.size : m.size < key.size;
    case 'date':
      if (key.field !== 'internal') throw new Error('sent dates need the message header');
      return compareDay(utcDay(m.internalDate), key.comparison, key.date);
    default:
      throw new Error(`${key.type} needs the message content`);
  }
}

/** What string and sent-date keys look at: the search text (lower case) and the parsed Date: header. */
export interface SearchableText extends SearchText {
  sentDate: Date | null;
}

/**
 * Decodes a message for string search: the same text the store keeps in
 * messages.search_headers / search_body (computeSearchText), so SQL and this
 * reference answer alike; the sent date as the store's header summary reads it.
 */
export async function searchableText(raw: Buffer, structure?: ImapStructure): Promise<SearchableText> {
  return { ...computeSearchText(raw, structure), sentDate: summariseHeaders(raw).date };
}

/** Every key, given the message's state and (lazily) its decoded text. */
export async function matchesMessage(key: SearchKey, m: MessageState, text: () => Promise<SearchableText>): Promise<boolean> {
  switch (key.type) {
    case 'and':
      for (const k of key.keys) if (!(await matchesMessage(k, m, text))) return false;
      return true;
    case 'or':
      return (await matchesMessage(key.left, m, text)) || (await matchesMessage(key.right, m, text));
    case 'not':
      return !(await matchesMessage(key.key, m, text));
    case 'header':
      return headerLineContains((await text()).headers, key.field, key.value.toLowerCase());
    case 'body':
      return (await text()).body.includes(key.value.toLowerCase());
    case 'text': {
      const t = await text();
      const needle = key.value.toLowerCase();
      return t.body.includes(needle) || headersContain(t.headers, needle);
    }
    case 'date':
      if (key.field === 'sent') {
        const sent = (await text()).sentDate;
        return sent !== null && compareDay(utcDay(sent), key.comparison, key.date);
      }
      return matchesState(key, m);
    default:
      return matchesState(key, m);
  }
}

function compareDay(day: string, comparison: 'before' | 'on' | 'since', date: string): boolean {
  if (comparison === 'before') return day < date;
  if (comparison === 'on') return day === date;
  return day >= date;
}

function includesSorted(values: readonly number[], v: number): boolean {
  let lo = 0;
  let hi = values.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] === v) return true;
    if (values[mid] < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
