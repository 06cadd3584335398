import { connect, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pop3Backend, Pop3Maildrop } from './pop3-backend';
import { dotStuff, multiLine, multiLineParts, topOf } from './pop3-commands';
import { Pop3ListenOptions, Pop3Listeners, startPop3 } from './pop3-server';

/**
 * The protocol layer against an in-memory maildrop: what the wire looks like.
 * The real store and real clients (poplib, fetchmail) are in test/pop3.e2e-spec.ts.
 */
function memoryBackend() {
  const drops = new Map<string, Buffer[]>();
  const locked = new Set<string>();
  const committed: number[][] = [];
  drops.set('mb1', [
    Buffer.from('Subject: one\r\n\r\nhello\r\n.leading dot\r\n'),
    Buffer.from('Subject: two\r\n\r\nline1\r\nline2\r\nline3\r\n'),
    Buffer.from('Subject: three\r\n\r\nbody'),
  ]);
  const backend: Pop3Backend = {
    authenticate: async (user, password) =>
      user === 'u@example.test' && password === 'secret pässword' ? { ok: true, mailboxId: 'mb1', address: user } : { ok: false, temporary: false, message: 'invalid user name or password' },
    openMaildrop: async (mailboxId) => {
      if (locked.has(mailboxId)) return { ok: false, inUse: true, message: 'maildrop already locked' };
      locked.add(mailboxId);
      const msgs = drops.get(mailboxId)!;
      const drop: Pop3Maildrop = {
        count: msgs.length,
        octets: msgs.reduce((n, m) => n + m.length, 0),
        size: (i) => msgs[i].length,
        uidl: (i) => `uid${i + 1}`,
        // read ahead (answered at once) for some, from the store (a promise) for others: both paths run
        fetch: (i) => (i % 2 ? Promise.resolve(msgs[i]) : msgs[i]),
        commitDeletes: async (idx) => void committed.push([...idx]),
        release: async () => void locked.delete(mailboxId),
      };
      return { ok: true, maildrop: drop };
    },
  };
  return { backend, committed, locked };
}

