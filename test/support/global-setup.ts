import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { createDataSource } from '../../libs/core/src/database/data-source';
import { makeTempDir, startEmbeddedPostgres } from '../../libs/core/src/database/embedded-postgres';
import { runMigrationsLocked } from '../../libs/core/src/database/open-database';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** Admin URL of the same server, for tests that create their own databases. */
    serverUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run: TEST_DATABASE_URL when given (CI
 * with its own server), else an embedded one in a throw-away folder. The
 * schema is migrated once; every test makes its own data with unique names.
 */
export default async function setup(project: TestProject) {
  let dir: string | null = null;
  let stop: () => Promise<void> = async () => undefined;
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    dir = makeTempDir('postbode-test-');
    const port = 20000 + Math.floor(Math.random() * 20000);
    const pg = await startEmbeddedPostgres({ dir: `${dir}/pg`, port, database: 'postbode_test', fastUnsafe: true });
    url = pg.url;
    stop = pg.stop;
  }
  const ds = createDataSource(url);
  await ds.initialize();
  await runMigrationsLocked(ds);
  await ds.destroy();
  project.provide('databaseUrl', url);
  project.provide('serverUrl', url.replace(/\/[^/]+$/, '/postgres'));
  return async () => {
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
