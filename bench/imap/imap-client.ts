import { connect, Socket } from 'node:net';

/**
 * The smallest IMAP client that can drive a benchmark: sends a command and
 * waits for its tagged answer, skipping literals by their announced length
 * (so message bytes that look like a tagged line cannot confuse it). Keeps
 * nothing but the byte count, so the load generator costs little CPU.
 */
export class BenchImapClient {
  private buf: Buffer = Buffer.alloc(0);
  private tagNo = 0;
  private pending: { tag: string; resolve: (r: { ok: boolean; line: string; bytes: number }) => void; reject: (e: Error) => void; bytes: number } | null = null;
  /** Offset up to which `buf` was already scanned, and bytes of a literal still to skip. */
  private literalLeft = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.scan();
    });
    socket.on('error', (err) => this.pending?.reject(err));
    socket.on('close', () => this.pending?.reject(new Error('connection closed')));
  }

  static async open(port: number): Promise<BenchImapClient> {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((ok, fail) => {
      socket.once('connect', ok);
      socket.once('error', fail);
    });
    const client = new BenchImapClient(socket);
    await new Promise<void>((ok) => {
      const wait = () => (client.buf.indexOf('\r\n') >= 0 ? ok() : setTimeout(wait, 5));
      wait();
    });
    client.buf = client.buf.subarray(client.buf.indexOf('\r\n') + 2); // the greeting
    return client;
  }

  /** Sends one command; resolves with the tagged line and the size of the answer. */
  cmd(text: string): Promise<{ ok: boolean; line: string; bytes: number }> {
    const tag = `b${++this.tagNo}`;
    return new Promise((resolve, reject) => {
      this.pending = { tag, resolve, reject, bytes: 0 };
      this.socket.write(`${tag} ${text}\r\n`);
      this.scan();
    });
  }

  async login(user: string, password: string): Promise<void> {
    const r = await this.cmd(`LOGIN "${user}" "${password}"`);
    if (!r.ok) throw new Error(`login failed: ${r.line}`);
  }

  close(): void {
    this.socket.write('z LOGOUT\r\n');
    this.socket.end();
  }

  private scan(): void {
    const p = this.pending;
    if (!p) return;
    for (;;) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, this.buf.length);
        this.literalLeft -= take;
        p.bytes += take;
        this.buf = this.buf.subarray(take);
        if (this.literalLeft > 0) return;
      }
      const end = this.buf.indexOf('\r\n');
      if (end < 0) return;
      const line = this.buf.subarray(0, end).toString('latin1');
      this.buf = this.buf.subarray(end + 2);
      p.bytes += end + 2;
      const literal = /\{(\d+)\}$/.exec(line);
      if (literal) {
        this.literalLeft = Number(literal[1]);
        continue;
      }
      if (line.startsWith(p.tag + ' ')) {
        this.pending = null;
        p.resolve({ ok: line.startsWith(`${p.tag} OK`), line, bytes: p.bytes });
        return;
      }
    }
  }
}