class Client {
  private buf = '';
  private waiters: Array<() => void> = [];
  constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buf += d;
      this.waiters.splice(0).forEach((w) => w());
    });
  }
  static async open(port: number): Promise<Client> {
    const s = connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    const c = new Client(s);
    await c.line();
    return c;
  }
  async until(pred: (b: string) => number): Promise<string> {
    for (;;) {
      const end = pred(this.buf);
      if (end >= 0) {
        const out = this.buf.slice(0, end);
        this.buf = this.buf.slice(end);
        return out;
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
  line() {
    return this.until((b) => (b.indexOf('\r\n') >= 0 ? b.indexOf('\r\n') + 2 : -1));
  }
  multi() {
    return this.until((b) => (b.indexOf('\r\n.\r\n') >= 0 ? b.indexOf('\r\n.\r\n') + 5 : -1));
  }
  async cmd(line: string) {
    this.socket.write(`${line}\r\n`);
    return this.line();
  }
}

/** Listener options for the tests: loopback, random port, plaintext logins allowed, quick failure pauses. */
const OPTIONS: Pop3ListenOptions = { host: '127.0.0.1', port: 0, securePort: null, tls: null, hostname: 'mail.test', allowInsecureAuth: () => true, idleTimeoutMs: 60_000, maxLineLength: 512, failureDelayMs: 10, maxFailures: 3, log: () => undefined };

describe('POP3 protocol layer', () => {
  let pop: Pop3Listeners;
  let port: number;
  let mem: ReturnType<typeof memoryBackend>;
  beforeAll(async () => {
    mem = memoryBackend();
    pop = await startPop3(
      OPTIONS,
      mem.backend,
    );
    port = (pop.servers[0].address() as { port: number }).port;
  });
  afterAll(async () => pop?.close());

  it('dot-stuffs and terminates', () => {
    expect(dotStuff(Buffer.from('.a\r\nb\r\n..c\r\n')).toString()).toBe('..a\r\nb\r\n...c\r\n.\r\n');
    expect(dotStuff(Buffer.from('no newline')).toString()).toBe('no newline\r\n.\r\n');
    expect(topOf(Buffer.from('H: 1\r\n\r\na\r\nb\r\nc\r\n'), 2).toString()).toBe('H: 1\r\n\r\na\r\nb\r\n');
    expect(topOf(Buffer.from('H: 1\r\n\r\na\r\n'), 0).toString()).toBe('H: 1\r\n\r\n');
  });

  it('sends a body that needs no stuffing as it is, in parts that add up to the stuffed response', () => {
    for (const body of ['plain\r\nlines\r\n', '.leading\r\n', 'a\r\n.dot\r\n', 'no newline', '', 'lf only\n.x\n']) {
      const raw = Buffer.from(body);
      const parts = multiLineParts('+OK x', raw);
      expect(Buffer.concat(parts.map((p) => Buffer.from(p as Buffer | string)))).toEqual(multiLine('+OK x', raw));
      // no copy of a body without dot lines: the very bytes of the read-ahead go out
      if (!/(^|\n)\./.test(body)) expect(parts[1]).toBe(raw);
    }
  });

  it('answers pipelined RETRs in order, whether the message is at hand or must be waited for', async () => {
    const c = await Client.open(port);
    c.socket.write('USER u@example.test\r\nPASS secret pässword\r\nRETR 2\r\nRETR 1\r\nRETR 3\r\nRETR 2\r\nNOOP\r\nQUIT\r\n');
    const out = await c.until((b) => (/signing off.*\r\n$/.test(b) ? b.length : -1));
    const subjects = [...out.matchAll(/^Subject: (\w+)/gm)].map((m) => m[1]);
    expect(subjects).toEqual(['two', 'one', 'three', 'two']);
    expect(out).toMatch(/\r\n\.\r\n\+OK\r\n\+OK \S+ signing off \(0 message\(s\) deleted\)\r\n$/);
  });

  it('logs in with USER/PASS (UTF-8 password), lists, retrieves, deletes only on QUIT', async () => {
    const c = await Client.open(port);
    expect(await c.cmd('USER u@example.test')).toMatch(/^\+OK/);
    c.socket.write(Buffer.concat([Buffer.from('PASS '), Buffer.from('secret pässword', 'utf8'), Buffer.from('\r\n')]));
    expect(await c.line()).toMatch(/^\+OK .* 3 message/);
    expect(await c.cmd('STAT')).toMatch(/^\+OK 3 \d+/);
    c.socket.write('UIDL\r\n');
    expect(await c.multi()).toBe('+OK listing follows\r\n1 uid1\r\n2 uid2\r\n3 uid3\r\n.\r\n');
    c.socket.write('RETR 1\r\n');
    const retr = await c.multi();
    expect(retr).toContain('\r\n..leading dot\r\n');
    expect(retr).toMatch(/^\+OK 37 octets\r\n/);
    c.socket.write('TOP 2 1\r\n');
    expect(await c.multi()).toBe('+OK top of message follows\r\nSubject: two\r\n\r\nline1\r\n.\r\n');
    c.socket.write('RETR 3\r\n');
    expect(await c.multi()).toMatch(/body\r\n\.\r\n$/);
    expect(await c.cmd('DELE 2')).toMatch(/^\+OK/);
    expect(await c.cmd('DELE 2')).toMatch(/^-ERR message 2 already deleted/);
    expect(await c.cmd('RETR 2')).toMatch(/^-ERR/);
    expect(await c.cmd('LIST 2')).toMatch(/^-ERR/);
    expect(await c.cmd('STAT')).toMatch(/^\+OK 2 /);
    expect(await c.cmd('RSET')).toMatch(/^\+OK 1 message/);
    expect(await c.cmd('STAT')).toMatch(/^\+OK 3 /);
    expect(await c.cmd('DELE 1')).toMatch(/^\+OK/);
    expect(mem.committed).toEqual([]);
    expect(await c.cmd('QUIT')).toMatch(/^\+OK .*1 message/);
    expect(mem.committed).toEqual([[0]]);
    mem.committed.length = 0;
  });

  it('a dropped connection deletes nothing and frees the lock', async () => {
    const c = await Client.open(port);
    await c.cmd('USER u@example.test');
    await c.cmd('PASS secret pässword');
    await c.cmd('DELE 1');
    c.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(mem.committed).toEqual([]);
    expect(mem.locked.size).toBe(0);
  });

  it('answers a second session with [IN-USE]', async () => {
    const a = await Client.open(port);
    await a.cmd('USER u@example.test');
    expect(await a.cmd('PASS secret pässword')).toMatch(/^\+OK/);
    const b = await Client.open(port);
    await b.cmd('USER u@example.test');
    expect(await b.cmd('PASS secret pässword')).toMatch(/^-ERR \[IN-USE\]/);
    await a.cmd('QUIT');
    b.socket.destroy();
  });

  it('AUTH PLAIN with and without an initial response; wrong password is [AUTH]', async () => {
    const c = await Client.open(port);
    const token = Buffer.from('\u0000u@example.test\u0000wrong').toString('base64');
    expect(await c.cmd(`AUTH PLAIN ${token}`)).toMatch(/^-ERR \[AUTH\]/);
    expect(await c.cmd('AUTH PLAIN')).toBe('+ \r\n');
    expect(await c.cmd(Buffer.from('\u0000u@example.test\u0000secret pässword').toString('base64'))).toMatch(/^\+OK/);
    await c.cmd('QUIT');
  });

  it('survives garbage, long lines, commands in the wrong state and pipelining', async () => {
    const c = await Client.open(port);
    expect(await c.cmd('\u0001\u0002 garbage')).toMatch(/^-ERR unknown command/);
    expect(await c.cmd('STAT')).toMatch(/^-ERR STAT is not valid/);
    expect(await c.cmd('X'.repeat(5000))).toMatch(/^-ERR line too long/);
    c.socket.write('CAPA\r\n');
    const caps = await c.multi();
    expect(caps).toContain('\r\nUIDL\r\n');
    expect(caps).toContain('RESP-CODES');
    expect(caps).toContain('SASL PLAIN');
    c.socket.write('USER u@example.test\r\nPASS secret pässword\r\nSTAT\r\nQUIT\r\n');
    const out = await c.until((b) => (b.split('\r\n').length >= 5 ? b.length : -1));
    expect(out.split('\r\n').slice(0, 4).map((l) => l.slice(0, 3))).toEqual(['+OK', '+OK', '+OK', '+OK']);
  });

  it('a client that hangs up while its maildrop opens does not leave it locked', async () => {
    const released: string[] = [];
    let opening: () => void = () => undefined;
    const opened = new Promise<void>((r) => (opening = r));
    const slow: Pop3Backend = {
      authenticate: async (user) => ({ ok: true, mailboxId: 'slow', address: user }),
      openMaildrop: async () => {
        opening();
        await new Promise((r) => setTimeout(r, 200));
        const drop: Pop3Maildrop = {
          count: 0,
          octets: 0,
          size: () => 0,
          uidl: () => '',
          fetch: async () => null,
          commitDeletes: async () => undefined,
          release: async () => void released.push('slow'),
        };
        return { ok: true, maildrop: drop };
      },
    };
    const other = await startPop3(
      OPTIONS,
      slow,
    );
    try {
      const c = await Client.open((other.servers[0].address() as { port: number }).port);
      c.socket.write('USER someone@example.test\r\nPASS x\r\n');
      await opened;
      c.socket.destroy();
      await new Promise((r) => setTimeout(r, 400));
      expect(released).toEqual(['slow']);
    } finally {
      await other.close();
    }
  });

  it('pauses a failed login once: not again after the pause the backend (the lockout) already made', async () => {
    // the session's schedule (10 s, its cap) and the backend's pause are as long: were the latter not deducted, the answer would take 10 s
    const paused: Pop3Backend = {
      authenticate: async () => ({ ok: false, temporary: false, message: 'invalid user name or password', pausedMs: 10_000 }),
      openMaildrop: async () => ({ ok: false, inUse: false, message: 'never reached' }),
    };
    const other = await startPop3(
      { ...OPTIONS, failureDelayMs: 10_000 },
      paused,
    );
    const c = await Client.open((other.servers[0].address() as { port: number }).port);
    try {
      await c.cmd('USER someone@example.test');
      const started = Date.now();
      expect(await c.cmd('PASS x')).toMatch(/^-ERR \[AUTH\] invalid user name or password/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      c.socket.destroy();
      await other.close();
    }
  });

  it('hangs up after repeated failures', async () => {
    const c = await Client.open(port);
    for (let i = 0; i < 3; i++) {
      await c.cmd('USER nobody@example.test');
      expect(await c.cmd('PASS x')).toMatch(/^-ERR \[AUTH\]/);
    }
    await new Promise((r) => c.socket.once('close', r));
  });
});
