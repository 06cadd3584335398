/**
 * POP3 benchmark: Postbode against Dovecot (Debian package, Maildir), side by
 * side in one run, with the same client (Python's poplib, load.py) for both.
 *
 * Postbode runs as deployed, as its own mail-server process (dist/apps/mail-server/src/main.js, POP3
 * only), on the embedded PostgreSQL; Dovecot as its own processes.
 *
 * Workload:
 *  1. 5 clients at once, each on its own 500-message mailbox (5 KB messages):
 *     log in, STAT, UIDL, RETR every message, QUIT. Messages per second over
 *     the wall time of all 5. First three untimed warm-up rounds per server
 *     (JIT, connection pools, Dovecot's index files: a running server's state;
 *     the last warm-up rate is still reported), then ROUNDS rounds, the order of
 *     the servers rotating, median kept. Dovecot runs twice: with the
 *     reference configuration's {PLAIN} passwords (the headline ratio), and
 *     verifying the very argon2id hashes Postbode stores (the same login work:
 *     each login costs ~30 ms of CPU on either side). Postbode runs twice too:
 *     as configured by default (a password verified a moment ago is
 *     remembered, README "Verified logins": the warm-up round's login fills
 *     that memory, as a client polling every few minutes would), and with
 *     LOGIN_CACHE_SECONDS=0 (argon2id on every login, against Dovecot's
 *     argon2id row).
 *     The clients run in a session of their own, so in a scheduling group of their own (see load()).
 *     Each round prints both sides' CPU, the clients' CPU, the machine's busy and
 *     idle ticks, and where an average session's time went (login, STAT+UIDL,
 *     first RETR, the other RETRs, QUIT) with the quickest and slowest session.
 *  2. One 100,000-message mailbox (1 KB messages): time from connect to the
 *     end of UIDL, first (cold: Dovecot builds its index) and second (warm).
 * Run with `bash bench/pop3/run.sh`; results are appended to RESULTS.md. BENCH_CLIENTS,
 * BENCH_MESSAGES, BENCH_BIG and BENCH_ROUNDS change the workload (5, 500, 100000, 15).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { hash } from '@node-rs/argon2';
import { MAIL_SERVER_NODE_FLAGS } from '../../apps/mail-server/src/node-flags';
import { createDataSource } from '../../libs/core/src/database/data-source';
import { startEmbeddedPostgres } from '../../libs/core/src/database/embedded-postgres';
import { runMigrationsLocked } from '../../libs/core/src/database/open-database';
import { Customer, Domain, Mailbox } from '../../libs/core/src/entities';
import { deliverMessages } from '../../libs/core/src/mail-store/deliver';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const HERE = resolve(ROOT, 'bench/pop3');
const WORK = resolve(HERE, 'work');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 5);
const PER_MAILBOX = Number(process.env.BENCH_MESSAGES ?? 500);
const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP_ROUNDS = Number(process.env.BENCH_WARMUP_ROUNDS ?? 3);
const PASSWORD = 'bench password 1';
const DOMAIN = 'bench.test';

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });

function message(i: number, size: number): string {
  const head = `From: sender@example.org\nTo: user@${DOMAIN}\nSubject: bench message ${i}\nMessage-ID: <bench-${i}@example.org>\nDate: Sun, 29 Nov 2026 03:00:00 +0000\n\n`;
  const line = 'The quick brown fox jumps over the lazy dog, again and again and again.\n';
  let body = '';
  while (head.length + body.length < size) body += line;
  return head + body;
}
const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'));

/**
 * CPU seconds used so far by a process and all its descendants: the live ones
 * from their own counters, the ones already gone through their parents'
 * (cutime/cstime count every child a parent has waited for). Dovecot starts a
 * process per login that ends at QUIT; PostgreSQL one per connection.
 */
function treeCpuSeconds(rootPid: number): number {
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    const pid = Number(name);
    const ppid = Number(f[1]);
    ticks.set(pid, Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])); // utime stime cutime cstime
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  let total = 0;
  for (const stack = [rootPid]; stack.length; ) {
    const pid = stack.pop()!;
    total += ticks.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total / 100; // USER_HZ
}

/** The machine's CPU time so far from /proc/stat, in ticks: busy, idle (with iowait) and stolen by the hypervisor. */
function machineTicks(): { busy: number; idle: number; steal: number } {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f.map(Number);
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}

const firstLineNumber = (file: string) => Number(readFileSync(file, 'utf8').split('\n')[0]);

