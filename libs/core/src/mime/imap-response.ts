/**
 * Builds response lines with correct IMAP string quoting: a string goes out
 * quoted when it is short 7-bit text without CR, LF or NUL, and as a literal
 * `{n}\r\n<octets>` otherwise (8-bit text, line breaks, message bodies).
 * Text is collected as a JS string and turned into bytes once, literals that
 * are Buffers are kept as they are (a 50 MB BODY[] is never copied into a string).
 */
export class ResponseBuilder {
  private parts: Array<string | Buffer> = [];
  private current = '';

  /** Protocol text as is (atoms, numbers, parentheses, spaces). */
  raw(text: string): this {
    this.current += text;
    return this;
  }

  /** An IMAP string (quoted or literal). */
  string(value: string | Buffer): this {
    if (typeof value === 'string') {
      const kind = quoteKind(value);
      if (kind === 1) this.current += `"${value}"`;
      else if (kind === 2) this.current += quote(value);
      else this.literal(Buffer.from(value, 'utf8'));
    } else if (value.length < 1024 && canQuoteBytes(value)) {
      this.current += quote(value.toString('latin1'));
    } else {
      this.literal(value);
    }
    return this;
  }

  /** nstring: NIL for null. */
  nstring(value: string | Buffer | null | undefined): this {
    if (value === null || value === undefined) this.current += 'NIL';
    else this.string(value);
    return this;
  }

  /** Always a literal (message data, so clients can take it without unescaping). */
  literal(bytes: Buffer): this {
    this.current += `{${bytes.length}}\r\n`;
    this.parts.push(this.current, bytes);
    this.current = '';
    return this;
  }

  /** Finishes the line with CRLF and gives the bytes. */
  line(): Buffer {
    this.current += '\r\n';
    const out = this.parts.length === 0 ? Buffer.from(this.current, 'utf8') : Buffer.concat([...this.parts, this.current].map(toBuffer));
    this.parts = [];
    this.current = '';
    return out;
  }

  /**
   * What was built, as text (no CRLF added): literals were made from
   * strings, so their octets are UTF-8 and read back as the same string,
   * and raw() of this text later sends the very same octets.
   */
  text(): string {
    const out = this.parts.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join('') + this.current;
    this.parts = [];
    this.current = '';
    return out;
  }

  /** Like line(), but keeps large literals as separate chunks so the caller can write them without one big copy. */
  chunks(): Buffer[] {
    this.current += '\r\n';
    const out = [...this.parts, this.current].map(toBuffer);
    this.parts = [];
    this.current = '';
    return out;
  }
}

const toBuffer = (p: string | Buffer) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p);

/** 0: needs a literal; 1: quote as is; 2: quote with escapes. One pass, no regex (FETCH builds thousands of these). */
function quoteKind(s: string): 0 | 1 | 2 {
  if (s.length > 1000) return 0;
  let kind: 1 | 2 = 1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return 0;
    if (c === 0x22 || c === 0x5c) kind = 2;
  }
  return kind;
}

function canQuote(s: string): boolean {
  return quoteKind(s) !== 0;
}

function canQuoteBytes(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] < 0x20 || b[i] > 0x7e) return false;
  return true;
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/** A single IMAP string as text, for simple untagged lines (mailbox names, ids). Literal if it must be. */
export function imapString(value: string): string {
  if (canQuote(value)) return quote(value);
  return `{${Buffer.byteLength(value, 'utf8')}}\r\n${value}`;
}

/** An astring: an atom when it is safe as one, otherwise a string. */
export function imapAstring(value: string): string {
  return /^[^\x00-\x20\x7f-\uffff(){%*"\\\]]+$/.test(value) && value.toUpperCase() !== 'NIL' ? value : imapString(value);
}

/** Response text after a status: no CR/LF can end up in it. */
export function safeText(text: string): string {
  return text.replace(/[\r\n\x00]+/g, ' ').slice(0, 500);
}
