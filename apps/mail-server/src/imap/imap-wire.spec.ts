import { describe, expect, it } from 'vitest';
import { parseFetchItems } from './imap-fetch-items';
import { ImapInput, RawCommand, RejectedCommand } from './imap-input';
import { listMatcher, mailboxFromClient } from './imap-mailbox-names';
import { ResponseBuilder } from '../../../../libs/core/src/mime/imap-response';
import { compactSet, parseSequenceSet, resolveSequenceNumbers, resolveUidSet } from './imap-sequence';
import { parseSearch } from './imap-search-parse';
import { ParsedCommand, Token, tokenizeCommand } from './imap-tokenizer';
import { decodeMailboxName, encodeMailboxName } from './mutf7';

/** Feeds bytes to an ImapInput and collects what it reads and writes. */
function input(opts: { maxLine?: number; maxLiteral?: number } = {}) {
  const continuations: number[] = [];
  const inp = new ImapInput({
    maxLineLength: opts.maxLine ?? 1024,
    literalPolicy: (_prefix, size) => (size <= (opts.maxLiteral ?? 100) ? { accept: true } : { accept: false, status: 'NO', code: 'TOOBIG', text: 'too big' }),
    sendContinuation: () => continuations.push(1),
    pause: () => undefined,
    resume: () => undefined,
  });
  return { inp, continuations };
}

const raw = (text: string, literals: string[] = []): RawCommand => {
  const texts = text.split('\u0000').map((t) => Buffer.from(t, 'latin1'));
  return { texts, literals: literals.map((l) => Buffer.from(l, 'latin1')) };
};

const simplify = (t: Token): unknown => (t.type === 'atom' ? t.value : t.type === 'string' ? `"${t.bytes.toString('latin1')}"` : t.items.map(simplify));

function parse(text: string, literals: string[] = []) {
  const r = tokenizeCommand(raw(text, literals));
  if ('error' in r) return r;
  return { tag: r.tag, command: r.command, args: (r as ParsedCommand).args.map(simplify) };
}

describe('tokenizer', () => {
  it('reads atoms, quoted strings with escapes, lists, NIL and UID commands', () => {
    expect(parse('a1 LOGIN "user name" "pa\\"ss\\\\word"')).toEqual({ tag: 'a1', command: 'LOGIN', args: ['"user name"', '"pa"ss\\word"'] });
    expect(parse('x uid fetch 1:*,5 (FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>)')).toEqual({
      tag: 'x',
      command: 'UID FETCH',
      args: ['1:*,5', ['FLAGS', 'BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>']],
    });
    expect(parse('t STORE 1 +FLAGS (\\Seen $Label)')).toMatchObject({ args: ['1', '+FLAGS', ['\\Seen', '$Label']] });
    expect(parse('t ID NIL')).toMatchObject({ args: ['NIL'] });
    expect(parse('t LIST "" %')).toMatchObject({ args: ['""', '%'] });
    expect(parse('t SEARCH (OR FROM a (TO b)) NOT DELETED')).toMatchObject({ args: [['OR', 'FROM', 'a', ['TO', 'b']], 'NOT', 'DELETED'] });
  });

  it('takes literals in their place', () => {
    expect(parse('a LOGIN {4}\u0000 {6}\u0000', ['user', 'secret'])).toEqual({ tag: 'a', command: 'LOGIN', args: ['"user"', '"secret"'] });
    expect(parse('a APPEND INBOX (\\Seen) {5+}\u0000', ['hello'])).toMatchObject({ args: ['INBOX', ['\\Seen'], '"hello"'] });
  });

  it('answers malformed input with an error and the tag it could read', () => {
    expect(parse('a LOGIN "unterminated')).toEqual({ error: expect.any(String), tag: 'a' });
    expect(parse('a FETCH 1 (FLAGS')).toEqual({ error: expect.any(String), tag: 'a' });
    expect(parse('a FETCH 1 FLAGS)')).toEqual({ error: expect.any(String), tag: 'a' });
    expect(parse('a FETCH 1 BODY[')).toEqual({ error: expect.any(String), tag: 'a' });
    expect(parse('a LOGIN {3} x')).toEqual({ error: expect.any(String), tag: 'a' });
    expect(parse('')).toEqual({ error: expect.any(String), tag: '*' });
    expect(parse('+ NOOP')).toEqual({ error: expect.any(String), tag: '*' });
    expect(parse('a')).toEqual({ error: 'command missing', tag: 'a' });
    expect(parse('a ' + '('.repeat(100))).toEqual({ error: expect.any(String), tag: 'a' });
  });

  it('never throws on random bytes (fuzz)', () => {
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = ['(', ')', '"', '\\', '{', '}', '[', ']', ' ', '*', '%', 'A', '1', ':', ',', '+', '<', '>', '.', 'NIL', 'BODY[', '\u00ff', '\u0000', '\u0080'];
    for (let n = 0; n < 20_000; n++) {
      const len = Math.floor(rand() * 40);
      let s = 'a FETCH ';
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const literals = s.endsWith('}') ? ['xyz'] : [];
      const r = tokenizeCommand(raw(s + (literals.length ? '\u0000' : ''), literals));
      expect(r).toBeTypeOf('object');
      if (!('error' in r)) {
        // whatever parsed must also go through the FETCH item parser without an unexpected exception
        try {
          parseFetchItems(r.args[1]);
        } catch (err) {
          expect((err as Error).name).toBe('ImapSyntaxError');
        }
        try {
          parseSearch(r.args);
        } catch (err) {
          expect(['ImapSyntaxError', 'ImapRefusal']).toContain((err as Error).name);
        }
      }
    }
  });
});

