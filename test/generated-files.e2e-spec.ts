import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createDataSource, pendingSchemaChanges } from '../libs/core/src/database/data-source';
import { ensureDatabase } from '../libs/core/src/database/embedded-postgres';
import { runMigrationsLocked } from '../libs/core/src/database/open-database';
import { generateOpenApi } from '../scripts/openapi';
import { unique } from './support/api';

describe('generated files', () => {
  it('entities and migrations agree: a fresh database migrated to the end needs no further SQL', async () => {
    const name = unique('drift_').toLowerCase();
    const server = inject('serverUrl');
    await ensureDatabase(server, name);
    const ds = createDataSource(server.replace(/\/postgres$/, `/${name}`), { poolSize: 2 });
    try {
      await ds.initialize();
      await runMigrationsLocked(ds);
      const pending = await pendingSchemaChanges(ds);
      expect(pending, `entities need SQL no migration has; run \`npm run migration:generate -- Name\`:\n${pending.join('\n')}`).toEqual([]);
      // and every migration can be undone
      const applied = await ds.query('SELECT count(*)::int AS n FROM typeorm_migrations');
      for (let i = 0; i < applied[0].n; i++) await ds.undoLastMigration();
      const tables = await ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'`);
      expect(tables[0].n).toBe(0);
    } finally {
      await ds.destroy().catch(() => undefined);
      const c = new Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    }
  });

  it('openapi/openapi.json is what the code generates', async () => {
    const committed = readFileSync(resolve(__dirname, '../openapi/openapi.json'), 'utf8');
    const generated = await generateOpenApi();
    expect(generated === committed, 'openapi/openapi.json is out of date: run `npm run openapi` and commit it').toBe(true);
  });

  it('every operation states its security: a bearer scope, or public on purpose', async () => {
    const doc = JSON.parse(await generateOpenApi());
    // Public on purpose: probes, and the customer's signing pages (the token in the path is the credential).
    const mayBePublic = (id: string) => ['get /healthz', 'get /readyz'].includes(id) || / \/v1\/signing\//.test(id);
    for (const [path, ops] of Object.entries<Record<string, { security?: unknown[] }>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const id = `${method} ${path}`;
        expect(Array.isArray(op.security) && op.security.length > 0, `${id} has no security declaration`).toBe(true);
        if (JSON.stringify(op.security) === '[{}]') expect(mayBePublic(id), `${id} is public`).toBe(true);
      }
    }
  });
});
