/**
 * IMAP benchmark: Postbode's IMAP on the PostgreSQL store against Dovecot
 * (Debian package, Maildir, loopback, no TLS on either side) in one run.
 *
 * Workload (issue 6): a 2,000-message mailbox; CLIENTS concurrent sessions,
 * each logged in once, then ITERATIONS times: SELECT INBOX, FETCH 1:* (FLAGS
 * ENVELOPE BODYSTRUCTURE), FETCH of 100 whole messages (BODY.PEEK[], so no
 * flag writes change the next round), UID SEARCH SUBJECT and UID SEARCH BODY.
 * Reported: commands per second over all sessions, and the mean time of each
 * command kind. The servers take turns (ROUNDS times each) so a busy
 * neighbour on the shared machine hurts both alike; the median is shown.
 * Then SELECT time on a BIG-message mailbox (100,000 by default), median of
 * 5 after one warm-up (Dovecot builds its index on the first SELECT).
 * Run with `bash bench/imap/run.sh`; results are appended to RESULTS.md.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { hash } from '@node-rs/argon2';
import { DataSource } from 'typeorm';
import { createDataSource } from '../../libs/core/src/database/data-source';
import { startEmbeddedPostgres } from '../../libs/core/src/database/embedded-postgres';
import { runMigrationsLocked } from '../../libs/core/src/database/open-database';
import { deliverMessages } from '../../libs/core/src/mail-store/deliver';
import { BenchImapClient } from './imap-client';

const ROOT = resolve(__dirname, '../../..');
const HERE = resolve(ROOT, 'bench/imap');
const WORK = resolve(HERE, 'work');
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 10);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PASSWORD = 'bench password';
const DOVECOT_CONF = '/work/shared/peers/dovecot/dovecot.conf';

const KINDS = ['SELECT', 'FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)', 'FETCH 100 × BODY.PEEK[]', 'UID SEARCH SUBJECT', 'UID SEARCH BODY'] as const;
type Kind = (typeof KINDS)[number];

interface Server {
  name: string;
  port: number;
  stop: () => Promise<void>;
}

interface Round {
  perSecond: number;
  meanMs: Record<Kind, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Message i of every mailbox: the same bytes for both servers; every tenth is multipart with an attachment. */
function message(i: number): Buffer {
  const date = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString().replace('GMT', '+0000');
  const words = `Message number ${i} of the benchmark. ${i % 97 === 0 ? 'The needle is here.' : 'Only hay.'}\r\n`.repeat(20);
  const head = [`From: "Sender ${i % 50}" <sender${i % 50}@example.org>`, `To: user@example.test`, `Subject: bench msg ${i}`, `Date: ${date}`, `Message-ID: <bench-${i}@example.org>`];
  if (i % 10 !== 0) return Buffer.from([...head, 'Content-Type: text/plain; charset=utf-8', '', words].join('\r\n'));
  return Buffer.from(
    [
      ...head,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      words,
      '--b',
      'Content-Type: application/octet-stream; name="data.bin"',
      'Content-Disposition: attachment; filename="data.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(3000, i % 256)
        .toString('base64')
        .replace(/.{76}/g, '$&\r\n'),
      '--b--',
      '',
    ].join('\r\n'),
  );
}

async function fillPostbode(ds: DataSource, mailboxId: string, count: number): Promise<void> {
  const BATCH = 500;
  for (let i = 0; i < count; i += BATCH) {
    const reqs = [];
    for (let j = i; j < Math.min(count, i + BATCH); j++) reqs.push({ raw: message(j), envelopeFrom: 'sender@example.org', mailboxIds: [mailboxId], internalDate: new Date(Date.UTC(2026, 0, 1) + j * 60_000) });
    await deliverMessages(ds, reqs);
  }
}