describe('ImapInput', () => {
  it('asks for synchronizing literals, not for LITERAL+, and assembles the command', async () => {
    const { inp, continuations } = input();
    const pending = inp.readCommand();
    inp.push(Buffer.from('a LOGIN {4}\r\n'));
    await new Promise((r) => setImmediate(r));
    expect(continuations).toHaveLength(1);
    inp.push(Buffer.from('user {6+}\r\nsecret\r\n'));
    const cmd = (await pending) as RawCommand;
    expect(continuations).toHaveLength(1);
    expect(cmd.texts.map(String)).toEqual(['a LOGIN {4}', ' {6+}', '']);
    expect(cmd.literals.map(String)).toEqual(['user', 'secret']);
  });

  it('refuses a literal over the limit; for {n+} it skips the bytes and goes on with the next command', async () => {
    const { inp, continuations } = input({ maxLiteral: 10 });
    inp.push(Buffer.from('a APPEND INBOX {20}\r\n'));
    expect(await inp.readCommand()).toMatchObject({ rejected: true, tag: 'a', status: 'NO', code: 'TOOBIG' });
    expect(continuations).toHaveLength(0);
    inp.push(Buffer.from(`b APPEND INBOX {20+}\r\n${'x'.repeat(20)} {3+}\r\nabc\r\nc NOOP\r\n`));
    expect(await inp.readCommand()).toMatchObject({ rejected: true, tag: 'b' });
    expect(((await inp.readCommand()) as RawCommand).texts.map(String)).toEqual(['c NOOP']);
  });

  it('rejects a line over the limit and resynchronises at the next line', async () => {
    const { inp } = input({ maxLine: 50 });
    inp.push(Buffer.from(`a NOOP ${'x'.repeat(30)}`));
    inp.push(Buffer.from(`${'y'.repeat(100)}\r\nb NOOP\r\n`));
    const first = (await inp.readCommand()) as RejectedCommand;
    expect(first).toMatchObject({ rejected: true, status: 'BAD' });
    expect(((await inp.readCommand()) as RawCommand).texts.map(String)).toEqual(['b NOOP']);
    inp.end();
    expect(await inp.readCommand()).toBeNull();
  });

  it('reads commands split at every byte boundary', async () => {
    const { inp } = input();
    const bytes = Buffer.from('a1 LOGIN {3}\r\nabc "p w"\r\na2 NOOP\r\n');
    const reading = (async () => [await inp.readCommand(), await inp.readCommand()])();
    for (const b of bytes) {
      inp.push(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    const [c1, c2] = (await reading) as RawCommand[];
    expect(c1.literals.map(String)).toEqual(['abc']);
    expect(c2.texts.map(String)).toEqual(['a2 NOOP']);
  });
});

describe('sequence sets', () => {
  it('parses and resolves numbers, ranges and *', () => {
    expect(parseSequenceSet('1,3:5,7:*')).toEqual([
      [1, 1],
      [3, 5],
      [7, null],
    ]);
    for (const bad of ['', '0', '1:', 'a', '1,,2', '-1', '1:2:3', '4294967296']) expect(parseSequenceSet(bad)).toBeNull();
    expect(resolveSequenceNumbers(parseSequenceSet('5:3,1')!, 6)).toEqual([0, 2, 3, 4]);
    expect(resolveSequenceNumbers(parseSequenceSet('*')!, 0)).toEqual([]);
    expect(resolveSequenceNumbers(parseSequenceSet('7')!, 6)).toBeNull();
    const uids = [3, 5, 9, 20];
    expect(resolveUidSet(parseSequenceSet('4:9')!, uids)).toEqual([1, 2]);
    expect(resolveUidSet(parseSequenceSet('25:*')!, uids)).toEqual([3]);
    expect(resolveUidSet(parseSequenceSet('1,5,100,3:3')!, uids)).toEqual([0, 1]);
    expect(resolveUidSet(parseSequenceSet('1:*')!, [])).toEqual([]);
    expect(compactSet([1, 2, 3, 5, 7, 8])).toBe('1:3,5,7:8');
  });
});

describe('mailbox names', () => {
  it('round-trips modified UTF-7 (RFC 3501 5.1.3)', () => {
    const cases: [string, string][] = [
      ['Entwürfe', 'Entw&APw-rfe'],
      ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
      ['A&B', 'A&-B'],
      ['Plain', 'Plain'],
      ['😀 smile', '&2D3eAA- smile'],
    ];
    for (const [utf8, wire] of cases) {
      expect(encodeMailboxName(utf8)).toBe(wire);
      expect(decodeMailboxName(wire)).toBe(utf8);
    }
    expect(decodeMailboxName('bad&AB')).toBeNull();
    expect(decodeMailboxName('bad&!!-')).toBeNull();
  });

  it('normalises INBOX and rejects bad names', () => {
    expect(mailboxFromClient('inbox')).toBe('INBOX');
    expect(mailboxFromClient('InBox/Sub')).toBe('INBOX/Sub');
    expect(mailboxFromClient('Archive/')).toBe('Archive');
    for (const bad of ['', 'a//b', '/a', 'x\u0001y', ' lead']) expect(mailboxFromClient(bad)).toBeNull();
  });

  it('matches LIST patterns with * and %', () => {
    const names = ['INBOX', 'INBOX/a', 'Archive', 'Archive/2024', 'Archive/2024/Q1', 'Entwürfe'];
    const pick = (ref: string, pat: string) => names.filter(listMatcher(ref, pat)!);
    expect(pick('', '*')).toEqual(names);
    expect(pick('', '%')).toEqual(['INBOX', 'Archive', 'Entwürfe']);
    expect(pick('', 'Archive/%')).toEqual(['Archive/2024']);
    expect(pick('Archive/', '*')).toEqual(['Archive/2024', 'Archive/2024/Q1']);
    expect(pick('', 'inbox')).toEqual(['INBOX']);
    expect(pick('', 'Entw&APw-rfe')).toEqual(['Entwürfe']);
    expect(pick('', 'Arch.ve')).toEqual([]);
  });
});

describe('response strings', () => {
  it('quotes short 7-bit text and sends the rest as literals', () => {
    const b = new ResponseBuilder();
    b.raw('* X ').string('plain "quoted" \\ text').raw(' ').nstring(null).raw(' ').string('Grüße').raw(' ').string('two\r\nlines');
    expect(b.line().toString('utf8')).toBe('* X "plain \\"quoted\\" \\\\ text" NIL {7}\r\nGrüße {10}\r\ntwo\r\nlines\r\n');
  });
});

describe('FETCH items', () => {
  const atom = (value: string): Token => ({ type: 'atom', value });
  it('parses macros, sections, partials and refuses nonsense', () => {
    expect(parseFetchItems(atom('FAST')).map((i) => i.type)).toEqual(['FLAGS', 'INTERNALDATE', 'RFC822.SIZE']);
    const [item] = parseFetchItems(atom('body.peek[1.2.header.fields (from "X-Y")]<10.20>'));
    expect(item).toMatchObject({ type: 'section', setsSeen: false, partial: { start: 10, length: 20 }, section: { path: [1, 2], spec: 'HEADER.FIELDS', fields: ['FROM', 'X-Y'] } });
    expect((item as { label: string }).label).toBe('BODY[1.2.HEADER.FIELDS (FROM X-Y)]<10>');
    expect(parseFetchItems(atom('BODY[]'))[0]).toMatchObject({ setsSeen: true, label: 'BODY[]' });
    for (const bad of ['BODY[MIME]', 'BODY[0]', 'BODY[HEADER.FIELDS]', 'BODY[TEXT (A)]', 'BODY[1]<1.0>', 'FOO', 'BODY[1.X]']) {
      expect(() => parseFetchItems(atom(bad))).toThrow();
    }
  });
});
