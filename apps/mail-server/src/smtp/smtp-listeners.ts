import { SMTPServer, SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { createAuthHandler } from './auth-handler';
import { createMailFromHandler, createRcptToHandler } from './envelope-policy';
import { createDataHandler } from './message-receiver';
import { isLoopback, ListenerKind, PostbodeSession } from './session';
import { SmtpContext } from './smtp-context';
import { applySmtpServerPatches, SMTP_FLOOD_LIMIT } from './smtp-server-patches';
import { TlsCredentials } from './tls-certificate';

export interface ListeningPort {
  kind: ListenerKind;
  host: string;
  port: number;
}

const DESCRIPTIONS: Record<ListenerKind, string> = {
  mx: 'MX (receiving)',
  submission: 'submission (STARTTLS)',
  submissions: 'submission (implicit TLS)',
};

export function describeListener(p: ListeningPort): string {
  return `${DESCRIPTIONS[p.kind]} on ${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
}

/**
 * The three SMTP listeners on nodemailer's smtp-server. The protocol is the
 * library's; our code is the hooks (auth, MAIL, RCPT, DATA) and the options:
 * - MX: no AUTH at all; anything not for our domains is relaying and refused.
 * - submission (587 / SUBMISSION_PORT): STARTTLS; AUTH is neither offered nor
 *   accepted before TLS, except from loopback when INSECURE_AUTH=loopback
 *   (webmail on the same machine); mail needs AUTH.
 * - submissions (465 / SMTPS_PORT): TLS from the first byte, then as above.
 */
export class SmtpListeners {
  private readonly running: { kind: ListenerKind; server: SMTPServer }[] = [];

  constructor(
    private readonly ctx: SmtpContext,
    private readonly tls: TlsCredentials,
  ) {
    applySmtpServerPatches();
  }

  async start(): Promise<ListeningPort[]> {
    const { config } = this.ctx;
    const wanted: [ListenerKind, number | null][] = [
      ['mx', config.smtpPort],
      ['submission', config.submissionPort],
      ['submissions', config.smtpsPort],
    ];
    const ports: ListeningPort[] = [];
    try {
      for (const [kind, port] of wanted) {
        if (port === null) continue; // "off"
        const server = this.createServer(kind);
        this.running.push({ kind, server });
        ports.push({ kind, host: config.listenHost, port: await listen(server, port, config.listenHost) });
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    return ports;
  }

  /** Stops accepting; open sessions get a few seconds to finish their message. */
  async stop(): Promise<void> {
    const servers = this.running.splice(0);
    await Promise.all(servers.map(({ server }) => new Promise<void>((r) => server.close(() => r()))));
  }

  private createServer(kind: ListenerKind): SMTPServer {
    const { config, log } = this.ctx;
    const options: SMTPServerOptions = {
      name: config.mailHostname,
      banner: 'Postbode',
      key: this.tls.key,
      cert: this.tls.cert,
      size: config.maxMessageBytes,
      rejectOversized: true,
      maxRecipients: config.maxRecipients,
      maxCommandLength: SMTP_FLOOD_LIMIT,
      hideDSN: false, // DSN parameters are stored with queued mail (RET, ENVID, NOTIFY, ORCPT)
      hideENHANCEDSTATUSCODES: false,
      // Address syntax is judged by our policy (parseEnvelopeAddress in decideRelay): the library's strict
      // check refuses `user@Hosted.Example.`, which DESIGN.md says is local mail.
      lenientAddressParsing: true,
      // Reverse DNS would delay every greeting; the Received header carries the IP.
      disableReverseLookup: true,
      logger: false,
      socketTimeout: 120_000,
      closeTimeout: 10_000,
      maxClients: 1000,
      onMailFrom: createMailFromHandler(this.ctx, kind),
      onRcptTo: createRcptToHandler(this.ctx, kind),
      onData: createDataHandler(this.ctx, kind),
    };
    if (kind === 'mx') {
      Object.assign(options, {
        greetingDelayMs: config.smtpGreetingDelayMs, // early-talker check (smtp-server-patches.ts)
        disabledCommands: ['AUTH'],
        authOptional: true,
        onConnect: (session: PostbodeSession, done: () => void) => {
          session.authRefusal = { code: 502, text: '5.5.1 Authentication is not offered here; use the submission port' };
          done();
        },
      });
    } else {
      const plaintextAuthAllowed = (session: SMTPServerSession) => config.insecureAuth === 'loopback' && isLoopback(session.remoteAddress);
      Object.assign(options, {
        greetingDelayMs: 0,
        secure: kind === 'submissions',
        authMethods: ['PLAIN', 'LOGIN'],
        // the library's check is all-or-nothing; ours is per session (onConnect/onSecure)
        allowInsecureAuth: true,
        authRequiredMessage: '5.7.0 Authentication required',
        onAuth: createAuthHandler(this.ctx),
        onConnect: (session: PostbodeSession, done: () => void) => {
          if (!session.secure && !plaintextAuthAllowed(session)) {
            session.disabledCommands = ['AUTH']; // not advertised in EHLO either
            session.authRefusal = { code: 530, text: '5.7.0 Must issue a STARTTLS command first' };
          }
          done();
        },
        onSecure: (_socket: unknown, session: PostbodeSession, done: () => void) => {
          session.disabledCommands = [];
          delete session.authRefusal;
          done();
        },
      });
    }
    const server = new SMTPServer(options);
    server.on('error', (err: Error & { code?: string }) => {
      // per-connection errors (resets, TLS failures) land here too; they are not fatal
      log.debug({ event: 'smtp_error', listener: kind, code: err.code, err: err.message }, 'smtp connection error');
    });
    return server;
  }
}

function listen(server: SMTPServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`));
    server.server.once('error', onError);
    server.listen(port, host, () => {
      server.server.off('error', onError);
      const addr = server.server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
