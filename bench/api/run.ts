/**
 * Provisioning benchmark (issue 2). One command: `npm run bench:api`.
 *
 * Workload, on a throw-away embedded PostgreSQL and the real API process
 * (dist/apps/api/src/main.js) over HTTP on loopback, 8 requests in flight:
 *  1. create 1 customer, 100 domains, then 10,000 mailboxes (100 per domain)
 *     through POST /v1/mailboxes: mailboxes created per second. Each create
 *     hashes a password with argon2id, so this is bound by the hash cost.
 *  2. latency (p50, p99 over 500 requests each) of GET /v1/mailboxes?domainId=…
 *     (one page of 50) and GET /v1/mailboxes/{id}, once with ~1,000 mailboxes in
 *     the database and once with ~100,000. The extra rows for the second point
 *     are inserted with SQL (same shape, one shared password hash), since 90,000
 *     argon2id hashes would only measure the hash again.
 * Results are written to bench/api/RESULTS.md with the machine and date.
 * BENCH_MAILBOXES / BENCH_BIG overrides the sizes for a quick try.
 */
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { makeTempDir, startEmbeddedPostgres } from '../../libs/core/src/database/embedded-postgres';

const MAILBOXES = Number(process.env.BENCH_MAILBOXES ?? 10_000);
const DOMAINS = 100;
const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const CONCURRENCY = 8;
const SAMPLES = 500;
const ADMIN = 'bench-admin-key-0123456789abcdefghij';

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const dir = makeTempDir('pb-bench-api-');
  const pgPort = 40000 + Math.floor(Math.random() * 10000);
  const apiPort = 50000 + Math.floor(Math.random() * 10000);
  const pg = await startEmbeddedPostgres({ dir: `${dir}/pg`, port: pgPort, database: 'bench' });
  const api = spawn(process.execPath, [resolve(__dirname, '../../apps/api/src/main.js')], {
    env: { ...process.env, DATABASE_URL: pg.url, ADMIN_API_KEY: ADMIN, API_PORT: String(apiPort), LOG_LEVEL: 'warn', WEBHOOK_WORKER: 'off' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ok, fail) => {
    api.stdout!.on('data', (b: Buffer) => /listening on/.test(b.toString()) && ok());
    api.once('exit', () => fail(new Error('API exited')));
  });
  const base = `http://127.0.0.1:${apiPort}`;
  const headers = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown): Promise<{ id: string }> => {
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json as { id: string };
  };
  const db = new Client({ connectionString: pg.url });
  await db.connect();
  try {
    const customer = await call('POST', '/v1/customers', { name: 'Bench BV', contactEmail: 'bench@bench.example' });
    const t0 = performance.now();
    const domains = await pool(DOMAINS, CONCURRENCY, (i) => call('POST', '/v1/domains', { customerId: customer.id, name: `d${i}.bench.example` }));
    const domainSecs = (performance.now() - t0) / 1000;
    const createMailboxes = async (from: number, to: number) => {
      const t = performance.now();
      const made = await pool(to - from, CONCURRENCY, (k) => {
        const i = from + k;
        return call('POST', '/v1/mailboxes', { domainId: domains[i % DOMAINS].id, localPart: `user${Math.floor(i / DOMAINS)}`, password: 'correct horse battery' });
      });
      return { made, secs: (performance.now() - t) / 1000 };
    };

    const measure = async (label: string) => {
      const sample = async (path: string) => {
        const times = await pool(SAMPLES, CONCURRENCY, async (i) => {
          const p = path.replace('{id}', mailboxes[(i * 7919) % mailboxes.length].id).replace('{domain}', domains[i % DOMAINS].id);
          const s = performance.now();
          await call('GET', p);
          return performance.now() - s;
        });
        times.sort((a, b) => a - b);
        return { p50: pct(times, 50), p99: pct(times, 99) };
      };
      const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM mailboxes')).rows;
      const list = await sample('/v1/mailboxes?domainId={domain}&limit=50');
      const get = await sample('/v1/mailboxes/{id}');
      console.log(`${label} (${n} mailboxes): list p50 ${list.p50.toFixed(2)} ms p99 ${list.p99.toFixed(2)} ms; get p50 ${get.p50.toFixed(2)} ms p99 ${get.p99.toFixed(2)} ms`);
      return { n, list, get };
    };

    // 1,000 mailboxes, measure, then the other 9,000: the rate counts only creation time
    const firstBatch = Math.min(1000, MAILBOXES);
    const a = await createMailboxes(0, firstBatch);
    const mailboxes: Array<{ id: string }> = [...a.made];
    const small = await measure('small');
    const b = await createMailboxes(firstBatch, MAILBOXES);
    mailboxes.push(...b.made);
    const mailboxSecs = a.secs + b.secs;
    const rate = MAILBOXES / mailboxSecs;
    console.log(`created ${DOMAINS} domains in ${domainSecs.toFixed(1)} s, ${MAILBOXES} mailboxes in ${mailboxSecs.toFixed(1)} s: ${rate.toFixed(1)} mailboxes/s`);

    const extra = BIG - MAILBOXES;
    if (extra > 0) {
      const t = performance.now();
      // time-ordered ids like the app's UUIDv7 (48-bit millisecond prefix, version 7)
      await db.query(`CREATE OR REPLACE FUNCTION bench_uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
        SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid $$`);
      await db.query(
        `INSERT INTO domains (id, customer_id, name, default_quota_bytes, dkim_selector, dkim_private_key, dkim_public_key)
         SELECT bench_uuid_v7(), $1, 'big' || g || '.bench.example', 1073741824, 'pb', '-', '-' FROM generate_series(1, 100) g`,
        [customer.id],
      );
      const [{ hash }] = (await db.query('SELECT password_hash AS hash FROM mailboxes LIMIT 1')).rows;
      await db.query(
        `INSERT INTO mailboxes (id, domain_id, customer_id, local_part, address, password_hash, password_changed_at, quota_bytes)
         SELECT bench_uuid_v7(), d.id, d.customer_id, 'u' || g, 'u' || g || '@' || d.name, $1, now(), 1073741824
         FROM generate_series(1, $2::int) g JOIN domains d ON d.name = 'big' || (1 + g % 100) || '.bench.example'`,
        [hash, extra],
      );
      await db.query('ANALYZE');
      console.log(`inserted ${extra} more mailboxes with SQL in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const big = await measure('big');

    const date = new Date().toISOString().slice(0, 10);
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, embedded PostgreSQL 18`;
    const ms = (x: number) => x.toFixed(2);
    const text = `
## ${date}: ${machine}

Provisioning through the API (${CONCURRENCY} requests in flight): ${DOMAINS} domains in ${domainSecs.toFixed(1)} s; ${MAILBOXES} mailboxes in ${mailboxSecs.toFixed(1)} s = **${rate.toFixed(1)} mailboxes/s** (argon2id hash per mailbox).

| mailboxes in database | list one page (50) p50 / p99 | get one mailbox p50 / p99 |
|---|---|---|
| ${small.n} | ${ms(small.list.p50)} / ${ms(small.list.p99)} ms | ${ms(small.get.p50)} / ${ms(small.get.p99)} ms |
| ${big.n} | ${ms(big.list.p50)} / ${ms(big.list.p99)} ms | ${ms(big.get.p50)} / ${ms(big.get.p99)} ms |
`;
    appendFileSync(resolve(__dirname, '../../../bench/api/RESULTS.md'), text);
    console.log(text);
  } finally {
    await db.end();
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
