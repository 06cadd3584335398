import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { AuthThrottle } from '../../../../libs/core/src/mail-accounts/auth-throttle';
import { DeliveryBatcher } from '../../../../libs/core/src/mail-store/delivery-batcher';
import { AccountCache } from '../accounts/account-cache';

/** What the SMTP hooks need; built once by SmtpListeners. */
export interface SmtpContext {
  config: PostbodeConfig;
  db: DataSource;
  accounts: AccountCache;
  throttle: AuthThrottle;
  deliveries: DeliveryBatcher;
  log: Logger;
}