/**
 * Runs load.py in a session of its own (setsid). With autogroup (/proc/sys/kernel/sched_autogroup_enabled,
 * on by default) Linux shares the CPU between sessions first, then between the processes in each.
 * Dovecot daemonises into a session of its own; Postbode's mail server and PostgreSQL run in this
 * script's session. Clients left in this session too would compete with Postbode thread for thread
 * (six CPU-hungry threads against its one event loop) but with Dovecot only as one group against
 * another. In a session of their own they are one group against either server, as on a real machine,
 * where the servers are services of their own and the clients are elsewhere. BENCH_SAME_SESSION=1
 * keeps them in this session, as runs before 2026-11-29 13:40 did (A/B runs on 2026-11-29 showed no
 * difference in the ratio beyond the noise, RESULTS.md).
 */
async function load(args: string[]): Promise<{ seconds: number; messages?: number; count?: number; clientCpu?: number; phases?: number[]; autogroup?: string }> {
  const python = ['python3', resolve(HERE, 'load.py'), ...args];
  // execFile passes no `detached` on to spawn: util-linux's setsid starts the new session (-w: and waits)
  const [file, ...rest] = process.env.BENCH_SAME_SESSION === '1' ? python : ['setsid', '-w', ...python];
  const { stdout } = await run(file, rest, { timeout: 1_800_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}

/** The scheduling group (autogroup) a process is in, e.g. "/autogroup-123". */
const autogroup = (pid: number) => readFileSync(`/proc/${pid}/autogroup`, 'utf8').split(' ')[0];

/** Starts `node dist/apps/mail-server/src/main.js` as `npm start` does (its Node flags too) with POP3 on `port` only; resolves once it says it is ready. */
async function spawnMailServer(databaseUrl: string, port: number, extraEnv: Record<string, string>): Promise<{ pid: number; close(): Promise<void> }> {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof
  const child = spawn(process.execPath, [...MAIL_SERVER_NODE_FLAGS, ...nodeArgs, resolve(ROOT, 'dist/apps/mail-server/src/main.js')], {
    env: {
      ...process.env,
      ...extraEnv,
      DATABASE_URL: databaseUrl,
      DATA_DIR: resolve(WORK, 'postbode'),
      MAIL_HOSTNAME: 'bench.test',
      LOG_LEVEL: 'warn',
      POP3_PORT: String(port),
      // nothing to send or receive here: POP3 only
      ...Object.fromEntries(['SMTP_PORT', 'SUBMISSION_PORT', 'SMTPS_PORT', 'POP3S_PORT', 'IMAP_PORT', 'IMAPS_PORT', 'DELIVERY_WORKER'].map((k) => [k, 'off'])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // what the process prints (and --trace-gc and the like from BENCH_NODE_ARGS) goes to work/postbode-<port>.log
  const log = createWriteStream(resolve(WORK, `postbode-${port}.log`));
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((ok, fail) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!out.includes('Mail server ready')) return;
      child.stdout!.off('data', onData); // the log file keeps the rest
      ok();
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`mail server exited ${code} before it was ready: ${out}`)));
  });
  return {
    pid: child.pid!,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  chmodSync(WORK, 0o755);
  const users = Array.from({ length: CLIENTS }, (_, i) => `user${i + 1}`);

  // --- Postbode
  const pg = await startEmbeddedPostgres({ dir: resolve(WORK, 'pg'), port: await freePort(), database: 'bench' });
  const db = createDataSource(pg.url, { poolSize: 20 });
  await db.initialize();
  await runMigrationsLocked(db);
  const passwordHash = await hash(PASSWORD);
  const customer = await db.manager.save(db.manager.create(Customer, { name: 'Bench', contactEmail: 'b@bench.test', externalRef: null, status: 'active', suspendedReason: null, suspendedAt: null }));
  const domain = await db.manager.save(db.manager.create(Domain, { customerId: customer.id, name: DOMAIN, maxMailboxes: null, storageBytes: null, defaultQuotaBytes: 10 * 2 ** 30, dkimSelector: 'b', dkimPrivateKey: '-', dkimPublicKey: '-' }));
  const mailboxIds: Record<string, string> = {};
  for (const u of [...users, 'big']) {
    const m = await db.manager.save(db.manager.create(Mailbox, { domainId: domain.id, customerId: customer.id, localPart: u, address: `${u}@${DOMAIN}`, passwordHash, passwordChangedAt: new Date(), displayName: null, quotaBytes: 10 * 2 ** 30 }));
    mailboxIds[u] = m.id;
  }
  console.log('filling Postbode mailboxes...');
  for (const u of users) {
    await deliverMessages(db, Array.from({ length: PER_MAILBOX }, (_, i) => ({ raw: crlf(message(i, 5120)), envelopeFrom: 'sender@example.org', mailboxIds: [mailboxIds[u]] })));
  }
  for (let i = 0; i < BIG; i += 2000) {
    await deliverMessages(db, Array.from({ length: Math.min(2000, BIG - i) }, (_, k) => ({ raw: crlf(message(i + k, 1024)), envelopeFrom: 'sender@example.org', mailboxIds: [mailboxIds.big] })));
  }
  await db.query('VACUUM ANALYZE');
  // Postbode runs as deployed: the mail-server process (dist/.../main.js), its own heap and event loop,
  // as Dovecot runs as its own processes; two of them, the second without the login memory
  const postbodePort = await freePort();
  const uncachedPort = await freePort();
  const server = await spawnMailServer(pg.url, postbodePort, {});
  const uncached = await spawnMailServer(pg.url, uncachedPort, { LOGIN_CACHE_SECONDS: '0' });

  // --- Dovecot, Maildir, same messages
  console.log('filling Dovecot Maildirs...');
  const dovecotPort = await freePort();
  const dv = resolve(WORK, 'dovecot');
  mkdirSync(resolve(dv, 'run'), { recursive: true });
  mkdirSync(resolve(dv, 'state'), { recursive: true });
  let conf = readFileSync('/work/shared/peers/dovecot/dovecot.conf', 'utf8').replace(/\/tmp\/peers\/mail/g, resolve(WORK, 'mail')).replace(/\/tmp\/peers\/dovecot/g, dv);
  conf = conf.replace('port = 10110', `port = ${dovecotPort}`).replace('port = 10143', `port = ${await freePort()}`).replace('protocols = imap pop3', 'protocols = pop3');
  writeFileSync(resolve(dv, 'dovecot.conf'), conf);
  // a2-userN: the same Maildir as userN (a symlink), logging in against Postbode's argon2id hash
  const dovecotUsers = [...users, 'big'].map((u) => `${u}@${DOMAIN}:{PLAIN}${PASSWORD}:5000:5000::${resolve(WORK, 'mail', DOMAIN, u)}::`);
  const argonUsers = users.map((u) => `a2-${u}@${DOMAIN}:{ARGON2ID}${passwordHash}:5000:5000::${resolve(WORK, 'mail', DOMAIN, `a2-${u}`)}::`);
  writeFileSync(resolve(dv, 'users'), [...dovecotUsers, ...argonUsers].join('\n') + '\n');
  const t0 = Math.floor(Date.now() / 1000);
  for (const u of [...users, 'big']) {
    const dir = resolve(WORK, 'mail', DOMAIN, u, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(resolve(dir, sub), { recursive: true });
    const n = u === 'big' ? BIG : PER_MAILBOX;
    for (let i = 0; i < n; i++) {
      const text = message(i, u === 'big' ? 1024 : 5120);
      const size = Buffer.byteLength(text);
      const vsize = size + (text.match(/\n/g)?.length ?? 0);
      // the name Dovecot's own delivery gives: size and virtual (CRLF) size, so neither side reads files to STAT
      writeFileSync(resolve(dir, 'cur', `${t0 + i}.M${i}P1.bench,S=${size},W=${vsize}:2,`), text);
    }
  }
  for (const u of users) symlinkSync(u, resolve(WORK, 'mail', DOMAIN, `a2-${u}`));
  execFileSync('chown', ['-R', '5000:5000', resolve(WORK, 'mail')]);
  // dovecot daemonises and keeps inherited pipes open: give it none, or execFileSync waits forever
  // the bulk load is over before anything is timed: PostgreSQL's autovacuum and checkpoint after
  // 102,500 inserted messages, and the kernel's writeback of both stores, would otherwise land in
  // whichever rounds come first (and in Postbode's CPU figure)
  await db.query('VACUUM ANALYZE');
  await db.query('CHECKPOINT');
  execFileSync('sync');
  execFileSync('dovecot', ['-c', resolve(dv, 'dovecot.conf')], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));

  const servers = [
    { name: 'Postbode', port: postbodePort },
    { name: 'Dovecot', port: dovecotPort },
  ];
  const addresses = users.map((u) => `${u}@${DOMAIN}`);
  const retrServers = [
    { name: 'Postbode', port: postbodePort, logins: addresses },
    { name: 'Postbode argon2id every login', port: uncachedPort, logins: addresses },
    { name: 'Dovecot', port: dovecotPort, logins: addresses },
    { name: 'Dovecot argon2id', port: dovecotPort, logins: users.map((u) => `a2-${u}@${DOMAIN}`) },
  ];
  try {
    // CPU of each side during its rounds: Postbode is its mail-server process plus its PostgreSQL;
    // Dovecot is its master process and every process under it
    const postgresPid = firstLineNumber(resolve(WORK, 'pg', 'postmaster.pid'));
    const dovecotPid = firstLineNumber(resolve(dv, 'run', 'master.pid'));
    const serverCpu = (name: string) =>
      name.startsWith('Postbode') ? treeCpuSeconds(name === 'Postbode' ? server.pid : uncached.pid) + treeCpuSeconds(postgresPid) : treeCpuSeconds(dovecotPid);
    const cpuPerThousand: Record<string, { server: number[]; client: number[] }> = Object.fromEntries(retrServers.map((s) => [s.name, { server: [], client: [] }]));
    const groups = `Postbode mail server ${autogroup(server.pid)}, its PostgreSQL ${autogroup(postgresPid)}, Dovecot ${autogroup(dovecotPid)}, this script ${autogroup(process.pid)}`;
    let groupsShown = false;
    const retrRound = async (s: (typeof retrServers)[number], counted = true) => {
      const cpuBefore = serverCpu(s.name);
      const pgBefore = treeCpuSeconds(postgresPid);
      const machineBefore = machineTicks();
      const r = await load(['retr', String(s.port), PASSWORD, ...s.logins]);
      if (!groupsShown) console.log(`scheduling groups (autogroup): ${groups}, the clients ${r.autogroup}`);
      groupsShown = true;
      const cpu = serverCpu(s.name) - cpuBefore;
      const m = machineTicks();
      const pgPart = s.name.startsWith('Postbode') ? `, of which PostgreSQL ${((treeCpuSeconds(postgresPid) - pgBefore) * 1000).toFixed(0)} ms` : '';
      console.log(`${s.name}: server ${(cpu * 1000).toFixed(0)} ms CPU${pgPart}, clients ${((r.clientCpu ?? 0) * 1000).toFixed(0)} ms; machine busy ${m.busy - machineBefore.busy}, idle ${m.idle - machineBefore.idle}, stolen ${m.steal - machineBefore.steal} ticks`);
      const [login, listing, first, rest, quit, quickest, slowest] = (r.phases ?? []).map((x) => (x * 1000).toFixed(1));
      console.log(`  per session (ms): login ${login}, STAT+UIDL ${listing}, first RETR ${first}, other RETRs ${rest}, QUIT ${quit}; sessions took ${quickest} to ${slowest}`);
      if (r.messages !== CLIENTS * PER_MAILBOX) throw new Error(`${s.name}: retrieved ${r.messages} messages`);
      if (counted) {
        cpuPerThousand[s.name].server.push((cpu * 1e6) / r.messages);
        cpuPerThousand[s.name].client.push(((r.clientCpu ?? 0) * 1e6) / r.messages);
      }
      return r.messages / r.seconds;
    };
    // a freshly started Node process needs a few thousand RETRs before V8 has optimised the hot path
    // (in one trial its second round still used twice the CPU of the fourth); Dovecot is native code
    const warmup: Record<string, number> = {};
    for (const s of retrServers) {
      for (let k = 0; k < WARMUP_ROUNDS; k++) warmup[s.name] = await retrRound(s, false);
      console.log(`warm-up ${s.name}: ${warmup[s.name].toFixed(0)} msg/s in the last of ${WARMUP_ROUNDS} rounds (not counted)`);
    }
    const rates: Record<string, number[]> = Object.fromEntries(retrServers.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // rotate the order, so that no server always runs right after the same one
      for (let k = 0; k < retrServers.length; k++) {
        const s = retrServers[(round + k) % retrServers.length];
        rates[s.name].push(await retrRound(s));
        console.log(`round ${round + 1} ${s.name}: ${rates[s.name].at(-1)!.toFixed(0)} msg/s`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const uidl: Record<string, number[]> = { Postbode: [], Dovecot: [] };
    for (const s of servers) {
      for (let k = 0; k < 2; k++) {
        const r = await load(['uidl', String(s.port), PASSWORD, `big@${DOMAIN}`]);
        if (r.count !== BIG) throw new Error(`${s.name}: UIDL listed ${r.count}`);
        uidl[s.name].push(r.seconds);
        console.log(`${s.name} ${BIG} messages, connect to end of UIDL (${k ? 'warm' : 'cold'}): ${r.seconds.toFixed(3)} s`);
      }
    }
    const pb = median(rates.Postbode);
    const dc = median(rates.Dovecot);
    const da = median(rates['Dovecot argon2id']);
    const pa = median(rates['Postbode argon2id every login']);
    const cpuMs = (name: string, side: 'server' | 'client') => median(cpuPerThousand[name][side]);
    const all = (name: string) => rates[name].map((x) => x.toFixed(0)).join(', ');
    const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Dovecot ${execFileSync('dovecot', ['--version']).toString().trim()}`;
    const text = `
## ${date} UTC: ${machine}

${CLIENTS} clients at once, each on its own ${PER_MAILBOX}-message mailbox (5 KB): login, STAT, UIDL, RETR all, QUIT; the clients ${process.env.BENCH_SAME_SESSION === '1' ? "in the bench script's session, with Postbode (BENCH_SAME_SESSION=1)" : 'in a session (scheduling group) of their own'}; median of ${ROUNDS} rounds (server order rotating) after ${WARMUP_ROUNDS} untimed warm-up rounds each (all rounds: Postbode ${all('Postbode')}; Postbode with LOGIN_CACHE_SECONDS=0 ${all('Postbode argon2id every login')}; Dovecot ${all('Dovecot')}; Dovecot with argon2id logins ${all('Dovecot argon2id')} msg/s; last warm-up round: ${retrServers.map((s) => `${s.name} ${warmup[s.name].toFixed(0)}`).join(', ')} msg/s).

| | Postbode | Dovecot | ratio (Postbode / Dovecot) |
|---|---|---|---|
| RETR messages per second, ${CLIENTS} clients (Postbode as configured by default; Dovecot: {PLAIN} passwords) | ${pb.toFixed(0)} | ${dc.toFixed(0)} | **${(pb / dc).toFixed(2)}×** |
| the same, argon2id on every login on both sides (Postbode LOGIN_CACHE_SECONDS=0) | ${pa.toFixed(0)} | ${da.toFixed(0)} | ${(pa / da).toFixed(2)}× |
| server CPU per 1,000 messages, ms (Postbode: Node + PostgreSQL; Dovecot: all its processes), default / {PLAIN} | ${cpuMs('Postbode', 'server').toFixed(0)} | ${cpuMs('Dovecot', 'server').toFixed(0)} | ${(cpuMs('Dovecot', 'server') / cpuMs('Postbode', 'server')).toFixed(2)}× as little |
| the same, argon2id on every login on both sides | ${cpuMs('Postbode argon2id every login', 'server').toFixed(0)} | ${cpuMs('Dovecot argon2id', 'server').toFixed(0)} | ${(cpuMs('Dovecot argon2id', 'server') / cpuMs('Postbode argon2id every login', 'server')).toFixed(2)}× as little |
| client (poplib) CPU per 1,000 messages, ms: the same client against each | ${cpuMs('Postbode', 'client').toFixed(0)} | ${cpuMs('Dovecot', 'client').toFixed(0)} | |
| ${BIG} messages: connect → end of UIDL, cold | ${uidl.Postbode[0].toFixed(2)} s | ${uidl.Dovecot[0].toFixed(2)} s | ${(uidl.Dovecot[0] / uidl.Postbode[0]).toFixed(2)}× as fast |
| ${BIG} messages: connect → end of UIDL, warm | ${uidl.Postbode[1].toFixed(2)} s | ${uidl.Dovecot[1].toFixed(2)} s | ${(uidl.Dovecot[1] / uidl.Postbode[1]).toFixed(2)}× as fast |
`;
    appendFileSync(resolve(HERE, 'RESULTS.md'), text);
    console.log(text);
  } finally {
    try {
      execFileSync('doveadm', ['-c', resolve(dv, 'dovecot.conf'), 'stop']);
    } catch {
      /* already stopped */
    }
    await server.close();
    await uncached.close();
    await db.destroy();
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
