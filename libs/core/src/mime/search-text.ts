import libmime from 'libmime';
import { decode as decodeCharset } from 'libmime/lib/charset.js';
import { headerFields } from './header-fields';
import { computeImapStructure, ImapBodyPart, ImapStructure } from './imap-structure';

/**
 * What IMAP SEARCH (RFC 3501 6.4.4) looks in, decoded once, lower case:
 *
 * - `headers`: every field of the message header as `name: value` lines
 *   joined by "\n" (name lower case, value unfolded with its encoded words
 *   decoded; CR, LF and NUL inside a value become spaces). HEADER, FROM,
 *   BCC ... match a line of that name whose value contains the string; TEXT
 *   matches when any line contains it.
 * - `body`: the text of every text/* part at any depth (nested messages
 *   included, with their header lines), transfer encoding undone, charset
 *   decoded to Unicode, HTML reduced to its text (tags dropped, entities
 *   decoded); parts joined by "\n", line ends as "\n", NUL as a space. BODY
 *   and TEXT match when it contains the string.
 *
 * Both are lower-cased here with JavaScript's Unicode case mapping, so a
 * search is a plain substring test of the lower-cased needle: the same in
 * JavaScript (the in-memory backend, and rows stored before the columns
 * existed) and in SQL (`strpos` on messages.search_headers / search_body,
 * stored at delivery), whatever the database's collation does with lower().
 */
export interface SearchText {
  headers: string;
  body: string;
}

/**
 * The most characters of either text stored with a message (1 Mi). A message
 * with more is stored without search text: SEARCH then decodes it from the
 * raw bytes each time, so text beyond the cap is still found, only slower.
 */
export const MAX_STORED_SEARCH_TEXT = 1024 * 1024;

export function computeSearchText(raw: Buffer, structure: ImapStructure = computeImapStructure(raw)): SearchText {
  const header = raw.subarray(0, structure.body.bodyStart);
  const body: string[] = [];
  collectText(raw, structure.body, body);
  return {
    headers: headerLines(header).toLowerCase(),
    body: body.join('\n').replace(/\r\n?/g, '\n').replace(/\0/g, ' ').toLowerCase(),
  };
}

/** The text to store with the message, or null when it is too long to (SEARCH then decodes the message itself). */
export function storableSearchText(text: SearchText): SearchText | null {
  return text.headers.length > MAX_STORED_SEARCH_TEXT || text.body.length > MAX_STORED_SEARCH_TEXT ? null : text;
}

/** Whether some header line of `field` (lower case) has a value containing `needle` (lower case; '' matches any such line). */
export function headerLineContains(headers: string, field: string, needle: string): boolean {
  const prefix = `${field}: `;
  for (const line of headers.split('\n')) if (line.startsWith(prefix) && line.includes(needle, prefix.length)) return true;
  return false;
}

/** Whether any header line contains `needle` (a line break in the needle never matches: a line has none). */
export function headersContain(headers: string, needle: string): boolean {
  return !/[\r\n]/.test(needle) && headers.includes(needle);
}

function headerLines(header: Buffer): string {
  return headerFields(header)
    .map((f) => {
      const line = utf8OrLatin1(f.bytes);
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
      return `${f.name}: ${decoded.replace(/[\r\n\0]/g, ' ')}`;
    })
    .join('\n');
}

function collectText(raw: Buffer, part: ImapBodyPart, out: string[]): void {
  if (part.parts) {
    for (const child of part.parts) collectText(raw, child, out);
    return;
  }
  if (part.message) {
    out.push(headerLines(raw.subarray(part.message.body.headerStart, part.message.body.bodyStart)));
    collectText(raw, part.message.body, out);
    return;
  }
  if (part.type !== 'text') return;
  const bytes = undoTransferEncoding(raw.subarray(part.bodyStart, part.bodyEnd), part.encoding);
  const charset = part.params.find(([k]) => k === 'charset')?.[1];
  const text = !charset || /^(us-)?ascii$/i.test(charset) ? utf8OrLatin1(bytes) : decodeCharset(bytes, charset);
  out.push(part.subtype === 'html' ? htmlText(text) : text);
}

function undoTransferEncoding(body: Buffer, encoding: string): Buffer {
  if (encoding === 'BASE64') return Buffer.from(body.toString('latin1'), 'base64');
  if (encoding === 'QUOTED-PRINTABLE') return decodeQuotedPrintable(body);
  return body;
}

