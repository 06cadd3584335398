import { execFile } from 'node:child_process';
import { connect, Socket } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs a Python poplib script (after USER/PASS) against the server; the
 * script fills the dict `out`, printed as JSON.
 */
export async function poplib(port: number, user: string, password: string, body: string): Promise<any> {
  const script = `
import poplib, json, sys, base64
p = poplib.POP3('127.0.0.1', ${port}, timeout=30)
p.user(${JSON.stringify(user)})
p.pass_(${JSON.stringify(password)})
out = {}
${body}
print(json.dumps(out))
`;
  const { stdout } = await run('python3', ['-c', script], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout);
}

/**
 * A bare POP3 client over a socket that keeps the bytes: for a session held
 * open while other things happen, and for byte-exact comparisons.
 */
export class RawPop3 {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  /** localAddress: another loopback source address, so failed logins count against an address of the test's own. */
  static async login(port: number, user: string, password: string, localAddress?: string): Promise<{ client: RawPop3; greeting: string; login: string }> {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    await new Promise((r, j) => socket.once('connect', r).once('error', j));
    const client = new RawPop3(socket);
    const greeting = await client.line();
    await client.command(`USER ${user}`);
    const login = await client.command(`PASS ${password}`);
    return { client, greeting, login };
  }

  private async until(find: (b: Buffer) => number): Promise<Buffer> {
    for (;;) {
      const end = find(this.buf);
      if (end >= 0) {
        const out = this.buf.subarray(0, end);
        this.buf = this.buf.subarray(end);
        return out;
      }
      if (this.closed) throw new Error(`connection closed; unread: ${this.buf.toString('latin1')}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  private async line(): Promise<string> {
    const line = await this.until((b) => {
      const i = b.indexOf('\r\n');
      return i === -1 ? -1 : i + 2;
    });
    return line.toString('latin1').slice(0, -2);
  }

  /** A command with a one-line answer. */
  async command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.line();
  }

  /** A command with a multi-line answer on +OK: the body with the dot-stuffing undone, exactly as stored. */
  async multi(line: string): Promise<{ status: string; body: Buffer | null }> {
    this.socket.write(`${line}\r\n`);
    const status = await this.line();
    if (!status.startsWith('+OK')) return { status, body: null };
    // the terminator is CRLF "." CRLF; for an empty body, "." CRLF right after the status line
    this.buf = Buffer.concat([Buffer.from('\r\n'), this.buf]);
    const framed = await this.until((b) => {
      const i = b.indexOf('\r\n.\r\n');
      return i === -1 ? -1 : i + 5;
    });
    const stuffed = framed.subarray(2, framed.length - 3); // without the leading CRLF we put back and ".\r\n"
    const lines = stuffed.toString('latin1').split('\r\n');
    const body = lines.map((l) => (l.startsWith('.') ? l.slice(1) : l)).join('\r\n');
    return { status, body: Buffer.from(body, 'latin1') };
  }

  async quit(): Promise<string> {
    const answer = await this.command('QUIT');
    await new Promise<void>((r) => (this.closed ? r() : this.socket.once('close', () => r())));
    return answer;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
