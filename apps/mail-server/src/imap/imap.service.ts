import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { LoginGuard } from '../../../../libs/core/src/mail-accounts/mailbox-login';
import { isLoopback } from '../smtp/session';
import { TlsCredentials } from '../smtp/tls-certificate';
import { LOGGER, LOGIN_GUARD, MAIL_CONFIG, TLS_CREDENTIALS } from '../tokens';
import { IMAP_DEFAULTS, ImapListeners, startImap } from './imap-server';
import { MailSignals } from './mail-signals';
import { PgImapBackend } from './pg/pg-imap-backend';

export interface ImapListeningPort {
  kind: 'imap' | 'imaps';
  host: string;
  port: number;
}

export function describeImapListener(p: ImapListeningPort): string {
  const host = p.host.includes(':') ? `[${p.host}]` : p.host;
  return `${p.kind === 'imap' ? 'IMAP (STARTTLS)' : 'IMAP (implicit TLS)'} on ${host}:${p.port}`;
}

/**
 * IMAP on the mail store: IMAP_PORT (STARTTLS) and IMAPS_PORT (implicit TLS),
 * the SMTP certificate, LOGIN/AUTHENTICATE before TLS only from loopback when
 * INSECURE_AUTH=loopback, APPEND limited like SMTP (MAX_MESSAGE_BYTES).
 */
@Injectable()
export class ImapService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private listeners: ImapListeners | null = null;
  ports: ImapListeningPort[] = [];

  constructor(
    @Inject(MAIL_CONFIG) private readonly config: PostbodeConfig,
    private readonly db: DataSource,
    @Inject(LOGIN_GUARD) private readonly guard: LoginGuard,
    @Inject(TLS_CREDENTIALS) private readonly tls: TlsCredentials,
    private readonly signals: MailSignals,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config } = this;
    if (config.imapPort === null && config.imapsPort === null) return;
    const log = (event: Record<string, unknown>, msg: string) => this.log.info(event, msg);
    const backend = new PgImapBackend(this.db, this.guard, this.signals, { maxMessageBytes: config.maxMessageBytes, log });
    this.listeners = await startImap(
      {
        ...IMAP_DEFAULTS,
        host: config.listenHost,
        port: config.imapPort,
        securePort: config.imapsPort,
        tls: { key: this.tls.key, cert: this.tls.cert },
        hostname: config.mailHostname,
        allowInsecureAuth: (remote) => config.insecureAuth === 'loopback' && isLoopback(remote),
        maxMessageSize: config.maxMessageBytes,
        log,
      },
      backend,
    );
    // startImap opens the plain listener first, then the TLS one (each only when configured)
    const kinds: ImapListeningPort['kind'][] = [];
    if (config.imapPort !== null) kinds.push('imap');
    if (config.imapsPort !== null) kinds.push('imaps');
    this.ports = this.listeners.servers.map((s, i) => ({ kind: kinds[i], host: config.listenHost, port: (s.address() as { port: number }).port }));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.listeners?.close();
    this.listeners = null;
  }
}
