import { failurePause } from '../login-pause';
import type { Pop3Session, Pop3State } from './pop3-session';

/** One POP3 verb: where it is allowed and what it does. */
export interface Pop3Command {
  states: readonly Pop3State[];
  handle(session: Pop3Session, args: string): Promise<void> | void;
}

const AUTH: readonly Pop3State[] = ['AUTHORIZATION'];
const TRANS: readonly Pop3State[] = ['TRANSACTION'];

/** The wire carries octets; names and passwords are UTF-8 (the session reads latin1 to keep bytes 1:1). */
const utf8 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8');

function capabilities(s: Pop3Session): string[] {
  const caps = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'IMPLEMENTATION Postbode'];
  if (s.state === 'AUTHORIZATION') {
    if (s.canStartTls) caps.push('STLS');
    if (s.mayLogin) caps.push('USER', 'SASL PLAIN');
  }
  return caps;
}

/** `n` must name a message that exists and is not deleted; answers -ERR itself otherwise. */
function messageIndex(s: Pop3Session, arg: string): number | null {
  if (!/^\d{1,10}$/.test(arg)) {
    s.send('-ERR message number required');
    return null;
  }
  const n = Number(arg);
  const count = s.maildrop!.count;
  if (n < 1 || n > count) {
    s.send(`-ERR no message ${n} (there are ${count})`);
    return null;
  }
  if (s.deleted.has(n - 1)) {
    s.send(`-ERR message ${n} already deleted`);
    return null;
  }
  return n - 1;
}

const LF_DOT = Buffer.from('\n.');

/** An empty body counts as ending in CRLF: the terminator follows it directly. */
const endsInCrlf = (body: Buffer) => body.length === 0 || (body.length >= 2 && body[body.length - 2] === 0x0d && body[body.length - 1] === 0x0a);

/**
 * A multi-line response in one buffer (one write, one segment on the wire):
 * the first line, the body with RFC 1939 byte stuffing (a line that starts
 * with "." gets another "."), CRLF if the body does not end with one, and the
 * terminating ".". `first` is null for the body part alone.
 */
export function multiLine(first: string | null, body: Buffer): Buffer {
  const leadingDot = body.length > 0 && body[0] === 0x2e;
  let stuffed = leadingDot ? 1 : 0;
  // "\n." cannot overlap itself: the next one starts two bytes on at the earliest
  for (let i = body.indexOf(LF_DOT); i !== -1; i = body.indexOf(LF_DOT, i + 2)) stuffed++;
  const endsWithCrlf = endsInCrlf(body);
  const headLength = first === null ? 0 : first.length + 2;
  const out = Buffer.allocUnsafe(headLength + body.length + stuffed + (endsWithCrlf ? 3 : 5));
  let o = 0;
  if (first !== null) {
    o += out.write(first, 0, 'latin1');
    out[o++] = 0x0d;
    out[o++] = 0x0a;
  }
  if (stuffed === 0) {
    o += body.copy(out, o);
  } else {
    if (leadingDot) out[o++] = 0x2e;
    let start = 0;
    for (let i = body.indexOf(LF_DOT); i !== -1; i = body.indexOf(LF_DOT, i + 2)) {
      o += body.copy(out, o, start, i + 1);
      out[o++] = 0x2e;
      start = i + 1;
    }
    o += body.copy(out, o, start);
  }
  if (!endsWithCrlf) {
    out[o++] = 0x0d;
    out[o++] = 0x0a;
  }
  out[o++] = 0x2e;
  out[o++] = 0x0d;
  out[o++] = 0x0a;
  return out;
}

/**
 * The same response as `multiLine`, as parts for one gathered write: when the
 * body needs no stuffing (no line starts with ".") it goes out as it is, a
 * view of the read-ahead batch, so a RETR allocates and copies no message
 * bytes (at thousands of RETRs a second those copies kept V8's collector busy).
 */
export function multiLineParts(first: string, body: Buffer): Array<Buffer | string> {
  const stuffing = (body.length > 0 && body[0] === 0x2e) || body.indexOf(LF_DOT) !== -1;
  if (stuffing) return [multiLine(first, body)];
  const endsWithCrlf = endsInCrlf(body);
  return [`${first}\r\n`, body, endsWithCrlf ? '.\r\n' : '\r\n.\r\n'];
}

/** The body of a multi-line response: dot-stuffed, ending in CRLF "." CRLF. */
export const dotStuff = (raw: Buffer): Buffer => multiLine(null, raw);

