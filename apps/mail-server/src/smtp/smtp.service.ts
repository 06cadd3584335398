import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { AccountCache } from '../accounts/account-cache';
import { LoginGuard } from '../../../../libs/core/src/mail-accounts/mailbox-login';
import { DeliveryBatcher } from '../../../../libs/core/src/mail-store/delivery-batcher';
import { ACCOUNT_CACHE, DELIVERIES, LOGGER, LOGIN_GUARD, MAIL_CONFIG, TLS_CREDENTIALS } from '../tokens';
import { ListeningPort, SmtpListeners } from './smtp-listeners';
import { TlsCredentials } from './tls-certificate';

/** Starts the SMTP listeners once the module is up, stops them first on shutdown. */
@Injectable()
export class SmtpService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private listeners: SmtpListeners | null = null;
  private purgeTimer: NodeJS.Timeout | null = null;
  ports: ListeningPort[] = [];
  tlsSource = '';

  constructor(
    @Inject(MAIL_CONFIG) private readonly config: PostbodeConfig,
    private readonly db: DataSource,
    @Inject(ACCOUNT_CACHE) private readonly accounts: AccountCache,
    @Inject(LOGIN_GUARD) private readonly guard: LoginGuard,
    @Inject(DELIVERIES) private readonly deliveries: DeliveryBatcher,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(TLS_CREDENTIALS) private readonly tls: TlsCredentials,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const tls = this.tls;
    this.tlsSource = tls.source;
    const ctx = { config: this.config, db: this.db, accounts: this.accounts, guard: this.guard, deliveries: this.deliveries, log: this.log };
    this.listeners = new SmtpListeners(ctx, tls);
    this.ports = await this.listeners.start();
    // old login-failure rows are only clutter; any process may sweep them
    this.purgeTimer = setInterval(() => void this.guard.throttle.purgeExpired().catch(() => undefined), 10 * 60_000);
    this.purgeTimer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.listeners?.stop();
  }
}
