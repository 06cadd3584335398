import { Provider } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { AuthThrottle } from '../../../../libs/core/src/mail-accounts/auth-throttle';
import { VerifiedLogins } from '../../../../libs/core/src/mailboxes/verified-logins';
import { LoginGuard } from '../../../../libs/core/src/mail-accounts/mailbox-login';
import { ACCOUNT_CACHE, AUTH_THROTTLE, DATABASE_URL, LOGGER, LOGIN_GUARD, MAIL_CONFIG, VERIFIED_LOGINS } from '../tokens';
import { AccountCache } from './account-cache';
import { ChangeListener } from './change-listener';

/** Accounts as the mail server sees them: cached, and dropped on every change notice. */
export const ACCOUNT_PROVIDERS: Provider[] = [
  {
    provide: ChangeListener,
    inject: [DATABASE_URL, LOGGER],
    useFactory: (url: string, log: Logger) => new ChangeListener(url, log),
  },
  {
    provide: ACCOUNT_CACHE,
    inject: [DataSource, ChangeListener],
    useFactory: (db: DataSource, changes: ChangeListener) => {
      const accounts = new AccountCache(db, () => changes.connected);
      changes.subscribe((notice) => accounts.onChange(notice));
      return accounts;
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
  {
    provide: VERIFIED_LOGINS,
    inject: [MAIL_CONFIG, ChangeListener],
    useFactory: (config: PostbodeConfig, changes: ChangeListener) => {
      const verified = new VerifiedLogins({ ttlSeconds: config.loginCacheSeconds, maxEntries: config.loginCacheEntries });
      // Not needed for correctness (every login compares against the stored hash it reads), but a
      // changed mailbox has no reason to stay remembered.
      changes.subscribe((notice) => {
        if (notice.kind === 'mailbox' && notice.id) verified.forget(notice.id);
        else if (notice.kind === '*') verified.clear();
      });
      return verified;
    },
  },
  {
    provide: LOGIN_GUARD,
    inject: [AUTH_THROTTLE, VERIFIED_LOGINS],
    useFactory: (throttle: AuthThrottle, verified: VerifiedLogins): LoginGuard => ({ throttle, verified }),
  },
];