/** Header, blank line, and the first `lines` lines of the body (TOP). */
export function topOf(raw: Buffer, lines: number): Buffer {
  const sep = raw.indexOf('\r\n\r\n');
  if (sep === -1) return raw;
  let end = sep + 4;
  for (let i = 0; i < lines && end < raw.length; i++) {
    const nl = raw.indexOf(0x0a, end);
    end = nl === -1 ? raw.length : nl + 1;
  }
  return raw.subarray(0, end);
}

async function login(s: Pop3Session, user: string, password: string): Promise<void> {
  const result = await s.backend.authenticate(user, password, s.remoteAddress);
  if (!result.ok) {
    s.failures += 1;
    // slow every failure down, more with each one, then hang up
    await failurePause(s.opts.failureDelayMs, s.failures, result.pausedMs);
    s.send(`-ERR [${result.temporary ? 'SYS/TEMP' : 'AUTH'}] ${result.message}`);
    if (s.failures >= s.opts.maxFailures) await s.close();
    return;
  }
  const opened = await s.backend.openMaildrop(result.mailboxId, s.id);
  if (!opened.ok) {
    s.send(`-ERR [${opened.inUse ? 'IN-USE' : 'SYS/TEMP'}] ${opened.message}`);
    return;
  }
  if (s.isClosed) {
    // the client hung up while the maildrop opened: nobody else will release it
    await opened.maildrop.release();
    return;
  }
  s.mailboxId = result.mailboxId;
  s.address = result.address;
  s.maildrop = opened.maildrop;
  s.state = 'TRANSACTION';
  const drop = opened.maildrop;
  s.opts.log({ session: s.id, mailbox: result.address, messages: drop.count }, 'pop3 login');
  s.send(`+OK ${result.address} has ${drop.count} message(s) (${drop.octets} octets)`);
}

function refuseCleartext(s: Pop3Session): boolean {
  if (s.mayLogin) return false;
  s.send('-ERR [AUTH] log in only after STLS (or on port 995)');
  return true;
}

