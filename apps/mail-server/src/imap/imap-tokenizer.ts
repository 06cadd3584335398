import type { RawCommand } from './imap-input';

/**
 * Turns a command read by ImapInput into its tag, verb and argument tokens
 * (RFC 3501 9 formal syntax, leniently). It never throws: malformed input
 * gives a TokenizeError that the session answers with BAD.
 *
 * Atoms may carry a bracketed section with spaces inside
 * (`BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>`), kept whole as one atom for
 * the FETCH parser to take apart.
 */
export type Token = AtomToken | StringToken | ListToken;

export interface AtomToken {
  type: 'atom';
  /** As sent (bytes decoded as UTF-8). NIL is an atom; see isNil(). */
  value: string;
}

export interface StringToken {
  type: 'string';
  /** The octets of a quoted string (unescaped) or a literal. */
  bytes: Buffer;
  literal: boolean;
}

export interface ListToken {
  type: 'list';
  items: Token[];
}

export interface ParsedCommand {
  tag: string;
  /** Upper case; "UID FETCH" style for UID commands. */
  command: string;
  args: Token[];
}

export interface TokenizeError {
  error: string;
  tag: string;
}

const MAX_DEPTH = 32;
const MAX_TOKENS = 100_000;

/** RFC 3501 tag: ASTRING-CHARs except "+". */
const TAG_RE = /^[^\x00-\x20\x7f-\xff(){%*"\\+]{1,64}$/;

export function tokenizeCommand(raw: RawCommand): ParsedCommand | TokenizeError {
  let tag = '*';
  try {
    const first = raw.texts[0];
    const sp = first.indexOf(0x20);
    const tagText = first.toString('latin1', 0, sp === -1 ? first.length : sp);
    if (!TAG_RE.test(tagText)) return { error: 'invalid tag', tag: '*' };
    tag = tagText;
    if (sp === -1) return { error: 'command missing', tag };
    const scanner = new Scanner(raw, sp + 1);
    const verb = scanner.word();
    if (!verb) return { error: 'command missing', tag };
    let command = verb.toUpperCase();
    if (command === 'UID') {
      if (!scanner.space()) return { error: 'UID needs a command', tag };
      const sub = scanner.word();
      if (!sub) return { error: 'UID needs a command', tag };
      command = `UID ${sub.toUpperCase()}`;
    }
    const args: Token[] = [];
    if (!scanner.atEnd()) {
      if (!scanner.space()) return { error: 'expected a space after the command', tag };
      scanner.tokens(args, 0, null);
    }
    return { tag, command, args };
  } catch (err) {
    return { error: err instanceof SyntaxProblem ? err.message : 'unreadable command', tag };
  }
}

/** Tokenizes a fragment (the inside of a FETCH section) with the same rules. */
export function tokenizeFragment(text: string): Token[] | null {
  try {
    const scanner = new Scanner({ texts: [Buffer.from(text, 'utf8')], literals: [] }, 0);
    const out: Token[] = [];
    if (!scanner.atEnd()) scanner.tokens(out, 0, null);
    return out;
  } catch {
    return null;
  }
}

class SyntaxProblem extends Error {}

class Scanner {
  private segment = 0;
  private pos: number;
  private count = 0;

  constructor(
    private readonly raw: RawCommand,
    start: number,
  ) {
    this.pos = start;
  }

  private get text(): Buffer {
    return this.raw.texts[this.segment];
  }

  atEnd(): boolean {
    return this.pos >= this.text.length && this.segment === this.raw.texts.length - 1;
  }

  private peek(): number {
    return this.pos < this.text.length ? this.text[this.pos] : -1;
  }

  space(): boolean {
    if (this.peek() !== 0x20) return false;
    this.pos++;
    return true;
  }

  /** Letters, digits and a few punctuation marks (a command name). */
  word(): string {
    const start = this.pos;
    while (this.pos < this.text.length && /[A-Za-z0-9.\-]/.test(String.fromCharCode(this.text[this.pos]))) this.pos++;
    return this.text.toString('latin1', start, this.pos);
  }

  /** Reads tokens separated by single spaces until the end or the closing parenthesis. */
  tokens(out: Token[], depth: number, closer: number | null): void {
    for (;;) {
      if (++this.count > MAX_TOKENS) throw new SyntaxProblem('too many tokens');
      const c = this.peek();
      if (c === -1) {
        if (this.segment < this.raw.texts.length - 1) throw new SyntaxProblem('literal out of place');
        if (closer !== null) throw new SyntaxProblem('missing ")"');
        return;
      }
      if (closer !== null && c === closer) {
        this.pos++;
        return;
      }
      out.push(this.token(depth));
      const next = this.peek();
      if (next === 0x20) {
        this.pos++;
        continue;
      }
      if (closer !== null && next === closer) continue;
      if (next === -1) continue;
      throw new SyntaxProblem(`unexpected character "${String.fromCharCode(next)}"`);
    }
  }

  private token(depth: number): Token {
    const c = this.peek();
    if (c === 0x28) {
      if (depth >= MAX_DEPTH) throw new SyntaxProblem('lists nested too deep');
      this.pos++;
      const items: Token[] = [];
      this.tokens(items, depth + 1, 0x29);
      return { type: 'list', items };
    }
    if (c === 0x22) return this.quoted();
    if (c === 0x7b) return this.literal();
    if (c === 0x29) throw new SyntaxProblem('unexpected ")"');
    return this.atom();
  }

  private quoted(): StringToken {
    const text = this.text;
    this.pos++;
    const bytes: number[] = [];
    while (this.pos < text.length) {
      const c = text[this.pos++];
      if (c === 0x22) return { type: 'string', bytes: Buffer.from(bytes), literal: false };
      if (c === 0x5c) {
        if (this.pos >= text.length) break;
        const escaped = text[this.pos++];
        if (escaped !== 0x22 && escaped !== 0x5c) throw new SyntaxProblem('invalid escape in quoted string');
        bytes.push(escaped);
        continue;
      }
      if (c === 0x00) throw new SyntaxProblem('NUL in quoted string');
      bytes.push(c);
    }
    throw new SyntaxProblem('unterminated quoted string');
  }

  private literal(): StringToken {
    const text = this.text;
    const rest = text.toString('latin1', this.pos);
    if (!/^\{\d{1,20}\+?\}$/.test(rest)) throw new SyntaxProblem('literal marker must end the line');
    if (this.segment >= this.raw.literals.length) throw new SyntaxProblem('literal missing');
    const bytes = this.raw.literals[this.segment];
    this.segment++;
    this.pos = 0;
    return { type: 'string', bytes, literal: true };
  }

  private atom(): AtomToken {
    const text = this.text;
    const start = this.pos;
    let bracket = 0;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (bracket > 0) {
        if (c === 0x5d) bracket--;
        else if (c === 0x5b) bracket++;
        else if (c === 0x22) {
          // a quoted header name inside a section: skip it whole
          this.quoted();
          continue;
        }
        this.pos++;
        continue;
      }
      if (c === 0x20 || c === 0x28 || c === 0x29 || c === 0x22 || c === 0x7b || c < 0x20 || c === 0x7f) break;
      if (c === 0x5b) bracket++;
      this.pos++;
    }
    if (bracket > 0) throw new SyntaxProblem('missing "]"');
    if (this.pos === start) throw new SyntaxProblem('empty token');
    return { type: 'atom', value: text.toString('utf8', start, this.pos) };
  }
}

// ---- helpers for command parsers ----

export function isNil(t: Token | undefined): boolean {
  return t?.type === 'atom' && t.value.toUpperCase() === 'NIL';
}

/** astring: an atom or a string, as UTF-8 text; null for a list or nothing. */
export function astring(t: Token | undefined): string | null {
  if (!t) return null;
  if (t.type === 'atom') return t.value;
  if (t.type === 'string') return t.bytes.toString('utf8');
  return null;
}

/** Like astring, but the raw octets (APPEND message data, passwords). */
export function octets(t: Token | undefined): Buffer | null {
  if (!t) return null;
  if (t.type === 'string') return t.bytes;
  if (t.type === 'atom') return Buffer.from(t.value, 'utf8');
  return null;
}

export function atom(t: Token | undefined): string | null {
  return t?.type === 'atom' ? t.value : null;
}