async function startPostbode(): Promise<Server> {
  const pg = await startEmbeddedPostgres({ dir: resolve(WORK, 'pg'), port: await freePort() });
  const ds = createDataSource(pg.url, { poolSize: 2 });
  await ds.initialize();
  await runMigrationsLocked(ds);
  const [{ id: customerId }] = await ds.query(`INSERT INTO customers (id, name, contact_email) VALUES (gen_random_uuid(), 'Bench', 'b@example.test') RETURNING id`);
  const [{ id: domainId }] = await ds.query(
    `INSERT INTO domains (id, customer_id, name, default_quota_bytes, dkim_selector, dkim_private_key, dkim_public_key)
     VALUES (gen_random_uuid(), $1, 'example.test', 1073741824, 'pb1', '-', '-') RETURNING id`,
    [customerId],
  );
  const passwordHash = await hash(PASSWORD);
  const ids: string[] = [];
  for (const user of ['small', 'big']) {
    const [{ id }] = await ds.query(
      `INSERT INTO mailboxes (id, domain_id, customer_id, local_part, address, password_hash, password_changed_at, quota_bytes)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now(), 1099511627776) RETURNING id`,
      [domainId, customerId, user, `${user}@example.test`, passwordHash],
    );
    ids.push(id);
  }
  console.log(`Postbode: storing ${MESSAGES} + ${BIG} messages...`);
  await fillPostbode(ds, ids[0], MESSAGES);
  await fillPostbode(ds, ids[1], BIG);
  await ds.query('VACUUM ANALYZE');
  await ds.destroy();
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [resolve(ROOT, 'dist/apps/mail-server/src/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: pg.url,
      SMTP_PORT: 'off',
      SUBMISSION_PORT: 'off',
      SMTPS_PORT: 'off',
      IMAP_PORT: String(port),
      IMAPS_PORT: 'off',
      LOG_LEVEL: 'warn',
      DATA_DIR: resolve(WORK, 'postbode'),
      MAIL_HOSTNAME: 'mx.bench.test',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Mail server ready')) ok();
    });
    child.once('exit', (code) => fail(new Error(`mail server exited ${code}: ${out}`)));
  });
  return {
    name: 'Postbode',
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await pg.stop();
    },
  };
}

async function startDovecot(): Promise<Server> {
  const base = resolve(WORK, 'peers');
  const port = await freePort();
  mkdirSync(resolve(base, 'dovecot'), { recursive: true });
  const conf = readFileSync(DOVECOT_CONF, 'utf8').replaceAll('/tmp/peers', base).replace('port = 10143', `port = ${port}`).replace('port = 10110', 'port = 0');
  writeFileSync(resolve(base, 'dovecot/dovecot.conf'), conf);
  writeFileSync(
    resolve(base, 'dovecot/users'),
    ['small', 'big'].map((u) => `${u}@example.test:{PLAIN}${PASSWORD}:5000:5000::${base}/mail/example.test/${u}\n`).join(''),
  );
  console.log(`Dovecot: writing ${MESSAGES} + ${BIG} Maildir files...`);
  for (const [user, count] of [
    ['small', MESSAGES],
    ['big', BIG],
  ] as const) {
    const dir = resolve(base, 'mail/example.test', user, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(resolve(dir, sub), { recursive: true });
    for (let i = 0; i < count; i++) writeFileSync(resolve(dir, 'cur', `${1767225600 + i}.M${i}P1.bench,S=${message(i).length}:2,`), message(i));
  }
  execFileSync('chown', ['-R', '5000:5000', resolve(base, 'mail')]);
  // dovecot daemonises and keeps inherited pipes open: give it none, or execFileSync waits forever
  execFileSync('dovecot', ['-c', resolve(base, 'dovecot/dovecot.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      (await BenchImapClient.open(port)).close();
      break;
    } catch {
      await sleep(100);
    }
  }
  return {
    name: 'Dovecot',
    port,
    stop: async () => {
      execFileSync('doveadm', ['-c', resolve(base, 'dovecot/dovecot.conf'), 'stop']);
    },
  };
}

async function session(server: Server, client: number, totals: Record<Kind, number[]>): Promise<number> {
  const c = await BenchImapClient.open(server.port);
  await c.login('small@example.test', PASSWORD);
  let commands = 0;
  const run = async (kind: Kind, text: string) => {
    const t0 = process.hrtime.bigint();
    const r = await c.cmd(text);
    if (!r.ok) throw new Error(`${server.name}: ${text} → ${r.line}`);
    totals[kind].push(Number(process.hrtime.bigint() - t0) / 1e6);
    commands++;
  };
  for (let i = 0; i < ITERATIONS; i++) {
    const from = 1 + ((client * 137 + i * 400) % (MESSAGES - 100));
    await run('SELECT', 'SELECT INBOX');
    await run('FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)', 'FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)');
    await run('FETCH 100 × BODY.PEEK[]', `FETCH ${from}:${from + 99} BODY.PEEK[]`);
    await run('UID SEARCH SUBJECT', `UID SEARCH SUBJECT "msg ${from}"`);
    await run('UID SEARCH BODY', 'UID SEARCH BODY "needle"');
  }
  c.close();
  return commands;
}

async function measure(server: Server): Promise<Round> {
  await session(server, 0, Object.fromEntries(KINDS.map((k) => [k, []])) as unknown as Record<Kind, number[]>); // warm-up
  const totals = Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  const t0 = process.hrtime.bigint();
  const counts = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => session(server, i, totals)));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const meanMs = Object.fromEntries(KINDS.map((k) => [k, totals[k].reduce((a, b) => a + b, 0) / totals[k].length])) as Record<Kind, number>;
  return { perSecond: counts.reduce((a, b) => a + b, 0) / seconds, meanMs };
}