export const POP3_COMMANDS: Record<string, Pop3Command> = {
  CAPA: {
    states: ['AUTHORIZATION', 'TRANSACTION'],
    handle: (s) => {
      s.send('+OK capability list follows');
      for (const c of capabilities(s)) s.send(c);
      s.send('.');
    },
  },
  STLS: {
    states: AUTH,
    handle: (s) => {
      if (!s.canStartTls) {
        s.send(s.secure ? '-ERR already using TLS' : '-ERR TLS not available');
        return;
      }
      s.send('+OK begin TLS negotiation');
      s.upgradeToTls();
    },
  },
  USER: {
    states: AUTH,
    handle: (s, args) => {
      if (refuseCleartext(s)) return;
      if (!args) return s.send('-ERR user name required');
      s.pendingUser = utf8(args);
      s.send('+OK send PASS');
    },
  },
  PASS: {
    states: AUTH,
    handle: async (s, args) => {
      if (refuseCleartext(s)) return;
      if (s.pendingUser === null) return s.send('-ERR send USER first');
      const user = s.pendingUser;
      s.pendingUser = null;
      await login(s, user, utf8(args));
    },
  },
  AUTH: {
    states: AUTH,
    handle: async (s, args) => {
      const [mech, initial] = args.split(' ');
      if (!mech) {
        // RFC 5034 clients may ask for the list without CAPA
        s.send('+OK mechanisms follow');
        if (s.mayLogin) s.send('PLAIN');
        s.send('.');
        return;
      }
      if (mech.toUpperCase() !== 'PLAIN') return s.send('-ERR unsupported SASL mechanism');
      if (refuseCleartext(s)) return;
      const finish = async (b64: string) => {
        if (b64 === '*') return s.send('-ERR authentication cancelled');
        const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(b64) ? Buffer.from(b64, 'base64').toString('utf8') : '';
        const parts = decoded.split('\u0000');
        if (parts.length !== 3) return s.send('-ERR [AUTH] malformed PLAIN response');
        const [authzid, authcid, password] = parts;
        if (authzid && authzid.toLowerCase() !== authcid.toLowerCase()) return s.send('-ERR [AUTH] cannot act as another user');
        await login(s, authcid, password);
      };
      if (initial !== undefined) return finish(initial === '=' ? '' : initial);
      s.continuation = finish;
      s.send('+ ');
    },
  },
  QUIT: {
    states: ['AUTHORIZATION', 'TRANSACTION'],
    handle: async (s) => {
      if (s.state === 'TRANSACTION' && s.maildrop) {
        s.state = 'UPDATE';
        const indexes = [...s.deleted].sort((a, b) => a - b);
        try {
          if (indexes.length) await s.maildrop.commitDeletes(indexes);
          s.send(`+OK ${s.opts.hostname} signing off (${indexes.length} message(s) deleted)`);
        } catch (err) {
          s.opts.log({ session: s.id, err: String((err as Error)?.message ?? err) }, 'pop3 delete on QUIT failed');
          s.send('-ERR [SYS/TEMP] some deleted messages were not removed');
        }
      } else {
        s.send(`+OK ${s.opts.hostname} signing off`);
      }
      await s.close();
    },
  },
  NOOP: { states: TRANS, handle: (s) => s.send('+OK') },
  STAT: {
    states: TRANS,
    handle: (s) => {
      const drop = s.maildrop!;
      let count = drop.count;
      let octets = drop.octets;
      for (const i of s.deleted) {
        count -= 1;
        octets -= drop.size(i);
      }
      s.send(`+OK ${count} ${octets}`);
    },
  },
  LIST: {
    states: TRANS,
    handle: (s, args) => listing(s, args, (i) => String(s.maildrop!.size(i))),
  },
  UIDL: {
    states: TRANS,
    handle: (s, args) => listing(s, args, (i) => s.maildrop!.uidl(i)),
  },
  RETR: {
    states: TRANS,
    handle: (s, args) => {
      const i = messageIndex(s, args.trim());
      if (i === null) return;
      return withMessage(s, i, (raw) => multiLineParts(`+OK ${raw.length} octets`, raw));
    },
  },
  TOP: {
    states: TRANS,
    handle: (s, args) => {
      const m = /^(\d{1,10}) (\d{1,10})$/.exec(args.trim());
      if (!m) return s.send('-ERR usage: TOP msg lines');
      const i = messageIndex(s, m[1]);
      if (i === null) return;
      return withMessage(s, i, (raw) => multiLineParts('+OK top of message follows', topOf(raw, Number(m[2]))));
    },
  },
  DELE: {
    states: TRANS,
    handle: (s, args) => {
      const i = messageIndex(s, args.trim());
      if (i === null) return;
      s.deleted.add(i);
      s.send(`+OK message ${i + 1} deleted`);
    },
  },
  RSET: {
    states: TRANS,
    handle: (s) => {
      const undone = s.deleted.size;
      s.deleted.clear();
      s.send(`+OK ${undone} message(s) undeleted`);
    },
  },
};

/**
 * Sends the response `respond` builds from message `i`: at once when the
 * maildrop has it read ahead (no promise on the way), else when it arrives.
 */
function withMessage(s: Pop3Session, i: number, respond: (raw: Buffer) => Array<Buffer | string>): Promise<void> | void {
  const send = (raw: Buffer | null): Promise<void> | void => {
    if (!raw) return s.send(gone(i));
    s.sendParts(respond(raw));
    return s.drain();
  };
  const raw = s.maildrop!.fetch(i);
  return raw instanceof Promise ? raw.then(send) : send(raw);
}

/** The snapshot still lists it, but another session (IMAP) expunged it since this login. */
const gone = (i: number) => `-ERR message ${i + 1} is no longer there: another session removed it`;

/** Lines per write of a full listing: the client parses the first while the rest is built. */
const LISTING_LINES_PER_WRITE = 4096;

/** LIST and UIDL: one line for `n`, or every message that is not deleted. */
function listing(s: Pop3Session, args: string, value: (i: number) => string): void {
  const arg = args.trim();
  if (arg) {
    const i = messageIndex(s, arg);
    if (i !== null) s.send(`+OK ${i + 1} ${value(i)}`);
    return;
  }
  const count = s.maildrop!.count;
  let lines: string[] = ['+OK listing follows'];
  for (let i = 0; i < count; i++) {
    if (s.deleted.has(i)) continue;
    lines.push(`${i + 1} ${value(i)}`);
    if (lines.length === LISTING_LINES_PER_WRITE) {
      s.sendRaw(lines.join('\r\n') + '\r\n');
      lines = [];
    }
  }
  lines.push('.');
  s.sendRaw(lines.join('\r\n') + '\r\n');
}
