import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { checkFailureRate } from '../../../../libs/core/src/delivery/auto-suspend';
import { bouncePending, noticeDelays } from '../../../../libs/core/src/delivery/bounces';
import { ChangeListener } from '../accounts/change-listener';
import { LOGGER, MAIL_CONFIG } from '../tokens';
import { DeliveryWorker } from './delivery-worker';

/**
 * Runs the outbound delivery worker in this mail-server process (unless
 * DELIVERY_WORKER=off): woken by NOTIFY postbode_outbound, polling every
 * DELIVERY_POLL_MS for deferred mail that became due, and running the bounce
 * and delay-notice passes on the same timer and after failures.
 */
@Injectable()
export class DeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly worker: DeliveryWorker | null;
  private readonly bounceLog: Logger;

  constructor(
    private readonly db: DataSource,
    @Inject(MAIL_CONFIG) private readonly config: PostbodeConfig,
    @Inject(LOGGER) private readonly log: Logger,
    changes: ChangeListener,
  ) {
    this.worker = config.deliveryWorker
      ? new DeliveryWorker(db, config, log.child({ component: 'delivery' }), {
          housekeeping: () => this.housekeeping(),
          afterFailures: (customerIds) => this.afterFailures(customerIds),
        })
      : null;
    this.bounceLog = log.child({ component: 'bounces' });
    changes.onOutbound(() => this.worker?.wake());
  }

  onApplicationBootstrap(): void {
    this.worker?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }

  private async housekeeping(): Promise<void> {
    const bounced = await bouncePending(this.db, this.config, { log: this.bounceLog });
    const noticed = await noticeDelays(this.db, this.config, { log: this.bounceLog });
    if (bounced + noticed > 0) this.log.info({ event: 'dsn_sent', bounced, delayed: noticed }, 'delivery status notifications queued');
  }

  /** After failures: their bounces at once (delay notices wait for the timer), then the failure-rate check. */
  private async afterFailures(customerIds: string[]): Promise<void> {
    const bounced = await bouncePending(this.db, this.config, { log: this.bounceLog });
    if (bounced > 0) this.log.info({ event: 'dsn_sent', bounced }, 'delivery status notifications queued');
    for (const customerId of customerIds) {
      const reason = await checkFailureRate(this.db, customerId, this.config);
      if (reason) this.log.warn({ event: 'agreement_auto_suspended', customer: customerId }, reason);
    }
  }
}
