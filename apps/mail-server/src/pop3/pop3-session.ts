import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { SecureContext, TLSSocket } from 'node:tls';
import { Pop3Backend, Pop3Maildrop } from './pop3-backend';
import { POP3_COMMANDS } from './pop3-commands';
import { drained } from '../net/sockets';

export interface Pop3SessionOptions {
  hostname: string;
  /** Context for STLS; null when no certificate is available. */
  secureContext: SecureContext | null;
  /** Whether USER/PASS and AUTH may run on this (unencrypted) connection. */
  allowInsecureAuth: (remoteAddress: string) => boolean;
  idleTimeoutMs: number;
  maxLineLength: number;
  /** Pause after a failed login, growing with each failure in the session. */
  failureDelayMs: number;
  maxFailures: number;
  log: (event: Record<string, unknown>, msg: string) => void;
}

export type Pop3State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE';

/**
 * One POP3 connection (RFC 1939, RFC 2449 CAPA, RFC 5034 SASL, RFC 2595 STLS).
 * Reads lines, runs one command at a time in order (clients may pipeline),
 * and keeps the session state; the commands themselves are in pop3-commands.ts.
 */
export class Pop3Session {
  readonly id = randomUUID();
  state: Pop3State = 'AUTHORIZATION';
  socket: Socket;
  secure: boolean;
  readonly remoteAddress: string;
  /** Name given with USER, waiting for PASS. */
  pendingUser: string | null = null;
  mailboxId: string | null = null;
  address: string | null = null;
  maildrop: Pop3Maildrop | null = null;
  /** 0-based indexes marked with DELE, undone by RSET. */
  readonly deleted = new Set<number>();
  failures = 0;
  /** Set while a SASL exchange waits for the client's next line. */
  continuation: ((line: string) => Promise<void>) | null = null;

  private buffer = '';
  private queue: string[] = [];
  private busy = false;
  private closed = false;
  private discardingLongLine = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private lastActivity = 0;

  constructor(
    socket: Socket,
    secure: boolean,
    readonly backend: Pop3Backend,
    readonly opts: Pop3SessionOptions,
    /** Called once when the connection is gone (whichever socket it was on by then). */
    private readonly onEnd: () => void = () => undefined,
  ) {
    this.socket = socket;
    this.secure = secure;
    this.remoteAddress = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  }

