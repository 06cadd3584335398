import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { AccountDirectory } from '../../../../libs/core/src/mail-accounts/account-directory';
import { AuthThrottle } from '../../../../libs/core/src/mail-accounts/auth-throttle';
import { DeliveryBatcher } from '../../../../libs/core/src/mail-store/delivery-batcher';
import { RemoteRelayCheck } from './remote-relay';

/** What the SMTP hooks need; built once by SmtpListeners. */
export interface SmtpContext {
  config: PostbodeConfig;
  db: DataSource;
  directory: AccountDirectory;
  throttle: AuthThrottle;
  deliveries: DeliveryBatcher;
  relayCheck: RemoteRelayCheck;
  log: Logger;
}
