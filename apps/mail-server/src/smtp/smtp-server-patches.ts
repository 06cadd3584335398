import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

/**
 * Two small changes to nodemailer's smtp-server (3.21), applied once to its
 * connection class because the library offers no hook for them:
 *
 * 1. Enhanced status codes of our choosing. The library derives the enhanced
 *    code from the basic one (every 550 becomes 5.1.1), so "550 5.2.1 mailbox
 *    disabled" or "550 5.7.1 relay denied" could not be said. A reply text that
 *    starts with an enhanced code of the same class ("5.2.1 ...") is now sent
 *    as is, instead of getting a second, generic code in front.
 *
 * 2. Over-long command lines are refused and the session goes on. The library
 *    only knows one limit, after which it answers 421 and hangs up; we keep
 *    that for floods (maxCommandLength, 64 KB) and answer any line longer than
 *    SMTP_LINE_LIMIT with "500 5.5.2 Line too long", the way Postfix does.
 *    AUTH before TLS gets "530 5.7.0 Must issue a STARTTLS command first"
 *    rather than "command not recognized" (see session.authRefusal).
 *
 * 3. The pause before the greeting. smtp-server always waits 100 ms to catch
 *    clients that talk before the banner (spam bots do); that stays on MX, but
 *    is per listener now (option `greetingDelayMs`): submission clients have
 *    logged in users behind them and get the banner at once.
 *
 * 4. Source routes stay visible to the policy. The library drops an RFC 821
 *    source route (`<@hosted.example:user@remote.example>`) before our hooks
 *    see the address, which would turn it into a plain remote recipient;
 *    DESIGN.md wants such addresses refused (decideRelay: routed address), so
 *    the address is handed on with its route.
 */
export const SMTP_LINE_LIMIT = 2048;
export const SMTP_FLOOD_LIMIT = 64 * 1024;

const ENHANCED_PREFIX = /^([245])\.\d{1,3}\.\d{1,3} /;

interface PatchableConnection {
  _server: { options: { hideENHANCEDSTATUSCODES?: boolean; maxClients?: number; greetingDelayMs?: number }; connections: Set<unknown> };
  name: string;
  _setListeners(callback: () => void): void;
  connectionReady(): void;
  init(): void;
  _ready: boolean;
  _upgrading: boolean;
  _nextHandler: unknown;
  session: { authRefusal?: { code: number; text: string } };
  send(code: number, data?: unknown, context?: unknown): void;
  _whenWritable(next: () => void): void;
  _onCommand(command: Buffer, callback?: () => void): void;
  _parseAddressCommand(name: string, command: string): false | { address: string };
}

let applied = false;

export function applySmtpServerPatches(): void {
  if (applied) return;
  applied = true;
  const proto = SMTPConnection.prototype as unknown as PatchableConnection;

  const send = proto.send;
  proto.send = function (this: PatchableConnection, code: number, data?: unknown, context?: unknown) {
    if (typeof data === 'string' && context !== false) {
      const m = ENHANCED_PREFIX.exec(data);
      if (m && m[1] === String(code)[0]) {
        const text = this._server.options.hideENHANCEDSTATUSCODES ? data.slice(m[0].length) : data;
        return send.call(this, code, text, false);
      }
    }
    return send.call(this, code, data, context);
  };

  const onCommand = proto._onCommand;
  proto._onCommand = function (this: PatchableConnection, command: Buffer, callback?: () => void) {
    const next = callback ?? (() => false);
    if (this._ready && !this._upgrading && command) {
      if (command.length > SMTP_LINE_LIMIT) {
        this._nextHandler = false; // an over-long line also ends an AUTH exchange
        this.send(500, '5.5.2 Line too long');
        setImmediate(() => this._whenWritable(next));
        return;
      }
      const refusal = this.session?.authRefusal;
      if (refusal && !this._nextHandler && /^AUTH(\s|$)/i.test(command.toString('latin1', 0, 5))) {
        this.send(refusal.code, refusal.text);
        setImmediate(() => this._whenWritable(next));
        return;
      }
    }
    return onCommand.call(this, command, callback);
  };

  const parseAddress = proto._parseAddressCommand;
  proto._parseAddressCommand = function (this: PatchableConnection, name: string, command: string) {
    const parsed = parseAddress.call(this, name, command);
    const routed = /^[^:]*:\s*<(@[^<>\s]*:[^<>\s]*)>/.exec(String(command ?? ''));
    if (parsed && parsed.address && routed) parsed.address = routed[1];
    return parsed;
  };

  // smtp-server 3.21's init(), with the fixed 100 ms made an option.
  proto.init = function (this: PatchableConnection) {
    this._setListeners(() => {
      const { maxClients, greetingDelayMs } = this._server.options;
      if (maxClients && this._server.connections.size > maxClients) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      }
      const timer = setTimeout(() => this.connectionReady(), greetingDelayMs ?? 100);
      timer.unref();
    });
  };
}