  start(): void {
    this.attach(this.socket);
    this.opts.log({ session: this.id, remote: this.remoteAddress, secure: this.secure }, 'pop3 connection');
    this.send(`+OK ${this.opts.hostname} POP3 ready`);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get mayLogin(): boolean {
    return this.secure || this.opts.allowInsecureAuth(this.remoteAddress);
  }

  get canStartTls(): boolean {
    return !this.secure && this.opts.secureContext !== null && this.state === 'AUTHORIZATION';
  }

  send(line: string): void {
    if (!this.closed) this.socket.write(`${line}\r\n`);
  }

  /** Writes a multi-line response (already dot-stuffed and CRLF-terminated body parts). */
  sendRaw(data: Buffer | string): boolean {
    return this.closed ? true : this.socket.write(data);
  }

  /** Writes a response's parts in one gathered write (one segment on the wire, no concatenated copy). */
  sendParts(parts: ReadonlyArray<Buffer | string>): void {
    if (parts.length === 1) {
      this.sendRaw(parts[0]);
      return;
    }
    if (this.closed) return;
    this.socket.cork();
    for (const part of parts) this.socket.write(part, 'latin1');
    this.socket.uncork();
  }

  /** Waits until the socket's write buffer drains, so large RETRs do not pile up in memory. */
  drain(): Promise<void> | void {
    if (this.closed || !this.socket.writableNeedDrain) return;
    return drained(this.socket);
  }

  /** RFC 2595: after STLS, the session restarts on the encrypted socket and forgets anything sent before. */
  upgradeToTls(): void {
    const plain = this.socket;
    this.detach(plain);
    this.buffer = '';
    this.queue = [];
    const secureSocket = new TLSSocket(plain, { isServer: true, secureContext: this.opts.secureContext! });
    this.socket = secureSocket;
    this.secure = true;
    secureSocket.once('secure', () => this.opts.log({ session: this.id }, 'pop3 tls established'));
    this.attach(secureSocket);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.socket.end();
    await this.releaseMaildrop();
  }

  async releaseMaildrop(): Promise<void> {
    const drop = this.maildrop;
    this.maildrop = null;
    if (drop) await drop.release().catch((err) => this.opts.log({ session: this.id, err: String(err) }, 'pop3 release failed'));
  }

  private readonly onDataBound = (chunk: string) => this.onData(chunk);
  private readonly onErrorBound = (err: Error) => this.opts.log({ session: this.id, err: err.message }, 'pop3 socket error');
  private readonly onCloseBound = () => {
    // A dropped connection deletes nothing: release without committing.
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    void this.releaseMaildrop();
    this.onEnd();
  };

  private attach(socket: Socket): void {
    socket.setEncoding('latin1');
    socket.on('data', this.onDataBound);
    socket.on('error', this.onErrorBound);
    socket.on('close', this.onCloseBound);
    this.touch();
  }

  /** Removes only our own listeners (STLS): the TLS socket takes them over. */
  private detach(socket: Socket): void {
    socket.off('data', this.onDataBound);
    socket.off('error', this.onErrorBound);
    socket.off('close', this.onCloseBound);
  }

  /** Notes the client's activity; the one idle timer looks at it when it fires (no timer per command). */
  private touch(): void {
    this.lastActivity = Date.now();
    if (!this.idleTimer) this.armIdleTimer(this.opts.idleTimeoutMs);
  }

  private armIdleTimer(ms: number): void {
    this.idleTimer = setTimeout(() => {
      const idle = Date.now() - this.lastActivity;
      if (idle < this.opts.idleTimeoutMs) return this.armIdleTimer(this.opts.idleTimeoutMs - idle);
      this.idleTimer = null;
      this.send('-ERR autologout: idle for too long');
      void this.close();
    }, ms);
    this.idleTimer.unref();
  }

  private onData(chunk: string): void {
    this.touch();
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl > 0 && this.buffer.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (this.discardingLongLine) {
        this.discardingLongLine = false;
        continue;
      }
      this.queue.push(line);
    }
    if (this.buffer.length > this.opts.maxLineLength) {
      this.buffer = '';
      this.discardingLongLine = true;
      this.queue.push('\u0000too-long');
    }
    this.pump();
  }

  /**
   * Runs queued lines in order. A command that finishes at once (a RETR of a
   * message already read ahead, most of a session's work) runs without a
   * promise; one that waits resumes the queue when it is done.
   */
  private pump(): void {
    if (this.busy) return;
    this.busy = true;
    while (this.queue.length && !this.closed) {
      const pending = this.runLine(this.queue.shift()!);
      if (pending) {
        void pending.then(this.resumeBound);
        return;
      }
    }
    this.busy = false;
  }

  private readonly resumeBound = () => {
    this.busy = false;
    this.pump();
  };

  /** Answers one line; a promise only when the command has to wait (it never rejects). */
  private runLine(line: string): Promise<void> | void {
    try {
      const pending = this.dispatch(line);
      if (pending) return pending.catch(this.failedBound);
    } catch (err) {
      this.failedBound(err);
    }
  }

  /** A broken backend call answers with a temporary error; the session goes on. */
  private readonly failedBound = (err: unknown) => {
    this.opts.log({ session: this.id, err: String((err as Error)?.stack ?? err) }, 'pop3 command failed');
    this.send('-ERR [SYS/TEMP] temporary server error, try again later');
  };

  private dispatch(line: string): Promise<void> | void {
    if (line === '\u0000too-long' || line.length > this.opts.maxLineLength) return this.send('-ERR line too long');
    if (this.continuation) {
      const next = this.continuation;
      this.continuation = null;
      return next(line);
    }
    const m = /^([A-Za-z]{1,8})(?: (.*))?$/.exec(line);
    if (!m) return this.send('-ERR unknown command');
    const verb = m[1].toUpperCase();
    const command = POP3_COMMANDS[verb];
    if (!command) return this.send('-ERR unknown command');
    if (!command.states.includes(this.state)) return this.send(`-ERR ${verb} is not valid in the ${this.state} state`);
    return command.handle(this, m[2] ?? '');
  }
}