async function bigSelect(server: Server): Promise<{ ms: number; all: number[] }> {
  const c = await BenchImapClient.open(server.port);
  await c.login('big@example.test', PASSWORD);
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = process.hrtime.bigint();
    const r = await c.cmd(i % 2 ? 'SELECT INBOX' : 'EXAMINE INBOX');
    if (!r.ok) throw new Error(`${server.name}: SELECT → ${r.line}`);
    if (i > 0) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  c.close();
  return { ms: median(times), all: times };
}

async function main(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const servers = [await startPostbode(), await startDovecot()];
  try {
    const rounds = new Map<string, Round[]>(servers.map((s) => [s.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of servers) {
        const result = await measure(s);
        rounds.get(s.name)!.push(result);
        console.log(`${s.name} round ${r + 1}: ${result.perSecond.toFixed(1)} commands/s`);
      }
    }
    const big = new Map<string, { ms: number; all: number[] }>();
    for (const s of servers) {
      big.set(s.name, await bigSelect(s));
      console.log(`${s.name}: SELECT of ${BIG} messages ${big.get(s.name)!.ms.toFixed(1)} ms`);
    }
    report(rounds, big);
  } finally {
    for (const s of servers) await s.stop().catch((err) => console.error(`stopping ${s.name}: ${err.message}`));
  }
}

function report(rounds: Map<string, Round[]>, big: Map<string, { ms: number; all: number[] }>): void {
  const pgVersion = readFileSync(resolve(WORK, 'pg/PG_VERSION'), 'utf8').trim();
  const dovecotVersion = execFileSync('dovecot', ['--version']).toString().trim();
  const lines = [
    '',
    `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; Node ${process.version}, PostgreSQL ${pgVersion} (embedded), Dovecot ${dovecotVersion} (Maildir).`,
    `${MESSAGES}-message mailbox, ${CLIENTS} concurrent sessions × ${ITERATIONS} iterations of the 5 commands, loopback, load generator on the same cores; ${ROUNDS} alternating rounds, median shown (all rounds in brackets).`,
    '',
    '| server | commands/s | ' + KINDS.map((k) => `mean ${k}`).join(' | ') + ' |',
    '|---|---|' + KINDS.map(() => '---').join('|') + '|',
  ];
  const med = (name: string) => median(rounds.get(name)!.map((r) => r.perSecond));
  for (const [name, rs] of rounds) {
    const kinds = KINDS.map((k) => `${median(rs.map((r) => r.meanMs[k])).toFixed(1)} ms`);
    lines.push(`| ${name} | ${med(name).toFixed(1)} (${rs.map((r) => r.perSecond.toFixed(1)).join(', ')}) | ${kinds.join(' | ')} |`);
  }
  const pb = rounds.get('Postbode')!;
  const dc = rounds.get('Dovecot')!;
  lines.push('');
  lines.push(`- throughput Postbode/Dovecot: **${(med('Postbode') / med('Dovecot')).toFixed(2)}** (goal: at least 0.5)`);
  lines.push(`- per command, Postbode time / Dovecot time: ${KINDS.map((k) => `${k} ${(median(pb.map((r) => r.meanMs[k])) / median(dc.map((r) => r.meanMs[k]))).toFixed(2)}`).join('; ')}`);
  const b = big.get('Postbode')!;
  const d = big.get('Dovecot')!;
  lines.push(`- SELECT of a ${BIG}-message mailbox (median of 5 after a warm-up): Postbode ${b.ms.toFixed(1)} ms, Dovecot ${d.ms.toFixed(1)} ms, ratio **${(b.ms / d.ms).toFixed(2)}**`);
  lines.push('');
  appendFileSync(resolve(HERE, 'RESULTS.md'), lines.join('\n'));
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
