import 'reflect-metadata';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { ApiAppOptions, createApiApp } from '../../apps/api/src/app.factory';
import { ensureAdminKey } from '../../libs/core/src/auth/bootstrap-admin';
import { loadConfig, PostbodeConfig } from '../../libs/core/src/config/config';
import { createDataSource } from '../../libs/core/src/database/data-source';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghij';

export interface TestApi {
  app: NestExpressApplication;
  db: DataSource;
  config: PostbodeConfig;
  /** supertest agent on the app's HTTP server */
  http: () => request.Agent;
  admin: { Authorization: string };
  close(): Promise<void>;
}

/** The real API app on the test PostgreSQL, reached through supertest. */
export async function startApi(env: Record<string, string> = {}, appOptions: ApiAppOptions = {}): Promise<TestApi> {
  const databaseUrl = env.DATABASE_URL ?? inject('databaseUrl');
  // The webhook worker stays off unless a test asks for it: test files share one database, and a
  // worker in another file's app would otherwise take (and time) that test's deliveries.
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    ADMIN_API_KEY: ADMIN_KEY,
    MAIL_HOSTNAME: 'mail.postbode.test',
    LOG_LEVEL: 'silent',
    API_PORT: '3999',
    WEBHOOK_WORKER: 'off',
    ...env,
  });
  const db = createDataSource(databaseUrl, { poolSize: 5 });
  await db.initialize();
  await ensureAdminKey(db, ADMIN_KEY);
  const app = await createApiApp(config, db, appOptions);
  await app.init();
  const server = app.getHttpServer();
  return {
    app,
    db,
    config,
    http: () => request.agent(server),
    admin: { Authorization: `Bearer ${ADMIN_KEY}` },
    close: async () => {
      await app.close();
      if (db.isInitialized) await db.destroy();
    },
  };
}

let counter = 0;
/** A name no other test (or run) uses: tests share one database and may run in parallel. */
export function unique(prefix = 't'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

export function bearer(key: string): { Authorization: string } {
  return { Authorization: `Bearer ${key}` };
}