/** RFC 2045 6.7, leniently: a malformed `=` stays as it is. */
export function decodeQuotedPrintable(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    let j = i + 1;
    while (j < input.length && (input[j] === 0x20 || input[j] === 0x09)) j++;
    if (j >= input.length) break; // '=' (and padding) at the very end: a soft break
    if (input[j] === 0x0a || (input[j] === 0x0d && input[j + 1] === 0x0a)) {
      i = input[j] === 0x0a ? j : j + 1; // soft line break
      continue;
    }
    const hi = hexValue(input[i + 1]);
    const lo = hexValue(input[i + 2]);
    if (hi >= 0 && lo >= 0) {
      out[o++] = hi * 16 + lo;
      i += 2;
    } else {
      out[o++] = c;
    }
  }
  return out.subarray(0, o);
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Undeclared or US-ASCII text: UTF-8 when it is valid (it often is, mislabelled), otherwise Latin-1 so no byte is lost. */
function utf8OrLatin1(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** Elements whose content is not text a reader sees. */
const HIDDEN = /^(script|style|head|title|template)$/;
/** Elements that break a line: their tags become "\n" so words on either side do not run together. */
const BLOCK = /^(address|article|aside|blockquote|br|dd|div|dl|dt|footer|form|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|td|th|tr|ul)$/;

/**
 * The text of an HTML part, roughly: tags dropped (block-level ones as line
 * breaks, inline ones as nothing, so <b>tre</b>asure stays one word),
 * comments, scripts and styles dropped, entities decoded. One pass: every
 * search for an end marker starts where the previous one stopped, so a
 * crafted part costs time linear in its length.
 */
export function htmlText(html: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      out.push(html.slice(i));
      break;
    }
    out.push(html.slice(i, lt));
    const next = html.charCodeAt(lt + 1);
    const isLetter = (next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a);
    if (!isLetter && next !== 0x2f /* / */ && next !== 0x21 /* ! */ && next !== 0x3f /* ? */) {
      out.push('<'); // "a < b": text, not a tag
      i = lt + 1;
      continue;
    }
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt === -1) {
      out.push(html.slice(lt));
      break;
    }
    const name = /^<\/?([a-zA-Z][a-zA-Z0-9]*)/.exec(html.slice(lt, Math.min(gt, lt + 20)))?.[1]?.toLowerCase() ?? '';
    i = gt + 1;
    if (HIDDEN.test(name) && html[lt + 1] !== '/') {
      const close = new RegExp(`</${name}\\s*>`, 'gi');
      close.lastIndex = i;
      const m = close.exec(html);
      i = m ? m.index + m[0].length : html.length;
      out.push('\n');
    } else if (BLOCK.test(name)) {
      out.push('\n');
    }
  }
  return decodeEntities(out.join(''));
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  shy: '',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  deg: '°',
  para: '¶',
  middot: '·',
  bull: '•',
  hellip: '…',
  ndash: '–',
  mdash: '—',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  times: '×',
  divide: '÷',
  szlig: 'ß',
  zwnj: '',
  zwj: '',
};
// Latin-1 letters with the accents HTML names: &auml; &Eacute; &ccedil; ...
const ACCENTS: Record<string, [string, string]> = {
  grave: ['aeiouAEIOU', 'àèìòùÀÈÌÒÙ'],
  acute: ['aeiouyAEIOUY', 'áéíóúýÁÉÍÓÚÝ'],
  circ: ['aeiouAEIOU', 'âêîôûÂÊÎÔÛ'],
  tilde: ['anoANO', 'ãñõÃÑÕ'],
  uml: ['aeiouyAEIOUY', 'äëïöüÿÄËÏÖÜŸ'],
  ring: ['aA', 'åÅ'],
  cedil: ['cC', 'çÇ'],
  slash: ['oO', 'øØ'],
};
for (const [suffix, [plain, accented]] of Object.entries(ACCENTS)) {
  [...plain].forEach((letter, i) => (ENTITIES[letter + suffix] = [...accented][i]));
}
Object.assign(ENTITIES, { aelig: 'æ', AElig: 'Æ', eth: 'ð', ETH: 'Ð', thorn: 'þ', THORN: 'Þ', oelig: 'œ', OElig: 'Œ' });

function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/g, (whole, name: string) => {
    if (name[0] !== '#') return ENTITIES[name] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
    return String.fromCodePoint(code);
  });
}
