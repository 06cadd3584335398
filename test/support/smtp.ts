import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import nodemailer from 'nodemailer';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { startMailServer, RunningMailServer, MailServerStartOptions } from '../../apps/mail-server/src/mail-server';
import { loadConfig, PostbodeConfig } from '../../libs/core/src/config/config';
import { createDataSource } from '../../libs/core/src/database/data-source';

/** Ports this test process has handed out: never handed out twice, so two servers started side by side cannot get the same one. */
const handedOut = new Set<number>();

/** A port nobody listens on right now (tests never use fixed ports). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/**
 * `n` different ports nobody listens on right now and none handed out before by this process. All
 * are held open until each is known (a port the kernel offers again is skipped, not taken twice).
 */
export async function freePorts(n: number): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < n) {
      const s = createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve());
      });
      held.push(s);
      const port = (s.address() as { port: number }).port;
      if (handedOut.has(port)) continue;
      handedOut.add(port);
      ports.push(port);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
  return ports;
}

export interface TestMailServer {
  db: DataSource;
  config: PostbodeConfig;
  server: RunningMailServer;
  mx: number;
  submission: number;
  smtps: number;
  close(): Promise<void>;
}

/** The real mail server, in this process, on random ports and the test PostgreSQL. */
export async function startTestMailServer(env: Record<string, string> = {}, opts: MailServerStartOptions = {}): Promise<TestMailServer> {
  const databaseUrl = env.DATABASE_URL ?? inject('databaseUrl');
  const [mx, submission, smtps] = [await freePort(), await freePort(), await freePort()];
  const dataDir = mkdtempSync(`${tmpdir()}/postbode-mail-`);
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    MAIL_HOSTNAME: 'mx.postbode.test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    SMTP_PORT: String(mx),
    SUBMISSION_PORT: String(submission),
    SMTPS_PORT: String(smtps),
    // tests that want POP3 or IMAP ask for them on ports of their own
    POP3_PORT: 'off',
    POP3S_PORT: 'off',
    IMAP_PORT: String(await freePort()),
    IMAPS_PORT: String(await freePort()),
    // the delivery worker would try real MX hosts for queued test mail: tests that
    // deliver turn it on with a TRANSPORT_MAP pointing at a loopback sink
    DELIVERY_WORKER: 'off',
    ...env,
  });
  const db = createDataSource(databaseUrl, { poolSize: 5 + (config.deliveryWorker ? config.deliveryConcurrency : 0) });
  await db.initialize();
  const server = await startMailServer(config, db, databaseUrl, opts);
  return {
    db,
    config,
    server,
    mx,
    submission,
    smtps,
    close: async () => {
      await server.close();
      await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** nodemailer as a user's mail program or another MTA would use it (self-signed certificate accepted). */
export function smtpClient(port: number, opts: { secure?: boolean; auth?: { user: string; pass: string }; ignoreTLS?: boolean; localAddress?: string; pool?: boolean } = {}) {
  return nodemailer.createTransport({
    pool: opts.pool ?? false,
    maxConnections: 1,
    host: '127.0.0.1',
    port,
    secure: opts.secure ?? false,
    ignoreTLS: opts.ignoreTLS ?? false,
    auth: opts.auth,
    localAddress: opts.localAddress,
    tls: { rejectUnauthorized: false },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
}

/** A message with a known Message-ID, CRLF line ends. */
export function rfc5322(opts: { from: string; to: string; subject?: string; body?: string; messageId?: string }): string {
  return [
    `From: <${opts.from}>`,
    `To: <${opts.to}>`,
    `Subject: ${opts.subject ?? 'test'}`,
    `Message-ID: <${opts.messageId ?? `${Math.random().toString(36).slice(2)}@client.test`}>`,
    `Date: ${new Date().toUTCString()}`,
    '',
    opts.body ?? 'Hello.',
    '',
  ].join('\r\n');
}

export interface SmtpResponse {
  code: number;
  lines: string[];
  text: string;
}

/**
 * A bare SMTP client over a socket, for what real clients refuse to send:
 * bare line ends, garbage, over-long lines, commands in odd places.
 */
export class RawSmtp {
  private buffer = '';
  private waiters: (() => void)[] = [];
  private closed = false;

  private constructor(private socket: Socket | TLSSocket) {
    this.attach(socket);
  }

  static async connect(port: number, opts: { tls?: boolean; localAddress?: string } = {}): Promise<{ client: RawSmtp; greeting: SmtpResponse }> {
    const socket: Socket | TLSSocket = await new Promise((resolve, reject) => {
      const s = opts.tls
        ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) } as never, () => resolve(s))
        : new Socket().connect({ host: '127.0.0.1', port, localAddress: opts.localAddress }, () => resolve(s));
      s.once('error', reject);
    });
    const client = new RawSmtp(socket);
    return { client, greeting: await client.read() };
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buffer += d;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters.splice(0);
    w.forEach((f) => f());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Next complete reply (multi-line replies joined). */
  async read(timeoutMs = 15_000): Promise<SmtpResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.buffer.split('\r\n');
      for (let i = 0; i < lines.length - 1; i++) {
        if (/^\d{3} /.test(lines[i]) || /^\d{3}$/.test(lines[i])) {
          const reply = lines.slice(0, i + 1);
          this.buffer = lines.slice(i + 1).join('\r\n');
          return { code: Number(reply[i].slice(0, 3)), lines: reply, text: reply.join('\n') };
        }
      }
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.buffer)}`);
      if (Date.now() > deadline) throw new Error(`no reply within ${timeoutMs} ms; got ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async cmd(line: string): Promise<SmtpResponse> {
    this.write(`${line}\r\n`);
    return this.read();
  }

  async starttls(): Promise<void> {
    const r = await this.cmd('STARTTLS');
    if (r.code !== 220) throw new Error(`STARTTLS refused: ${r.text}`);
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    const secure: TLSSocket = await new Promise((resolve, reject) => {
      const s = tlsConnect({ socket: this.socket as Socket, rejectUnauthorized: false }, () => resolve(s));
      s.once('error', reject);
    });
    this.socket = secure;
    this.buffer = '';
    this.attach(secure);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Runs swaks (Debian package "swaks"); installs it when missing or fails saying so. */
export async function swaks(args: string[]): Promise<{ code: number; output: string }> {
  await ensureSwaks();
  return new Promise((resolve) => {
    execFile('swaks', args, { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

let swaksReady: Promise<void> | null = null;
function ensureSwaks(): Promise<void> {
  swaksReady ??= new Promise((resolve, reject) => {
    execFile('swaks', ['--version'], (err) => {
      if (!err) return resolve();
      execFile('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq swaks'], { timeout: 300_000 }, (e2) =>
        e2 ? reject(new Error('swaks is missing and could not be installed: apt-get install swaks (Debian package "swaks")')) : resolve(),
      );
    });
  });
  return swaksReady;
}

/** A loopback address of its own (127.x.y.z), so login-failure counts and client networks of one test never meet another's. */
export function randomLoopback(): string {
  const b = () => 1 + Math.floor(Math.random() * 250);
  return `127.${b()}.${b()}.${b()}`;
}

/** The AUTH PLAIN argument for a user and password. */
export function authPlain(user: string, pass: string): string {
  return Buffer.from(`\0${user}\0${pass}`).toString('base64');
}
