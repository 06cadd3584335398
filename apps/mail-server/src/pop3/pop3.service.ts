import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { LoginGuard } from '../../../../libs/core/src/mail-accounts/mailbox-login';
import { loadTlsCredentials } from '../smtp/tls-certificate';
import { DATABASE_URL, LOGGER, LOGIN_GUARD, MAIL_CONFIG } from '../tokens';
import { Pop3PgBackend } from './pop3-pg-backend';
import { Pop3Listeners, startPop3 } from './pop3-server';

export const isLoopback = (ip: string) => /^127\./.test(ip) || ip === '::1';

/** POP3 (STLS) and POP3S listeners on the PostgreSQL store. */
@Injectable()
export class Pop3Service implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private listeners: Pop3Listeners | null = null;
  private backend: Pop3PgBackend | null = null;
  ports: Array<{ kind: 'pop3' | 'pop3s'; host: string; port: number }> = [];

  constructor(
    @Inject(MAIL_CONFIG) private readonly config: PostbodeConfig,
    private readonly db: DataSource,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(LOGIN_GUARD) private readonly guard: LoginGuard,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { pop3Port, pop3sPort, listenHost, insecureAuth, mailHostname } = this.config;
    if (pop3Port === null && pop3sPort === null) return;
    const tls = await loadTlsCredentials(this.config);
    const log = this.log.child({ proto: 'pop3' });
    const backend = new Pop3PgBackend(this.db, this.databaseUrl, this.guard, log);
    this.backend = backend;
    this.listeners = await startPop3(
      {
        host: listenHost,
        port: pop3Port,
        securePort: pop3sPort,
        tls: { key: tls.key, cert: tls.cert },
        hostname: mailHostname,
        allowInsecureAuth: (ip) => insecureAuth === 'loopback' && isLoopback(ip),
        // RFC 1939: the autologout timer is at least 10 minutes
        idleTimeoutMs: 10 * 60_000,
        maxLineLength: 1024,
        failureDelayMs: 500,
        maxFailures: 3,
        log: (event, msg) => log.info(event, msg),
      },
      backend,
    );
    const kinds: Array<'pop3' | 'pop3s'> = [];
    if (pop3Port !== null) kinds.push('pop3');
    if (pop3sPort !== null) kinds.push('pop3s');
    this.ports = this.listeners.servers.map((s, i) => ({ kind: kinds[i], host: listenHost, port: (s.address() as { port: number }).port }));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.listeners?.close();
    await this.backend?.close();
  }
}
