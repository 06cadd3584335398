import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { SecureContext, TLSSocket } from 'node:tls';
import type { ImapAccount, ImapBackend } from './imap-backend';
import type { CommandContext, CommandResult } from './imap-command';
import { IMAP_COMMANDS } from './imap-commands';
import { statusForError } from './imap-errors';
import { ImapInput, LiteralDecision, RawCommand, RejectedCommand } from './imap-input';
import { safeText } from '../../../../libs/core/src/mime/imap-response';
import { SelectedFolder } from './imap-selected-folder';
import { tokenizeCommand } from './imap-tokenizer';
import { drained } from '../net/sockets';

export interface ImapSessionOptions {
  hostname: string;
  /** Context for STARTTLS; null when no certificate is available. */
  secureContext: SecureContext | null;
  /** Whether LOGIN and AUTHENTICATE may run on this (unencrypted) connection. */
  allowInsecureAuth: (remoteAddress: string) => boolean;
  /** Autologout before login (RFC 3501 5.4 allows a short one; 60 s). */
  preAuthTimeoutMs: number;
  /** Autologout after login: at least 30 minutes (RFC 3501 5.4), IDLE included. */
  idleTimeoutMs: number;
  /** Longest command line (text between literals), e.g. 64 KiB. */
  maxLineLength: number;
  /** Largest literal outside APPEND (passwords, search strings). */
  maxLiteralSize: number;
  /** Largest APPEND message. */
  maxMessageSize: number;
  /** Pause after a failed login, growing with each failure in the session. */
  failureDelayMs: number;
  /** Failed logins after which the connection is closed. */
  maxFailures: number;
  /** While in IDLE, look for changes this often even without a change signal (a safety net). */
  idlePollMs: number;
  log: (event: Record<string, unknown>, msg: string) => void;
}

export type ImapState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

/**
 * One IMAP connection (RFC 3501 with the extensions in imap-commands.ts).
 * Reads one whole command at a time (literals included), runs it, sends the
 * updates of the selected folder that are due, then the tagged answer.
 * The commands themselves live in commands/, one module each.
 */
export class ImapSession {
  readonly id = randomUUID();
  state: ImapState = 'not-authenticated';
  socket: Socket;
  secure: boolean;
  readonly remoteAddress: string;
  account: ImapAccount | null = null;
  selected: SelectedFolder | null = null;
  failures = 0;
  /** Capabilities turned on with ENABLE. */
  readonly enabled = new Set<string>();
  readonly input: ImapInput;
  /** Set by a command to act after its tagged answer is written. */
  after: 'starttls' | 'logout' | null = null;

