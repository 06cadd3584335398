import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { AuthThrottle } from '../../../../libs/core/src/mail-accounts/auth-throttle';
import { VerifiedLogins } from '../../../../libs/core/src/mailboxes/verified-logins';
import { DeliveryBatcher } from '../../../../libs/core/src/mail-store/delivery-batcher';
import { AccountCache } from '../accounts/account-cache';

/** What the SMTP hooks need; built once by SmtpListeners. */
export interface SmtpContext {
  config: PostbodeConfig;
  db: DataSource;
  accounts: AccountCache;
  throttle: AuthThrottle;
  /** Passwords this process verified a moment ago; null: every login runs argon2id. */
  verified: VerifiedLogins | null;
  deliveries: DeliveryBatcher;
  log: Logger;
}
