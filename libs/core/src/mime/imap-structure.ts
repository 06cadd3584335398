import libmime from 'libmime';
import addressparser from 'nodemailer/lib/addressparser';

/**
 * IMAP's view of a message (RFC 3501 7.4.2 ENVELOPE and BODYSTRUCTURE),
 * computed once from the raw bytes when a message is stored and kept as
 * jsonb beside it, so FETCH never parses MIME again. Every part carries the
 * byte offsets of its header and body inside the raw message, so
 * BODY[1.2], BODY[1.2.MIME], BODY[2.HEADER] ... are slices of the raw bytes.
 *
 * We split the message ourselves rather than with mailsplit: mailsplit is a
 * stream that re-emits the bytes but does not report where each part starts,
 * and IMAP needs exact offsets. Header values and parameters are parsed with
 * libmime, addresses with nodemailer's addressparser (both keep encoded
 * words as they are, which is what ENVELOPE must show).
 */

/**
 * Bump when the shape changes, so stored structures can be recomputed. The
 * ENVELOPE/BODYSTRUCTURE texts stored beside them (imap-structure-response.ts)
 * are not versioned: a change that alters them needs a migration that sets
 * messages.imap_envelope and imap_body_structure to NULL.
 */
export const IMAP_STRUCTURE_VERSION = 1;

/**
 * One ENVELOPE address. A group is a start marker `{ name: null, mailbox: groupName, host: null }`,
 * its members, then an end marker with all three null (RFC 3501 7.4.2).
 */
export interface ImapAddress {
  /** Display name as written (encoded words are not decoded), or null. */
  name: string | null;
  mailbox: string | null;
  host: string | null;
}

export interface ImapEnvelope {
  date: string | null;
  subject: string | null;
  from: ImapAddress[] | null;
  sender: ImapAddress[] | null;
  replyTo: ImapAddress[] | null;
  to: ImapAddress[] | null;
  cc: ImapAddress[] | null;
  bcc: ImapAddress[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

/** A parameter list in the order of the header: [name (lower case), value][]. */
export type ImapParams = [string, string][];

export interface ImapBodyPart {
  /** Lower case, e.g. "text" / "plain", "multipart" / "mixed". */
  type: string;
  subtype: string;
  params: ImapParams;
  id: string | null;
  description: string | null;
  /** Content-Transfer-Encoding in upper case, "7BIT" when absent. */
  encoding: string;
  md5: string | null;
  disposition: { type: string; params: ImapParams } | null;
  language: string[] | null;
  location: string | null;
  /** Offset of the part's first header byte in the raw message. */
  headerStart: number;
  /** Offset just after the blank line that ends the header (= start of the body). */
  bodyStart: number;
  /** Offset just after the body's last byte (the CRLF before a boundary belongs to the boundary). */
  bodyEnd: number;
  /** Lines of the body (line feeds in it), as IMAP reports for text/* and message/rfc822. */
  lines: number;
  /** multipart/*: the children, numbered 1.. in IMAP part specifiers. */
  parts?: ImapBodyPart[];
  /** message/rfc822 (and message/global): the encapsulated message. */
  message?: { envelope: ImapEnvelope; body: ImapBodyPart };
}

export interface ImapStructure {
  version: number;
  envelope: ImapEnvelope;
  /** The message itself as the root part (headerStart 0, bodyEnd = raw length). */
  body: ImapBodyPart;
}

/** Nesting deeper than this is treated as an opaque leaf, so a crafted message cannot exhaust the stack. */
const MAX_DEPTH = 40;
/** More parts than this in one message: the rest are left unparsed (kept as bytes of their parent). */
const MAX_PARTS = 5000;

interface HeaderField {
  /** lower case */
  name: string;
  /** unfolded value without the leading whitespace */
  value: string;
}

interface ParseBudget {
  parts: number;
}

export function computeImapStructure(raw: Buffer): ImapStructure {
  const budget: ParseBudget = { parts: 0 };
  const header = parseHeader(raw, 0, raw.length);
  const body = parsePart(raw, 0, raw.length, header, 0, budget, null);
  return { version: IMAP_STRUCTURE_VERSION, envelope: envelopeOf(header.fields), body };
}

/** Finds the header of the region [start, end): its fields and where the body starts. */
function parseHeader(raw: Buffer, start: number, end: number): { fields: HeaderField[]; bodyStart: number } {
  let pos = start;
  let bodyStart = end;
  const lines: string[] = [];
  while (pos < end) {
    let nl = raw.indexOf(0x0a, pos);
    if (nl === -1 || nl >= end) nl = end - 1;
    const lineEnd = nl + 1;
    const content = raw[nl] === 0x0a ? (nl > pos && raw[nl - 1] === 0x0d ? nl - 1 : nl) : lineEnd;
    if (content === pos && raw[nl] === 0x0a) {
      // the blank line: it belongs to the header section (RFC 3501 BODY[HEADER])
      bodyStart = lineEnd;
      break;
    }
    lines.push(decodeText(raw.subarray(pos, content)));
    pos = lineEnd;
  }
  const fields: HeaderField[] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && fields.length) {
      fields[fields.length - 1].value += line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1) });
  }
  for (const f of fields) f.value = f.value.trim();
  return { fields, bodyStart };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Header bytes as text: UTF-8 (RFC 6532) when valid, otherwise Latin-1 so no byte is lost. */
