import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../libs/core/src/config/config';
import { AliasesModule } from './aliases/aliases.module';
import { AgreementVersionsModule } from './agreement-versions/agreement-versions.module';
import { AgreementsModule } from './agreements/agreements.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AccessGuard } from './common/auth';
import { AllExceptionsFilter } from './common/exception.filter';
import { IdempotencyInterceptor } from './common/idempotency.interceptor';
import { ConfigModule } from './config.module';
import { CustomersModule } from './customers/customers.module';
import { DomainsModule } from './domains/domains.module';
import { EventsModule } from './events/events.module';
import { HealthController } from './health/health.controller';
import { MailboxesModule } from './mailboxes/mailboxes.module';
import { QueueModule } from './queue/queue.module';
import { RelayModule } from './relay/relay.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { StatsModule } from './stats/stats.module';

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,100}$/;

/** The feature modules; main, the tests and the OpenAPI generator all build the same app. */
export const FEATURE_MODULES = [
  CustomersModule,
  DomainsModule,
  MailboxesModule,
  AliasesModule,
  ApiKeysModule,
  EventsModule,
  AgreementVersionsModule,
  AgreementsModule,
  RelayModule,
  WebhooksModule,
  QueueModule,
  StatsModule,
];

@Module({})
export class AppModule {
  /** `dataSource` is already initialised by the caller (main or a test); null for OpenAPI generation. */
  static register(config: PostbodeConfig, dataSource: DataSource | null): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req, res) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
              res.setHeader('X-Request-Id', id);
              return id;
            },
            // never log credentials
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.body.password'], censor: '[redacted]' },
            serializers: { req: (req) => ({ id: req.id, method: req.method, url: req.url }) },
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
          },
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...(dataSource?.options ?? { type: 'postgres' }), manualInitialization: dataSource === null }),
          dataSourceFactory: async () => dataSource ?? new DataSource({ type: 'postgres' }),
        }),
        ...FEATURE_MODULES,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
