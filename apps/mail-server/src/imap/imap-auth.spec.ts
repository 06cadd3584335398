import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawImapClient, startTestImap, tagged } from '../../../../test/support/imap';
import { ImapBackend } from './imap-backend';
import { MemoryImapBackend } from './imap-memory-backend';
import type { ImapListeners } from './imap-server';

/** Login, TLS and the not-authenticated state, on the wire. */
describe('IMAP authentication and TLS', () => {
  const backend = new MemoryImapBackend();
  let tls: { key: string; cert: string };
  let open: { imap: ImapListeners; port: number };
  let strict: { imap: ImapListeners; port: number; securePort: number | null };
  beforeAll(async () => {
    backend.addUser('u@example.test', 'secret pässword');
    const pems = await generate([{ name: 'commonName', value: 'imap.test' }], { keySize: 2048 });
    tls = { key: pems.private, cert: pems.cert };
    open = await startTestImap(backend, { preAuthTimeoutMs: 300, idleTimeoutMs: 5_000 });
    strict = await startTestImap(backend, { tls, securePort: 0, allowInsecureAuth: () => false });
  });
  afterAll(async () => {
    await open?.imap.close();
    await strict?.imap.close();
  });

  it('greets with capabilities and logs in with LOGIN (quoted UTF-8 password)', async () => {
    const { client, greeting } = await RawImapClient.open(open.port);
    expect(greeting).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 .*AUTH=PLAIN.*\] imap\.test IMAP4rev1 ready$/);
    expect(greeting).not.toContain('STARTTLS'); // no certificate on this listener
    expect(tagged(await client.cmd('LOGIN u@example.test "wrong"'))).toMatch(/^t1 NO \[AUTHENTICATIONFAILED\]/);
    const ok = await client.cmd('LOGIN u@example.test "secret pässword"');
    expect(tagged(ok)).toMatch(/^t2 OK \[CAPABILITY .*UIDPLUS.*MOVE.*QUOTA.*\] u@example\.test logged in/);
    expect(tagged(await client.cmd('LOGIN u@example.test x'))).toMatch(/^t3 BAD LOGIN/);
    expect(await client.cmd('LOGOUT')).toEqual(['* BYE imap.test logging out', 't4 OK LOGOUT completed']);
    await client.waitFor(() => client.closed);
  });

  it('takes a password as a synchronizing literal', async () => {
    const { client } = await RawImapClient.open(open.port);
    client.write('a1 LOGIN u@example.test {16}\r\n');
    expect(await client.line()).toBe('+ Ready for literal data');
    client.write(Buffer.concat([Buffer.from('secret pässword', 'utf8'), Buffer.from('\r\n')]));
    expect(tagged(await client.until('a1'))).toMatch(/^a1 OK/);
    client.close();
  });

  it('AUTHENTICATE PLAIN with SASL-IR, with a continuation, and cancelled', async () => {
    const token = (user: string, pass: string) => Buffer.from(`\u0000${user}\u0000${pass}`).toString('base64');
    const { client } = await RawImapClient.open(open.port);
    expect(tagged(await client.cmd('AUTHENTICATE CRAM-MD5'))).toMatch(/^t1 NO \[CANNOT\]/);
    client.write('c1 AUTHENTICATE PLAIN\r\n');
    expect(await client.line()).toBe('+ ');
    client.write('*\r\n');
    expect(await client.line()).toMatch(/^c1 BAD authentication cancelled/);
    client.write('c2 AUTHENTICATE PLAIN\r\n');
    expect(await client.line()).toBe('+ ');
    client.write(`${token('u@example.test', 'nope')}\r\n`);
    expect(await client.line()).toMatch(/^c2 NO \[AUTHENTICATIONFAILED\]/);
    expect(tagged(await client.cmd(`AUTHENTICATE PLAIN ${token('u@example.test', 'secret pässword')}`))).toMatch(/^t2 OK \[CAPABILITY /);
    client.close();
  });

  it('hangs up after repeated failures, each one slower', async () => {
    const { client } = await RawImapClient.open(open.port);
    const started = Date.now();
    for (let i = 1; i <= 3; i++) expect(tagged(await client.cmd('LOGIN u@example.test bad'))).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10 + 20 + 30 - 5);
    await client.waitFor(() => client.closed);
  });

  it('logs a silent client out before login, but not a logged-in one as soon', async () => {
    const { client } = await RawImapClient.open(open.port);
    expect(await client.line(2_000)).toBe('* BYE Autologout; idle for too long');
    await client.waitFor(() => client.closed);
    const { client: other } = await RawImapClient.open(open.port);
    await other.cmd('LOGIN u@example.test "secret pässword"');
    await new Promise((r) => setTimeout(r, 600));
    expect(other.closed).toBe(false);
    expect(tagged(await other.cmd('NOOP'))).toMatch(/OK/);
    other.close();
  });

  it('refuses plaintext login before STARTTLS, then works over TLS and ignores what was pipelined before', async () => {
    const { client, greeting } = await RawImapClient.open(strict.port);
    expect(greeting).toContain('STARTTLS');
    expect(greeting).toContain('LOGINDISABLED');
    expect(greeting).not.toContain('AUTH=PLAIN');
    expect(tagged(await client.cmd('LOGIN u@example.test x'))).toMatch(/^t1 NO \[PRIVACYREQUIRED\]/);
    expect(tagged(await client.cmd('AUTHENTICATE PLAIN AHVAZXhhbXBsZS50ZXN0AHg='))).toMatch(/^t2 NO \[PRIVACYREQUIRED\]/);
    // a command injected after STARTTLS in the same packet must not run (RFC 3501 6.2.1)
    client.write('s1 STARTTLS\r\ns2 NOOP\r\n');
    expect(await client.line()).toBe('s1 OK Begin TLS negotiation now');
    await client.startTls();
    const caps = await client.cmd('CAPABILITY');
    expect(caps[0]).toContain('AUTH=PLAIN');
    expect(caps[0]).not.toContain('STARTTLS');
    expect(caps.some((l) => l.startsWith('s2'))).toBe(false);
    expect(tagged(await client.cmd('LOGIN u@example.test "secret pässword"'))).toMatch(/OK/);
    expect(tagged(await client.cmd('STARTTLS'))).toMatch(/BAD STARTTLS/);
    expect(strict.imap.sessions.size).toBe(1);
    client.close();
    // the listener forgets the session once its (TLS) connection is gone
    for (let i = 0; i < 50 && strict.imap.sessions.size; i++) await new Promise((r) => setTimeout(r, 20));
    expect(strict.imap.sessions.size).toBe(0);
  });

  it('serves implicit TLS on the secure port', async () => {
    const { client, greeting } = await RawImapClient.open(strict.securePort!, { tls: true });
    expect(greeting).toContain('AUTH=PLAIN');
    expect(greeting).not.toContain('STARTTLS');
    expect(tagged(await client.cmd('LOGIN u@example.test "secret pässword"'))).toMatch(/OK/);
    client.close();
  });

  it('answers commands in the wrong state and unknown commands with BAD, and releases the account on disconnect', async () => {
    const own = new MemoryImapBackend();
    own.addUser('u@example.test', 'secret pässword');
    const server = await startTestImap(own);
    const { client } = await RawImapClient.open(server.port);
    expect(tagged(await client.cmd('SELECT INBOX'))).toMatch(/^t1 BAD SELECT needs login first/);
    expect(tagged(await client.cmd('FROBNICATE'))).toMatch(/^t2 BAD unknown command/);
    expect(tagged(await client.cmd('NOOP extra'))).toMatch(/^t3 BAD/);
    await client.cmd('LOGIN u@example.test "secret pässword"');
    expect(own.openAccounts).toBe(1);
    expect(tagged(await client.cmd('FETCH 1 FLAGS'))).toMatch(/^t5 BAD FETCH needs a selected folder/);
    client.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(own.openAccounts).toBe(0);
    await server.imap.close();
  });

  it('pauses a failed login once: not again after the pause the backend (the lockout) already made', async () => {
    // the session's schedule (10 s, its cap) and the backend's pause are as long: were the latter not deducted, the answer would take 10 s
    const paused: ImapBackend = { authenticate: async () => ({ ok: false, temporary: false, message: 'invalid user name or password', pausedMs: 10_000 }) };
    const server = await startTestImap(paused, { failureDelayMs: 10_000 });
    const { client } = await RawImapClient.open(server.port);
    const started = Date.now();
    expect(tagged(await client.cmd('LOGIN someone x'))).toBe('t1 NO [AUTHENTICATIONFAILED] invalid user name or password');
    expect(Date.now() - started).toBeLessThan(5_000);
    client.close();
    await server.imap.close();
  });

  it('answers a temporary backend failure with NO [UNAVAILABLE] and an unexpected one with NO [SERVERBUG]', async () => {
    const flaky: ImapBackend = {
      authenticate: async (user) => {
        if (user === 'throw') throw new Error('database down');
        return { ok: false, temporary: true, message: 'try again later' };
      },
    };
    const server = await startTestImap(flaky);
    const { client } = await RawImapClient.open(server.port);
    expect(tagged(await client.cmd('LOGIN someone x'))).toBe('t1 NO [UNAVAILABLE] try again later');
    expect(tagged(await client.cmd('LOGIN throw x'))).toBe('t2 NO [SERVERBUG] internal server error, try again later');
    expect(tagged(await client.cmd('NOOP'))).toMatch(/^t3 OK/);
    client.close();
    await server.imap.close();
  });
});
