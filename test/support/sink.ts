import { SMTPServer, SMTPServerSession } from 'smtp-server';

/**
 * A remote MTA for delivery tests: smtp-server on a loopback port, reached
 * by the worker through TRANSPORT_MAP. It records every message it accepted
 * and answers RCPT and DATA as the test says.
 */
export interface SinkMessage {
  from: string;
  to: string[];
  raw: Buffer;
  /** RCPT parameters as the client sent them (NOTIFY, ORCPT). */
  rcptArgs: Record<string, unknown>[];
  mailArgs: Record<string, unknown>;
  secure: boolean;
}

export interface SinkReply {
  code: number;
  text: string;
}

export interface Sink {
  port: number;
  messages: SinkMessage[];
  /** RCPT TO answers: return a reply to refuse, null to accept. */
  onRcpt: (address: string, session: SMTPServerSession) => SinkReply | null;
  /** Called when DATA is complete; resolve a reply to refuse, null to accept (may wait). */
  onData: (message: SinkMessage) => Promise<SinkReply | null> | SinkReply | null;
  /** Number of RCPT TO commands seen per address. */
  rcptCount: Map<string, number>;
  waitFor(predicate: (messages: SinkMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function replyError(r: SinkReply): Error {
  const err = new Error(r.text) as Error & { responseCode: number };
  err.responseCode = r.code;
  return err;
}

export async function startSink(opts: { starttls?: boolean } = {}): Promise<Sink> {
  const sink: Sink = {
    port: 0,
    messages: [],
    rcptCount: new Map(),
    onRcpt: () => null,
    onData: () => null,
    waitFor: async (predicate, timeoutMs = 15_000) => {
      const until = Date.now() + timeoutMs;
      while (!predicate(sink.messages)) {
        if (Date.now() > until) throw new Error(`sink: condition not met within ${timeoutMs} ms (${sink.messages.length} messages)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: opts.starttls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    hideDSN: false,
    hideENHANCEDSTATUSCODES: false,
    logger: false,
    // a test may leave a reply hanging on purpose: closing does not wait for it
    closeTimeout: 200,
    size: 100 * 1024 * 1024,
    onRcptTo(address, session, cb) {
      sink.rcptCount.set(address.address, (sink.rcptCount.get(address.address) ?? 0) + 1);
      const r = sink.onRcpt(address.address, session);
      cb(r ? replyError(r) : undefined);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const message: SinkMessage = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          rcptArgs: session.envelope.rcptTo.map((r) => (r.args || {}) as Record<string, unknown>),
          mailArgs: (session.envelope.mailFrom ? session.envelope.mailFrom.args || {} : {}) as Record<string, unknown>,
          secure: session.secure,
        };
        Promise.resolve(sink.onData(message)).then(
          (r) => {
            if (r) return cb(replyError(r));
            sink.messages.push(message);
            cb(null, 'Ok: queued by sink');
          },
          (err) => cb(err as Error),
        );
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  sink.port = (server.server.address() as { port: number }).port;
  return sink;
}
