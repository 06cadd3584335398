import nodemailer, { Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { Route } from './routes';

/**
 * Speaks SMTP to remote servers through nodemailer's pooled transport: one
 * pool per host:port, connections reused across messages, STARTTLS whenever
 * the server offers it. Certificates are not verified: on port 25 TLS is
 * opportunistic (RFC 3207 and every MTA's default), and refusing a
 * self-signed certificate would only push the mail to plaintext.
 */
export interface Envelope {
  from: string;
  to: string[];
  /** RFC 3461 parameters passed on to a DSN-capable server. */
  dsn?: { ret?: string | null; envid?: string | null; notify?: string[] | null; orcpt?: string | null } | null;
}

export type RecipientOutcome =
  | { kind: 'delivered'; reply: string; status: string }
  | { kind: 'deferred'; reply: string; status: string }
  | { kind: 'failed'; reply: string; status: string };

export interface SendResult {
  /** Per recipient of the envelope; undefined: the connection failed before an answer (try the next host). */
  outcomes: Map<string, RecipientOutcome>;
  /** Set when no SMTP answer came at all: the next route may do better. */
  connectionError: string | null;
}

export interface SenderOptions {
  heloName: string;
  maxConnections: number;
  connectTimeoutMs: number;
  socketTimeoutMs: number;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  recipient?: string;
  rejectedErrors?: SmtpError[];
}

interface SendInfo {
  accepted?: string[];
  rejectedErrors?: SmtpError[];
  response?: string;
}

const IDLE_CLOSE_MS = 30_000;

/**
 * nodemailer errors that come from the envelope or the message, not the
 * connection: an address it cannot send (EENVELOPE without a reply), a message
 * larger than the SIZE the server announced (EMESSAGE). Permanent.
 */
const LOCAL_REFUSALS: Record<string, string> = { EENVELOPE: '5.1.3', EMESSAGE: '5.3.4' };

export class SmtpSender {
  private readonly pools = new Map<string, { transport: Transporter; lastUsed: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly opts: SenderOptions) {
    this.sweeper = setInterval(() => this.closeIdle(), IDLE_CLOSE_MS);
    this.sweeper.unref();
  }

  async send(route: Route, envelope: Envelope, raw: Buffer): Promise<SendResult> {
    const transport = this.pool(route);
    const outcomes = new Map<string, RecipientOutcome>();
    try {
      const info = (await transport.sendMail({
        envelope: { from: envelope.from, to: envelope.to },
        raw,
        dsn: dsnOptions(envelope.dsn),
      })) as SendInfo;
      const reply = oneLine(info.response ?? '250 OK');
      for (const err of info.rejectedErrors ?? []) {
        if (err.recipient) outcomes.set(err.recipient, fromReply(err.response, err.responseCode));
      }
      for (const to of envelope.to) {
        if (!outcomes.has(to)) outcomes.set(to, { kind: 'delivered', reply, status: enhancedStatus(reply) ?? '2.0.0' });
      }
      return { outcomes, connectionError: null };
    } catch (e) {
      const err = e as SmtpError;
      if (err.rejectedErrors?.length) {
        // every recipient refused at RCPT: each has its own reply
        for (const r of err.rejectedErrors) if (r.recipient) outcomes.set(r.recipient, fromReply(r.response, r.responseCode));
        for (const to of envelope.to) if (!outcomes.has(to)) outcomes.set(to, fromReply(err.response, err.responseCode));
        return { outcomes, connectionError: null };
      }
      if (err.responseCode) {
        // MAIL FROM or DATA refused: the same answer for every recipient
        const outcome = fromReply(err.response, err.responseCode);
        for (const to of envelope.to) outcomes.set(to, outcome);
        return { outcomes, connectionError: null };
      }
      // refused before anything was sent, by the client library itself: another host would not help
      const local = LOCAL_REFUSALS[err.code ?? ''];
      if (local) {
        for (const to of envelope.to) outcomes.set(to, { kind: 'failed', status: local, reply: `Not sent: ${oneLine(err.message)}` });
        return { outcomes, connectionError: null };
      }
      return { outcomes, connectionError: `${err.code ?? 'ERROR'}: ${oneLine(err.message)}` };
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const { transport } of this.pools.values()) transport.close();
    this.pools.clear();
  }

  private pool(route: Route): Transporter {
    const key = `${route.host}:${route.port}`;
    const existing = this.pools.get(key);
    if (existing) {
      existing.lastUsed = Date.now();
      return existing.transport;
    }
    const options: SMTPPool.Options = {
      pool: true,
      host: route.host,
      port: route.port,
      secure: false,
      name: this.opts.heloName,
      maxConnections: this.opts.maxConnections,
      maxMessages: 100,
      connectionTimeout: this.opts.connectTimeoutMs,
      greetingTimeout: this.opts.connectTimeoutMs,
      socketTimeout: this.opts.socketTimeoutMs,
      tls: { rejectUnauthorized: false, servername: isIp(route.host) ? undefined : route.host },
      // remote replies go into DSNs and the queue API, never logs of message content
      logger: false,
      debug: false,
    };
    const transport = nodemailer.createTransport(options);
    transport.on('error', () => undefined); // a pool error also fails the send that hit it
    this.pools.set(key, { transport, lastUsed: Date.now() });
    return transport;
  }

  private closeIdle(): void {
    const now = Date.now();
    for (const [key, entry] of this.pools) {
      if (now - entry.lastUsed > IDLE_CLOSE_MS) {
        entry.transport.close();
        this.pools.delete(key);
      }
    }
  }
}

function dsnOptions(dsn: Envelope['dsn']) {
  if (!dsn) return undefined;
  const out: { id?: string; return?: 'headers' | 'full'; notify?: ('NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY')[]; recipient?: string } = {};
  if (dsn.envid) out.id = dsn.envid;
  if (dsn.ret) out.return = dsn.ret.toUpperCase() === 'HDRS' ? 'headers' : 'full';
  if (dsn.notify?.length) out.notify = dsn.notify.map((n) => n.toUpperCase()) as ('NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY')[];
  if (dsn.orcpt) out.recipient = dsn.orcpt;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A remote reply as one line (multi-line replies joined), safe to store and quote. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\x00-\x1f\x7f]/g, '').trim().slice(0, 1000);
}

/** The x.y.z enhanced status code at the start of a reply's text, if any. */
export function enhancedStatus(reply: string): string | null {
  const m = /^\d{3}[ -]([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(reply);
  return m ? `${m[1]}.${m[2]}.${m[3]}` : null;
}

function fromReply(response: string | undefined, code: number | undefined): RecipientOutcome {
  const reply = oneLine(response ?? `${code ?? 451} (no text)`);
  const basic = code ?? Number(reply.slice(0, 3));
  const status = enhancedStatus(reply);
  if (basic >= 500) return { kind: 'failed', reply, status: status?.startsWith('5') ? status : '5.0.0' };
  if (basic >= 400) return { kind: 'deferred', reply, status: status?.startsWith('4') ? status : '4.0.0' };
  return { kind: 'deferred', reply, status: '4.0.0' };
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
