import { DynamicModule, Module, Provider } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../libs/core/src/config/config';
import { ACCOUNT_PROVIDERS } from './accounts/accounts.providers';
import { STORE_PROVIDERS } from './store/store.providers';
import { Pop3Service } from './pop3/pop3.service';
import { SmtpService } from './smtp/smtp.service';
import { loadTlsCredentials } from './smtp/tls-certificate';
import { ImapService } from './imap/imap.service';
import { DeliveryService } from './delivery/delivery.service';
import { MailSignals } from './imap/mail-signals';
import { DATABASE_URL, LOGGER, MAIL_CONFIG, TLS_CREDENTIALS } from './tokens';

export interface MailServerModuleOptions {
  config: PostbodeConfig;
  /** Initialised by the caller (main or a test). */
  dataSource: DataSource;
  /** For the LISTEN connection, which lives outside the pool. */
  databaseUrl: string;
  log: Logger;
}

/** The mail server: a NestJS standalone application (no HTTP), one feature per folder. */
@Module({})
export class MailServerModule {
  static register(opts: MailServerModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: MAIL_CONFIG, useValue: opts.config },
      { provide: DataSource, useValue: opts.dataSource },
      { provide: DATABASE_URL, useValue: opts.databaseUrl },
      { provide: LOGGER, useValue: opts.log },
      ...ACCOUNT_PROVIDERS,
      ...STORE_PROVIDERS,
      { provide: TLS_CREDENTIALS, inject: [MAIL_CONFIG], useFactory: (config: PostbodeConfig) => loadTlsCredentials(config) },
      { provide: MailSignals, inject: [DATABASE_URL, LOGGER], useFactory: (url: string, log: Logger) => new MailSignals(url, log) },
      SmtpService,
      Pop3Service,
      ImapService,
      DeliveryService,
    ];
    return { module: MailServerModule, providers };
  }
}
