import { connect, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ImapBackend } from '../../apps/mail-server/src/imap/imap-backend';
import { IMAP_DEFAULTS, ImapListenOptions, ImapListeners, startImap } from '../../apps/mail-server/src/imap/imap-server';

/** IMAP listeners on random loopback ports with test-friendly timings. */
export async function startTestImap(backend: ImapBackend, overrides: Partial<ImapListenOptions> = {}): Promise<{ imap: ImapListeners; port: number; securePort: number | null }> {
  const imap = await startImap(
    {
      ...IMAP_DEFAULTS,
      host: '127.0.0.1',
      port: 0,
      securePort: null,
      tls: null,
      hostname: 'imap.test',
      allowInsecureAuth: () => true,
      maxMessageSize: 10 * 1024 * 1024,
      failureDelayMs: 10,
      idlePollMs: 60_000,
      log: () => undefined,
      ...overrides,
    },
    backend,
  );
  const ports = imap.servers.map((s) => (s.address() as { port: number }).port);
  return { imap, port: ports[0], securePort: overrides.securePort !== undefined && overrides.securePort !== null ? ports[ports.length - 1] : null };
}

/**
 * A bare-bones IMAP client that shows the wire: it sends exactly what a test
 * writes and returns every response line (literals inlined) up to the
 * tagged answer.
 */
export class RawImapClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private tagNo = 0;
  closed = false;

  constructor(public socket: Socket) {
    this.listen(socket);
  }

  private listen(socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, opts: { tls?: boolean } = {}): Promise<{ client: RawImapClient; greeting: string }> {
    const socket = opts.tls ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }) : connect(port, '127.0.0.1');
    await new Promise((r, j) => {
      socket.once(opts.tls ? 'secureConnect' : 'connect', r);
      socket.once('error', j);
    });
    const client = new RawImapClient(socket);
    const greeting = await client.line();
    return { client, greeting };
  }

  /** Switches to TLS on the same socket (after STARTTLS's OK). */
  async startTls(): Promise<void> {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    const secure = tlsConnect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise((r) => secure.once('secureConnect', r));
    this.socket = secure;
    this.buf = Buffer.alloc(0);
    this.listen(secure);
  }

  async waitFor(pred: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (this.closed) throw new Error(`connection closed; buffer: ${this.buf.toString('latin1')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; buffer: ${this.buf.toString('latin1').slice(0, 2000)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** One response line with any literals it announces inlined (as latin1 text). */
  async line(timeoutMs = 5_000): Promise<string> {
    let out = '';
    for (;;) {
      await this.waitFor(() => this.buf.indexOf('\r\n') >= 0, timeoutMs);
      const nl = this.buf.indexOf('\r\n');
      const text = this.buf.toString('latin1', 0, nl);
      this.buf = this.buf.subarray(nl + 2);
      const m = /\{(\d+)\}$/.exec(text);
      if (!m) return out + text;
      const n = Number(m[1]);
      await this.waitFor(() => this.buf.length >= n, timeoutMs);
      out += text + '\r\n' + this.buf.toString('latin1', 0, n);
      this.buf = this.buf.subarray(n);
    }
  }

  write(data: string | Buffer) {
    this.socket.write(data);
  }

  /** Sends "<tag> <text>" and collects lines up to the tagged answer, which is last. */
  async cmd(text: string, timeoutMs = 5_000): Promise<string[]> {
    const tag = `t${++this.tagNo}`;
    this.write(`${tag} ${text}\r\n`);
    return this.until(tag, timeoutMs);
  }

  async until(tag: string, timeoutMs = 5_000): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.line(timeoutMs);
      lines.push(l);
      if (l.startsWith(`${tag} `)) return lines;
    }
  }

  nextTag(): string {
    return `t${++this.tagNo}`;
  }

  hasBuffered(): boolean {
    return this.buf.length > 0;
  }

  close() {
    this.socket.destroy();
  }
}

/** The last line (tagged answer) of a command's output. */
export const tagged = (lines: string[]) => lines[lines.length - 1];

/** A raw client logged in (LOGIN) and, when given, with a folder selected. */
export async function rawSession(port: number, user: string, password: string, select?: string): Promise<RawImapClient> {
  const { client } = await RawImapClient.open(port);
  const login = await client.cmd(`LOGIN ${user} "${password}"`);
  if (!tagged(login).includes(' OK ')) throw new Error(`login failed: ${login.join('\n')}`);
  if (select) {
    const sel = await client.cmd(`SELECT "${select}"`);
    if (!tagged(sel).includes(' OK ')) throw new Error(`select failed: ${sel.join('\n')}`);
  }
  return client;
}

let userCounter = 0;
/** A unique user address for a test. */
export const uniqueUser = () => `user${++userCounter}-${process.pid}@example.test`;
