import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { purgeExpiredIdempotencyKeys } from '../apps/api/src/common/idempotency.interceptor';
import { parseApiKeyToken } from '../libs/core/src/auth/api-key-token';
import { IdempotencySeal } from '../libs/core/src/auth/idempotency-seal';
import { createDataSource } from '../libs/core/src/database/data-source';
import { ensureDatabase } from '../libs/core/src/database/embedded-postgres';
import { runMigrationsLocked } from '../libs/core/src/database/open-database';
import { ADMIN_KEY, startApi, TestApi, unique } from './support/api';

/** Every column of the caller's idempotency rows, as text: what a database dump would show. */
async function rowsAsText(api: TestApi, apiKeyId: string): Promise<string> {
  const rows = await api.db.query(`SELECT to_jsonb(k)::text AS t FROM idempotency_keys k WHERE api_key_id = $1`, [apiKeyId]);
  return rows.map((r: { t: string }) => r.t).join('\n');
}

/** The id of the key the test API's `admin` header carries (registered from ADMIN_API_KEY by prefix). */
async function adminKeyId(api: TestApi): Promise<string> {
  const [row] = await api.db.query(`SELECT id FROM api_keys WHERE prefix = $1`, [parseApiKeyToken(ADMIN_KEY)!.prefix]);
  return row.id;
}

describe('idempotency store: nothing readable without the Idempotency-Key', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  it('a new API key replays with its secret, and the row holds neither the secret, the Idempotency-Key nor a mailbox password', async () => {
    const idem = crypto.randomUUID();
    const body = { name: unique('sealed-'), scopes: ['customers:read'] };
    const first = await api.http().post('/v1/api-keys').set(api.admin).set('Idempotency-Key', idem).send(body).expect(201);
    const again = await api.http().post('/v1/api-keys').set(api.admin).set('Idempotency-Key', idem).send(body).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.key).toBe(first.body.key);

    const customer = (await api.http().post('/v1/customers').set(api.admin).send({ name: 'Sealed BV', contactEmail: 's@sealed.example' }).expect(201)).body;
    const domain = (await api.http().post('/v1/domains').set(api.admin).send({ customerId: customer.id, name: `${unique('sealed')}.example` }).expect(201)).body;
    const password = `secret password ${unique()}`;
    const mailboxIdem = crypto.randomUUID();
    await api.http().post('/v1/mailboxes').set(api.admin).set('Idempotency-Key', mailboxIdem).send({ domainId: domain.id, localPart: 'sealed', password }).expect(201);

    const dump = await rowsAsText(api, await adminKeyId(api));
    expect(dump.length).toBeGreaterThan(0);
    const secretPart = /^pb_[0-9a-f]+_(.+)$/.exec(first.body.key)![1]; // the part only the key's hash stands for
    for (const secret of [first.body.key, secretPart, idem, mailboxIdem, password]) expect(dump).not.toContain(secret);
    expect(dump).toContain(new IdempotencySeal(await adminKeyId(api), idem).lookup);
  });

  it('a key older than the retention (24 h) starts a new request; the purge forgets it', async () => {
    const idem = crypto.randomUUID();
    await api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send({ name: 'Old', contactEmail: 'o@old.example' }).expect(201);
    const lookup = new IdempotencySeal(await adminKeyId(api), idem).lookup;
    await api.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [lookup]);
    // another body under the same key: 422 while remembered, a new request once the retention is over
    const fresh = await api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send({ name: 'New', contactEmail: 'n@new.example' });
    expect(fresh.status).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(fresh.body.name).toBe('New');
    await api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send({ name: 'Other', contactEmail: 'n@new.example' }).expect(422);

    await api.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [lookup]);
    expect(await purgeExpiredIdempotencyKeys(api.db)).toBeGreaterThanOrEqual(1);
    expect(await api.db.query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [lookup])).toHaveLength(0);
  });
});

describe('the IdempotencySealed migration', () => {
  it('seals rows written before it, and a retry of such a request still replays through the API', async () => {
    const name = unique('idem_mig_').toLowerCase();
    const server = inject('serverUrl');
    await ensureDatabase(server, name);
    const url = server.replace(/\/postgres$/, `/${name}`);
    const ds = createDataSource(url, { poolSize: 2 });
    let api: TestApi | null = null;
    try {
      await ds.initialize();
      await runMigrationsLocked(ds);
      await ds.undoLastMigration(); // back to the plain table
      const [{ name: last }] = await ds.query(`SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1`);
      expect(last).not.toMatch(/IdempotencySealed/);

      api = await startApi({ DATABASE_URL: url });
      const keyId = await adminKeyId(api);
      // a row as the previous version wrote it: plain key, plain SHA-256 of the request, readable answer
      const idem = crypto.randomUUID();
      const request = `POST /v1/customers\n{"contactEmail":"l@legacy.example","name":"Legacy"}`;
      await ds.query(
        `INSERT INTO idempotency_keys (id, api_key_id, key, method, path, request_hash, response_status, response_body)
         VALUES (gen_random_uuid(), $1, $2, 'POST', '/v1/customers', $3, 201, $4)`,
        [keyId, idem, createHash('sha256').update(request).digest('hex'), JSON.stringify({ id: 'legacy-id', name: 'Legacy', secret: 'shown-once-legacy' })],
      );
      await runMigrationsLocked(ds);
      const dump = (await ds.query(`SELECT to_jsonb(k)::text AS t FROM idempotency_keys k`)).map((r: { t: string }) => r.t).join('\n');
      expect(dump).not.toContain('shown-once-legacy');
      expect(dump).not.toContain(idem);

      const replay = await api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send({ name: 'Legacy', contactEmail: 'l@legacy.example' });
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual({ id: 'legacy-id', name: 'Legacy', secret: 'shown-once-legacy' });
      const other = await api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send({ name: 'Changed', contactEmail: 'l@legacy.example' });
      expect(other.status).toBe(422);
    } finally {
      await api?.close();
      await ds.destroy().catch(() => undefined);
      const c = new Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    }
  });
});
