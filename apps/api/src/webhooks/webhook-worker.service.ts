import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { WebhookWorker } from '../../../../libs/core/src/webhooks/webhook-worker';
import { CONFIG } from '../config.module';

/** Runs the webhook delivery worker inside each API process (unless WEBHOOK_WORKER=off). */
@Injectable()
export class WebhookWorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('webhooks');
  private worker: WebhookWorker | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: PostbodeConfig,
  ) {}

  onApplicationBootstrap(): void {
    const url = (this.db.options as PostgresConnectionOptions).url;
    if (!this.config.webhookWorker || !url) return;
    this.worker = new WebhookWorker(this.db, {
      databaseUrl: url,
      retryBaseMs: this.config.webhookRetryBaseMs,
      pollMs: this.config.webhookPollMs,
      log: { warn: (m) => this.logger.warn(m), error: (m) => this.logger.error(m) },
    });
    this.worker.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.stop();
    this.worker = null;
  }
}
