import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../config/config';
import { createDataSource } from './data-source';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded-postgres';

export interface OpenDatabase {
  dataSource: DataSource;
  url: string;
  /** Destroys the pool, and stops the embedded server if this process started it. */
  close(): Promise<void>;
}

/**
 * DATABASE_URL when set, otherwise the embedded PostgreSQL under DATA_DIR
 * (started here, or reused when the launcher or a sibling already runs it).
 */
export async function openDatabase(
  config: PostbodeConfig,
  opts: { runMigrations: boolean; applicationName: string; poolSize?: number; log?: (line: string) => void },
): Promise<OpenDatabase> {
  let embedded: EmbeddedPostgresHandle | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dir: resolve(config.dataDir, 'pg'), port: config.embeddedPgPort, log: opts.log });
    url = embedded.url;
  }
  const dataSource = createDataSource(url, { applicationName: opts.applicationName, poolSize: opts.poolSize });
  try {
    await dataSource.initialize();
    if (opts.runMigrations) await runMigrationsLocked(dataSource);
  } catch (err) {
    await dataSource.destroy().catch(() => undefined);
    await embedded?.stop();
    throw err;
  }
  return {
    dataSource,
    url,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
      await embedded?.stop();
    },
  };
}

/** Several processes may start at once: one runs the migrations, the others wait for it. */
export async function runMigrationsLocked(ds: DataSource): Promise<void> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', ['postbode:migrations']);
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', ['postbode:migrations']).catch(() => undefined);
    await runner.release();
  }
}
