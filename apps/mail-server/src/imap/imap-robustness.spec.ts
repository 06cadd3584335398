import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawImapClient, rawSession, startTestImap, tagged, uniqueUser } from '../../../../test/support/imap';
import { simpleMessage } from '../../../../test/support/imap-messages';
import type { ImapAccount, ImapBackend } from './imap-backend';
import { MemoryImapBackend } from './imap-memory-backend';
import type { ImapListeners } from './imap-server';

/** Bad input never breaks a session: BAD and go on; limits hold; large responses stream. */
describe('IMAP robustness', () => {
  const backend = new MemoryImapBackend();
  let imap: ImapListeners;
  let port: number;
  beforeAll(async () => {
    ({ imap, port } = await startTestImap(backend, { maxLineLength: 1024, maxLiteralSize: 2048, maxMessageSize: 20 * 1024 * 1024 }));
  });
  afterAll(async () => imap?.close());

  it('answers garbage, long lines, oversized literals and NUL bytes with BAD and stays usable', async () => {
    const { client } = await RawImapClient.open(port);
    client.write('\x01\x02\xff garbage\r\n');
    expect(await client.line()).toMatch(/^\* BAD invalid tag/);
    client.write(`a1 NOOP ${'x'.repeat(5000)}\r\n`);
    expect(await client.line()).toBe('a1 BAD command line too long');
    client.write('a2 LOGIN user {100000}\r\n');
    expect(await client.line()).toBe('a2 BAD literal larger than 2048 octets');
    client.write('a3 LOGIN "nul\x00inside" x\r\n');
    expect(await client.line()).toMatch(/^a3 BAD/);
    client.write('a4 LOGIN (unbalanced\r\n');
    expect(await client.line()).toMatch(/^a4 BAD/);
    client.write(`a5 LOGIN {3000+}\r\n${'z'.repeat(3000)} {4+}\r\nabcd\r\n`);
    expect(await client.line()).toBe('a5 BAD literal larger than 2048 octets');
    client.write('a6 NOOP\r\n');
    expect(await client.line()).toBe('a6 OK NOOP completed');
    // too much to skip: answered, then the connection ends
    client.write('a7 LOGIN {5+}\r\nabcde {99999999+}\r\n');
    expect(await client.line()).toBe('a7 BAD literal larger than 2048 octets');
    expect(await client.line()).toBe('* BYE cannot find the end of that command');
    await client.waitFor(() => client.closed);
    // literals add up: many small ones are limited like one big one
    const { client: other } = await RawImapClient.open(port);
    other.write(`b1 ID ("a" {2000+}\r\n${'y'.repeat(2000)} "b" {100+}\r\n${'y'.repeat(100)})\r\nb2 NOOP\r\n`);
    expect(await other.line()).toBe('b1 BAD literal larger than 2048 octets');
    expect(await other.line()).toBe('b2 OK NOOP completed');
    // endless zero-length literals end the connection
    other.write('b3 ID (' + ' {0+}\r\n'.repeat(1100) + ')\r\n');
    expect(await other.line()).toBe('b3 BAD command too long');
    await other.waitFor(() => other.closed);
  });

  it('survives a stream of random commands (fuzz) and still answers NOOP', async () => {
    const user = uniqueUser();
    backend.addUser(user, 'pw');
    for (let i = 0; i < 3; i++) backend.deliver(user, simpleMessage(`f${i}`));
    const c = await rawSession(port, user, 'pw', 'INBOX');
    let seed = 99;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const verbs = ['FETCH', 'UID FETCH', 'STORE', 'SEARCH', 'COPY', 'LIST', 'STATUS', 'SELECT', 'EXAMINE', 'APPEND', 'CREATE', 'RENAME', 'ID', 'EXPUNGE', 'UID STORE', 'GETQUOTAROOT'];
    const pieces = ['1', '*', '1:*', '2:1', '0', '(', ')', '"', '"x"', 'BODY[', 'BODY[]', 'BODY.PEEK[1.2.MIME]<0.5>', 'FLAGS', '(\\Seen)', 'INBOX', 'NIL', '{3}', '%', 'OR', 'NOT', 'HEADER', 'ALL', '\\', ']', '<1.2>', 'CHARSET', 'x'.repeat(30), '\u00e9'];
    for (let n = 0; n < 300; n++) {
      const parts = [verbs[Math.floor(rand() * verbs.length)]];
      const len = Math.floor(rand() * 6);
      for (let i = 0; i < len; i++) parts.push(pieces[Math.floor(rand() * pieces.length)]);
      let line = parts.join(rand() < 0.9 ? ' ' : '');
      // never end with a synchronizing literal the fuzzer would not send
      if (/\{\d+\}$/.test(line)) line += ' x';
      const lines = await c.cmd(line);
      expect(tagged(lines)).toMatch(/^t\d+ (OK|NO|BAD) /);
      expect(lines.some((l) => l.includes('SERVERBUG'))).toBe(false);
    }
    expect(tagged(await c.cmd('NOOP'))).toMatch(/OK NOOP completed/);
    c.close();
  });

  it('streams a large message and many messages without corrupting them', async () => {
    const user = uniqueUser();
    backend.addUser(user, 'pw');
    const big = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(8 * 1024 * 1024, 'abcdefghij\r\n')]);
    backend.deliver(user, big);
    for (let i = 0; i < 200; i++) backend.deliver(user, simpleMessage(`bulk ${i}`, `${'line\r\n'.repeat(100)}`));
    const c = await rawSession(port, user, 'pw', 'INBOX');
    const [line] = await c.cmd('FETCH 1 BODY.PEEK[]', 20_000);
    expect(line.length).toBe(`* 1 FETCH (BODY[] {${big.length}}\r\n`.length + big.length + 1);
    expect(Buffer.from(line.slice(line.indexOf('\r\n') + 2, -1), 'latin1').equals(big)).toBe(true);
    const all = await c.cmd('FETCH 2:* (UID BODY.PEEK[TEXT])', 20_000);
    expect(all).toHaveLength(201);
    expect(all.slice(0, 200).every((l, i) => l.startsWith(`* ${i + 2} FETCH (UID ${i + 2} BODY[TEXT] {600}\r\n`))).toBe(true);
    c.close();
  });

  it('answers NO [SERVERBUG] when the backend fails unexpectedly, and goes on', async () => {
    const user = uniqueUser();
    backend.addUser(user, 'pw');
    backend.deliver(user, simpleMessage('x'));
    const broken: ImapBackend = {
      authenticate: async (u, p) => {
        const result = await backend.authenticate(u, p);
        if (!result.ok) return result;
        const account: ImapAccount = Object.create(result.account);
        account.fetchMessages = () => ({
          [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('connection to database lost')) }),
        });
        account.listFolders = () => Promise.reject(new Error('boom'));
        return { ok: true, account };
      },
    };
    const logged: string[] = [];
    const server = await startTestImap(broken, { log: (_e, msg) => logged.push(msg) });
    const c = await rawSession(server.port, user, 'pw', 'INBOX');
    expect(await c.cmd('FETCH 1 BODY.PEEK[]')).toEqual(['t3 NO [SERVERBUG] internal server error, try again later']);
    expect(await c.cmd('LIST "" *')).toEqual(['t4 NO [SERVERBUG] internal server error, try again later']);
    expect(await c.cmd('FETCH 1 FLAGS')).toEqual(['* 1 FETCH (FLAGS (\\Recent))', 't5 OK FETCH completed']);
    expect(logged).toContain('imap command failed');
    c.close();
    await server.imap.close();
  });
});
