import type { FetchNeeds } from './imap-backend';
import { ImapSyntaxError } from './imap-errors';
import { Token, tokenizeFragment } from './imap-tokenizer';

/** A body section (RFC 3501 6.4.5): part path and what of it. */
export interface BodySection {
  /** Part numbers, e.g. [1, 2] for "1.2"; empty for the message itself. */
  path: number[];
  spec: '' | 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';
  /** Header field names (upper case) for HEADER.FIELDS(.NOT). */
  fields: string[];
}

export type FetchItem =
  | { type: 'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODYSTRUCTURE' | 'BODY' }
  | {
      type: 'section';
      /** How the item is named in the response: "BODY[...]<o>", "RFC822", "RFC822.HEADER", "RFC822.TEXT". */
      label: string;
      section: BodySection;
      /** Sets \Seen (BODY[...] and RFC822, RFC822.TEXT; not BODY.PEEK or RFC822.HEADER). */
      setsSeen: boolean;
      partial: { start: number; length: number } | null;
    };

const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

const SIMPLE = new Set(['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY']);

/** FETCH's second argument: a macro, one item, or a parenthesised list. */
export function parseFetchItems(arg: Token | undefined): FetchItem[] {
  if (!arg) throw new ImapSyntaxError('FETCH needs data items');
  if (arg.type === 'atom' && MACROS[arg.value.toUpperCase()]) return MACROS[arg.value.toUpperCase()].map((t) => parseItem(t));
  const tokens = arg.type === 'list' ? arg.items : [arg];
  if (!tokens.length) throw new ImapSyntaxError('FETCH needs data items');
  return tokens.map((t) => {
    if (t.type !== 'atom') throw new ImapSyntaxError('invalid FETCH data item');
    return parseItem(t.value);
  });
}

function parseItem(text: string): FetchItem {
  const upper = text.toUpperCase();
  if (SIMPLE.has(upper)) return { type: upper as 'UID' };
  if (upper === 'RFC822') return { type: 'section', label: 'RFC822', section: { path: [], spec: '', fields: [] }, setsSeen: true, partial: null };
  if (upper === 'RFC822.HEADER')
    return { type: 'section', label: 'RFC822.HEADER', section: { path: [], spec: 'HEADER', fields: [] }, setsSeen: false, partial: null };
  if (upper === 'RFC822.TEXT') return { type: 'section', label: 'RFC822.TEXT', section: { path: [], spec: 'TEXT', fields: [] }, setsSeen: true, partial: null };
  const m = /^(BODY|BODY\.PEEK|BINARY\.PEEK|BINARY)\[(.*)\](?:<(\d{1,10})\.(\d{1,10})>)?$/is.exec(text);
  if (!m || m[1].toUpperCase().startsWith('BINARY')) throw new ImapSyntaxError(`unknown FETCH data item ${text.slice(0, 40)}`);
  const section = parseSection(m[2]);
  const partial = m[3] !== undefined ? { start: Number(m[3]), length: Number(m[4]) } : null;
  if (partial && partial.length === 0) throw new ImapSyntaxError('partial length must be positive');
  const sectionText = sectionLabel(section);
  return {
    type: 'section',
    label: `BODY[${sectionText}]${partial ? `<${partial.start}>` : ''}`,
    section,
    setsSeen: m[1].toUpperCase() === 'BODY',
    partial,
  };
}

const SPECS = new Set(['', 'HEADER', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT', 'TEXT', 'MIME']);

function parseSection(text: string): BodySection {
  const trimmed = text.trim();
  const open = trimmed.indexOf('(');
  const head = (open === -1 ? trimmed : trimmed.slice(0, open)).trim();
  const listText = open === -1 ? null : trimmed.slice(open);
  const pieces = head ? head.split('.') : [];
  const path: number[] = [];
  while (pieces.length && /^\d+$/.test(pieces[0])) {
    const n = Number(pieces.shift());
    if (n < 1 || n > 100_000) throw new ImapSyntaxError('invalid part number');
    path.push(n);
  }
  const spec = pieces.join('.').toUpperCase();
  if (!SPECS.has(spec) || path.length > 50) throw new ImapSyntaxError('invalid body section');
  if (spec === 'MIME' && path.length === 0) throw new ImapSyntaxError('MIME needs a part number');
  let fields: string[] = [];
  if (spec === 'HEADER.FIELDS' || spec === 'HEADER.FIELDS.NOT') {
    const tokens = listText ? tokenizeFragment(listText) : null;
    const list = tokens?.length === 1 && tokens[0].type === 'list' ? tokens[0].items : null;
    if (!list || list.length === 0) throw new ImapSyntaxError('HEADER.FIELDS needs a list of field names');
    fields = list.map((t) => {
      const name = t.type === 'atom' ? t.value : t.type === 'string' ? t.bytes.toString('utf8') : '';
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) throw new ImapSyntaxError('invalid header field name');
      return name.toUpperCase();
    });
  } else if (listText) {
    throw new ImapSyntaxError('invalid body section');
  }
  return { path, spec: spec as BodySection['spec'], fields };
}

/** The section as the response names it: "1.2.HEADER.FIELDS (FROM TO)". */
export function sectionLabel(s: BodySection): string {
  const parts = [...s.path.map(String), ...(s.spec ? [s.spec] : [])].join('.');
  return s.fields.length ? `${parts} (${s.fields.join(' ')})` : parts;
}

/** What the backend must load for these items. */
export function fetchNeeds(items: readonly FetchItem[]): FetchNeeds {
  const needs: FetchNeeds = {};
  for (const item of items) {
    if (item.type === 'ENVELOPE' || item.type === 'BODYSTRUCTURE') needs.fetchText = true;
    if (item.type === 'BODY') needs.structure = true;
    if (item.type !== 'section') continue;
    const { path, spec } = item.section;
    if (path.length === 0 && (spec === 'HEADER' || spec === 'HEADER.FIELDS' || spec === 'HEADER.FIELDS.NOT')) {
      needs.header = true;
    } else {
      needs.raw = true;
      if (path.length > 0) needs.structure = true;
    }
  }
  if (needs.raw) delete needs.header;
  return needs;
}