function decodeText(bytes: Buffer): string {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= 0x80) {
      try {
        return strictUtf8.decode(bytes);
      } catch {
        return bytes.toString('latin1');
      }
    }
  }
  return bytes.toString('latin1');
}

function first(fields: HeaderField[], name: string): string | null {
  const f = fields.find((x) => x.name === name);
  return f ? f.value : null;
}

function parsePart(
  raw: Buffer,
  start: number,
  end: number,
  header: { fields: HeaderField[]; bodyStart: number },
  depth: number,
  budget: ParseBudget,
  parentSubtype: string | null,
): ImapBodyPart {
  budget.parts += 1;
  const { fields, bodyStart } = header;
  const defaultType = parentSubtype === 'digest' ? 'message/rfc822' : 'text/plain';
  const contentType = parseValue(first(fields, 'content-type') ?? defaultType);
  let [type, subtype] = contentType.value.toLowerCase().split('/', 2).map((s) => s.trim());
  if (!type || !subtype || !/^[a-z0-9!#$&^_.+-]+$/.test(type + subtype)) {
    // RFC 2045 5.2: an unreadable Content-Type is treated as text/plain
    type = 'text';
    subtype = 'plain';
  }
  const dispositionHeader = first(fields, 'content-disposition');
  const disposition = dispositionHeader ? parseValue(dispositionHeader) : null;
  const language = first(fields, 'content-language');
  const part: ImapBodyPart = {
    type,
    subtype,
    params: contentType.params,
    id: first(fields, 'content-id'),
    description: first(fields, 'content-description'),
    encoding: (first(fields, 'content-transfer-encoding') ?? '7BIT').replace(/\(.*?\)/g, '').trim().toUpperCase() || '7BIT',
    md5: first(fields, 'content-md5'),
    disposition: disposition && disposition.value ? { type: disposition.value.toLowerCase(), params: disposition.params } : null,
    language: language
      ? language
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : null,
    location: first(fields, 'content-location'),
    headerStart: start,
    bodyStart,
    bodyEnd: end,
    lines: countLines(raw, bodyStart, end),
  };
  const deeper = depth < MAX_DEPTH && budget.parts < MAX_PARTS;
  if (type === 'multipart' && deeper) {
    const boundary = contentType.params.find(([k]) => k === 'boundary')?.[1];
    part.parts = boundary ? splitMultipart(raw, bodyStart, end, boundary).map(([s, e]) => parsePart(raw, s, e, parseHeader(raw, s, e), depth + 1, budget, subtype)) : [];
    if (part.parts.length === 0) {
      // IMAP has no multipart without children: show an empty text part, as other servers do
      part.parts.push(emptyTextPart(bodyStart, end));
    }
  } else if (type === 'message' && (subtype === 'rfc822' || subtype === 'global') && deeper && part.encoding !== 'BASE64' && part.encoding !== 'QUOTED-PRINTABLE') {
    const inner = parseHeader(raw, bodyStart, end);
    part.message = { envelope: envelopeOf(inner.fields), body: parsePart(raw, bodyStart, end, inner, depth + 1, budget, null) };
  }
  return part;
}

function emptyTextPart(at: number, end: number): ImapBodyPart {
  return {
    type: 'text',
    subtype: 'plain',
    params: [['charset', 'us-ascii']],
    id: null,
    description: null,
    encoding: '7BIT',
    md5: null,
    disposition: null,
    language: null,
    location: null,
    headerStart: at,
    bodyStart: end,
    bodyEnd: end,
    lines: 0,
  };
}

function countLines(raw: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = raw.indexOf(0x0a, start); i !== -1 && i < end; i = raw.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * The [start, end) ranges of the body parts between `--boundary` lines
 * (RFC 2046 5.1.1). The line break before a delimiter belongs to the
 * delimiter; text before the first and after the closing delimiter is ignored.
 */
function splitMultipart(raw: Buffer, start: number, end: number, boundary: string): [number, number][] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: [number, number][] = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const at = raw.indexOf(delimiter, pos);
    if (at === -1 || at + delimiter.length > end) break;
    pos = at + delimiter.length;
    if (at !== start && raw[at - 1] !== 0x0a) continue; // not at the start of a line
    let after = at + delimiter.length;
    const closing = raw[after] === 0x2d && raw[after + 1] === 0x2d;
    if (closing) after += 2;
    while (after < end && (raw[after] === 0x20 || raw[after] === 0x09)) after++; // transport padding
    let lineEnd: number;
    if (after >= end) lineEnd = end;
    else if (raw[after] === 0x0a) lineEnd = after + 1;
    else if (raw[after] === 0x0d && raw[after + 1] === 0x0a) lineEnd = after + 2;
    else continue; // a longer boundary that merely starts with ours
    if (partStart !== -1) {
      let partEnd = at;
      if (partEnd > partStart && raw[partEnd - 1] === 0x0a) partEnd--;
      if (partEnd > partStart && raw[partEnd - 1] === 0x0d) partEnd--;
      parts.push([partStart, partEnd]);
    }
    if (closing) return parts;
    partStart = Math.min(lineEnd, end);
    pos = lineEnd;
  }
  // no closing delimiter: the last part runs to the end of the body
  if (partStart !== -1) parts.push([partStart, end]);
  return parts;
}

