import libmime from 'libmime';
import { simpleParser } from 'mailparser';
import type { MessageState, SearchKey } from './imap-backend';
import { headerFields } from './imap-body-section';
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

export interface SearchableText {
  /** [lower-case name, decoded value] of every header field. */
  headers: [string, string][];
  /** The decoded text of the body's text parts (HTML as text). */
  body: string;
  sentDate: Date | null;
}

/** Decodes a message for string search: encoded words, transfer encodings and charsets. */
export async function searchableText(raw: Buffer): Promise<SearchableText> {
  const sep = raw.indexOf('\r\n\r\n');
  const header = sep === -1 ? raw : raw.subarray(0, sep + 2);
  const headers: [string, string][] = headerFields(header).map((f) => {
    const line = f.bytes.toString('utf8');
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n(?=[ \t])/g, '')
      .trim();
    let decoded = value;
    try {
      decoded = libmime.decodeWords(value);
    } catch {
      // an unknown charset in an encoded word: search the text as written
    }
    return [f.name, decoded];
  });
  let body = '';
  let sentDate: Date | null = null;
  try {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
    body = [parsed.text ?? '', typeof parsed.html === 'string' && !parsed.text ? parsed.html.replace(/<[^>]*>/g, ' ') : ''].join('\n');
    sentDate = parsed.date && !Number.isNaN(parsed.date.getTime()) && parsed.headers.has('date') ? parsed.date : null;
  } catch {
    body = raw.subarray(header.length).toString('utf8');
  }
  return { headers, body, sentDate };
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
    case 'header': {
      const needle = key.value.toLowerCase();
      return (await text()).headers.some(([name, value]) => name === key.field && value.toLowerCase().includes(needle));
    }
    case 'body':
      return (await text()).body.toLowerCase().includes(key.value.toLowerCase());
    case 'text': {
      const t = await text();
      const needle = key.value.toLowerCase();
      return t.body.toLowerCase().includes(needle) || t.headers.some(([name, value]) => `${name}: ${value}`.toLowerCase().includes(needle));
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
