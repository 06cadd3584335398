import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { LoginGuard } from '../../../../libs/core/src/mail-accounts/mailbox-login';
import { DeliveryBatcher } from '../../../../libs/core/src/mail-store/delivery-batcher';
import { AccountCache } from '../accounts/account-cache';

/** What the SMTP hooks need; built once by SmtpListeners. */
export interface SmtpContext {
  config: PostbodeConfig;
  db: DataSource;
  accounts: AccountCache;
  /** The lockout counts and this process's verified logins (its `verified` null: every login runs argon2id). */
  guard: LoginGuard;
  deliveries: DeliveryBatcher;
  log: Logger;
}
