import { Client } from 'pg';
import { inject } from 'vitest';
import { createDataSource } from '../../libs/core/src/database/data-source';
import { ensureDatabase } from '../../libs/core/src/database/embedded-postgres';
import { runMigrationsLocked } from '../../libs/core/src/database/open-database';
import { unique } from './api';

/**
 * A database of this test file's own on the test server, migrated to the
 * end. Delivery tests need one: a delivery worker takes every due message in
 * its database, and the shared one holds other files' queued mail.
 */
export async function isolatedDatabase(prefix = 'iso_'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = unique(prefix).toLowerCase();
  const server = inject('serverUrl');
  await ensureDatabase(server, name);
  const url = server.replace(/\/postgres$/, `/${name}`);
  const ds = createDataSource(url, { poolSize: 2 });
  await ds.initialize();
  try {
    await runMigrationsLocked(ds);
  } finally {
    await ds.destroy();
  }
  return {
    url,
    drop: async () => {
      const c = new Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}