  private closed = false;
  private markDone!: () => void;
  /** Resolves when the connection is gone (whichever socket it ended on). */
  readonly done = new Promise<void>((resolve) => (this.markDone = resolve));
  private busy = false;
  private waitingForClient = false;
  private changesPending = false;
  private unwatch: (() => void) | null = null;
  private idleWaker: (() => void) | null = null;
  private updateChain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    socket: Socket,
    secure: boolean,
    readonly backend: ImapBackend,
    readonly opts: ImapSessionOptions,
  ) {
    this.socket = socket;
    this.secure = secure;
    this.remoteAddress = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    this.input = new ImapInput({
      maxLineLength: opts.maxLineLength,
      literalPolicy: (prefix, size, soFar) => this.literalPolicy(prefix, size + soFar),
      sendContinuation: () => this.send('+ Ready for literal data'),
      pause: () => this.socket.pause(),
      resume: () => this.socket.resume(),
    });
  }

  start(greeting: string): void {
    this.attach(this.socket);
    this.opts.log({ session: this.id, remote: this.remoteAddress, secure: this.secure }, 'imap connection');
    this.send(greeting);
    void this.readLoop();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Plaintext credentials are acceptable on this connection. */
  get mayLogin(): boolean {
    return this.secure || this.opts.allowInsecureAuth(this.remoteAddress);
  }

  get canStartTls(): boolean {
    return !this.secure && this.opts.secureContext !== null && this.state === 'not-authenticated';
  }

  send(line: string): void {
    if (!this.closed) this.socket.write(`${line}\r\n`);
  }

  /** Writes bytes; returns false when the socket buffer is full (then await drain()). */
  write(data: Buffer | string): boolean {
    return this.closed ? true : this.socket.write(data);
  }

  /** Waits until the socket's buffer drains, so large responses do not pile up in memory. */
  async drain(): Promise<void> {
    if (this.closed) return;
    await drained(this.socket);
  }

  /** A line from the client outside the command syntax (SASL response, IDLE's DONE); null when the connection is gone. */
  async readContinuation(): Promise<string | null> {
    this.waitingForClient = true;
    try {
      const line = await this.input.readLine();
      if (line === 'too-long') return '';
      return line === null ? null : line.toString('utf8');
    } finally {
      this.waitingForClient = false;
      this.touch();
    }
  }

  /** After a successful login: keeps the account and listens for changes to its folders. */
  loggedIn(account: ImapAccount): void {
    this.account = account;
    this.state = 'authenticated';
    this.failures = 0;
    this.unwatch = account.watch((signal) => {
      if (this.selected && signal.folderId === this.selected.folderId) {
        this.changesPending = true;
        this.idleWaker?.();
      }
    });
    this.touch();
  }

  select(view: SelectedFolder | null): void {
    this.selected = view;
    this.state = view ? 'selected' : 'authenticated';
    this.changesPending = false;
  }

  /** This session changed its selected folder (APPEND, COPY into it): look at the changes before the tagged answer. */
  markChanged(): void {
    this.changesPending = true;
  }

  /** While IDLE runs: called when a change signal arrives for the selected folder. */
  onChangeSignal(waker: (() => void) | null): void {
    this.idleWaker = waker;
  }

  /**
   * Sends the untagged updates of the selected folder that are due. Asks the
   * backend when a change signal arrived (or always with `poll`, for NOOP,
   * CHECK and IDLE). `allowExpunge` false keeps EXPUNGEs for later.
   */
  sendUpdates(opts: { poll: boolean; allowExpunge: boolean }): Promise<void> {
    const run = this.updateChain.then(() => this.runUpdates(opts));
    this.updateChain = run.catch(() => undefined);
    return run;
  }

  private async runUpdates({ poll, allowExpunge }: { poll: boolean; allowExpunge: boolean }): Promise<void> {
    const view = this.selected;
    if (!view || !this.account || this.closed) return;
    if (poll || this.changesPending) {
      this.changesPending = false;
      const changes = await this.account.changesSince(view.folderId, view.highestModseq);
      if (this.selected !== view) return;
      if (changes === null) {
        this.send('* BYE [UNAVAILABLE] the selected folder was deleted or replaced; please reconnect');
        await this.close();
        return;
      }
      view.applyChanges(changes);
    }
    const lines = view.takeUpdates(allowExpunge);
    if (lines.length) this.write(lines.join('\r\n') + '\r\n');
  }

  /** RFC 3501 6.2.1: after STARTTLS the session goes on over TLS and forgets anything the client sent before. */
  private upgradeToTls(): void {
    const plain = this.socket;
    this.detach(plain);
    this.input.clear();
    const secureSocket = new TLSSocket(plain, { isServer: true, secureContext: this.opts.secureContext! });
    this.socket = secureSocket;
    this.secure = true;
    secureSocket.once('secure', () => this.opts.log({ session: this.id }, 'imap tls established'));
    this.attach(secureSocket);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.state = 'logout';
    if (this.timer) clearTimeout(this.timer);
    this.socket.end();
    // a client that does not close its side is not waited for
    setTimeout(() => this.socket.destroy(), 5_000).unref();
    this.input.end();
    await this.release();
  }

  private async release(): Promise<void> {
    const account = this.account;
    this.account = null;
    this.selected = null;
    this.unwatch?.();
    this.unwatch = null;
    this.idleWaker?.();
    if (account) await account.close().catch((err) => this.opts.log({ session: this.id, err: String(err) }, 'imap account close failed'));
  }

  private readonly onSocketData = (chunk: Buffer) => {
    this.touch();
    this.input.push(chunk);
  };

  private readonly onSocketError = (err: Error) => this.opts.log({ session: this.id, err: err.message }, 'imap socket error');

  private readonly onSocketClose = () => {
    this.markDone();
    this.closed = true;
    this.state = 'logout';
    if (this.timer) clearTimeout(this.timer);
    this.input.end();
    void this.release();
  };

  private attach(socket: Socket): void {
    socket.on('data', this.onSocketData);
    socket.on('error', this.onSocketError);
    socket.on('close', this.onSocketClose);
    this.touch();
  }

  /** Only our own listeners; the error listener stays so a late error on the plain socket cannot crash the process. */
  private detach(socket: Socket): void {
    socket.off('data', this.onSocketData);
    socket.off('close', this.onSocketClose);
  }

  /** Restarts the autologout timer: short before login, long after. */
  private touch(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const ms = this.state === 'not-authenticated' ? this.opts.preAuthTimeoutMs : this.opts.idleTimeoutMs;
    this.timer = setTimeout(() => {
      if (this.busy && !this.waitingForClient) return this.touch(); // the server is still answering
      this.send('* BYE Autologout; idle for too long');
      void this.close();
    }, ms);
    this.timer.unref();
  }

  /** `size`: octets of all literals of the command so far, this one included. */
  private literalPolicy(prefix: Buffer, size: number): LiteralDecision {
    const words = prefix.toString('latin1', 0, 80).split(' ');
    const verb = (words[1] ?? '').toUpperCase();
    const limit = verb === 'APPEND' && this.state !== 'not-authenticated' ? this.opts.maxMessageSize : this.opts.maxLiteralSize;
    if (size <= limit) return { accept: true };
    return verb === 'APPEND'
      ? { accept: false, status: 'NO', code: 'TOOBIG', text: `message larger than ${limit} octets` }
      : { accept: false, status: 'BAD', code: null, text: `literal larger than ${limit} octets` };
  }

  private async readLoop(): Promise<void> {
    try {
      while (!this.closed) {
        const command = await this.input.readCommand();
        if (command === null) break;
        await this.run(command);
        if (this.after === 'starttls') {
          this.after = null;
          this.upgradeToTls();
        } else if (this.after === 'logout') {
          await this.close();
        }
      }
    } catch (err) {
      this.opts.log({ session: this.id, err: String((err as Error)?.stack ?? err) }, 'imap session failed');
      this.send('* BYE internal server error');
      await this.close();
    }
  }

  private async run(raw: RawCommand | RejectedCommand): Promise<void> {
    if ('rejected' in raw) {
      this.send(`${raw.tag} ${raw.status}${raw.code ? ` [${raw.code}]` : ''} ${safeText(raw.text)}`);
      if (raw.fatal) {
        this.send('* BYE cannot find the end of that command');
        this.after = 'logout';
      }
      return;
    }
    const parsed = tokenizeCommand(raw);
    if ('error' in parsed) {
      this.send(`${parsed.tag} BAD ${safeText(parsed.error)}`);
      return;
    }
    const ctx: CommandContext = { tag: parsed.tag, command: parsed.command, uid: parsed.command.startsWith('UID ') };
    const command = IMAP_COMMANDS[parsed.command];
    if (!command) {
      this.send(`${parsed.tag} BAD unknown command ${safeText(parsed.command.slice(0, 40))}`);
      return;
    }
    if (!command.states.includes(this.state)) {
      this.send(`${parsed.tag} BAD ${parsed.command} ${stateProblem(this.state)}`);
      return;
    }
    this.busy = true;
    let result: CommandResult;
    try {
      const input = command.parse(parsed.args, ctx, this);
      result = await command.handle(this, input, ctx);
    } catch (err) {
      const mapped = statusForError(err);
      if (!mapped) this.opts.log({ session: this.id, command: parsed.command, err: String((err as Error)?.stack ?? err) }, 'imap command failed');
      result = mapped ?? { status: 'NO', code: 'SERVERBUG', text: 'internal server error, try again later' };
    }
    try {
      // RFC 3501 7.4.1: the UID forms of FETCH, STORE and SEARCH may carry EXPUNGE
      if (this.state === 'selected' && this.after !== 'logout') await this.sendUpdates({ poll: false, allowExpunge: ctx.uid || (command.allowExpungeUpdates ?? true) });
    } catch (err) {
      this.opts.log({ session: this.id, err: String((err as Error)?.stack ?? err) }, 'imap updates failed');
    }
    this.busy = false;
    this.touch();
    this.send(`${parsed.tag} ${result.status}${result.code ? ` [${result.code}]` : ''} ${safeText(result.text)}`);
    await this.drain();
  }
}

function stateProblem(state: ImapState): string {
  if (state === 'not-authenticated') return 'needs login first';
  if (state === 'authenticated') return 'needs a selected folder (or is not valid after login)';
  return 'is not valid in the selected state';
}
