import { Provider } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { DatabaseAccountDirectory } from '../../../../libs/core/src/mail-accounts/account-directory';
import { AuthThrottle } from '../../../../libs/core/src/mail-accounts/auth-throttle';
import { ACCOUNT_DIRECTORY, AUTH_THROTTLE, DATABASE_URL, LOGGER, MAIL_CONFIG } from '../tokens';
import { CachedAccountDirectory } from './cached-account-directory';
import { ChangeListener } from './change-listener';

/** Accounts as the mail server sees them: cached, and dropped on every change notice. */
export const ACCOUNT_PROVIDERS: Provider[] = [
  {
    provide: ChangeListener,
    inject: [DATABASE_URL, LOGGER],
    useFactory: (url: string, log: Logger) => new ChangeListener(url, log),
  },
  {
    provide: ACCOUNT_DIRECTORY,
    inject: [DataSource, ChangeListener],
    useFactory: (db: DataSource, changes: ChangeListener) => {
      const directory = new CachedAccountDirectory(new DatabaseAccountDirectory(db), () => changes.connected);
      changes.subscribe((notice) => directory.onChange(notice));
      return directory;
    },
  },
  {
    provide: AUTH_THROTTLE,
    inject: [DataSource, MAIL_CONFIG],
    useFactory: (db: DataSource, config: PostbodeConfig) =>
      new AuthThrottle(db, {
        maxFailures: config.authMaxFailures,
        maxFailuresPerIp: config.authMaxFailuresPerIp,
        lockoutSeconds: config.authLockoutSeconds,
      }),
  },
];