/** "value; a=b; c*=..." with RFC 2231 continuations joined. Non-ASCII values become encoded words, as IMAP strings should be ASCII. */
function parseValue(header: string): { value: string; params: ImapParams } {
  let parsed: { value: string; params: Record<string, string> };
  try {
    parsed = libmime.parseHeaderValue(header) as { value: string; params: Record<string, string> };
  } catch {
    return { value: header.split(';')[0].trim(), params: [] };
  }
  const params: ImapParams = Object.entries(parsed.params ?? {}).map(([k, v]) => {
    const value = String(v);
    return [k.toLowerCase(), /[^\x20-\x7e]/.test(value) ? libmime.encodeWords(value, 'Q', 0) : value];
  });
  return { value: (parsed.value ?? '').trim(), params };
}

function envelopeOf(fields: HeaderField[]): ImapEnvelope {
  const from = addresses(first(fields, 'from'));
  return {
    date: first(fields, 'date'),
    subject: first(fields, 'subject'),
    from,
    // RFC 3501: the server defaults sender and reply-to to from
    sender: addresses(first(fields, 'sender')) ?? from,
    replyTo: addresses(first(fields, 'reply-to')) ?? from,
    to: addresses(first(fields, 'to')),
    cc: addresses(first(fields, 'cc')),
    bcc: addresses(first(fields, 'bcc')),
    inReplyTo: first(fields, 'in-reply-to'),
    messageId: first(fields, 'message-id'),
  };
}

type ParsedAddress = { name: string; address?: string; group?: ParsedAddress[] };

function addresses(value: string | null): ImapAddress[] | null {
  if (value === null || !value.trim()) return null;
  let parsed: ParsedAddress[];
  try {
    parsed = addressparser(value) as ParsedAddress[];
  } catch {
    return null;
  }
  const out: ImapAddress[] = [];
  for (const a of parsed) {
    if (a.group) {
      out.push({ name: null, mailbox: a.name || '', host: null });
      for (const member of a.group) if (!member.group) out.push(mailboxAddress(member));
      out.push({ name: null, mailbox: null, host: null });
    } else {
      out.push(mailboxAddress(a));
    }
  }
  return out.length ? out : null;
}

function mailboxAddress(a: ParsedAddress): ImapAddress {
  const address = a.address ?? '';
  const at = address.lastIndexOf('@');
  if (!address) return { name: null, mailbox: a.name || '', host: '' };
  return {
    name: a.name || null,
    mailbox: at === -1 ? address : address.slice(0, at),
    // an address without a domain keeps an empty host: NIL would mean a group marker
    host: at === -1 ? '' : address.slice(at + 1),
  };
}
