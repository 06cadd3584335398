/**
 * Outbound delivery benchmark: Postbode's delivery worker against Postfix
 * relaying the same load to the same sink, side by side in one run.
 *
 * Workload: N messages (BENCH_MESSAGES, 5,000) of 5 KB, each from
 * loadgen@example.org to one recipient at remote.test, sit in the queue; the
 * peer is then let loose and sends them all to one loopback SMTP sink
 * (Postfix's smtp-sink: accepts everything, counts, writes nothing) with 10
 * connections. The same sink serves both peers.
 *
 *  - Postbode: the queue is filled with deliverMessages (as forwards: no
 *    customer, not DKIM-signed, like Postfix), then the real mail-server
 *    process starts with DELIVERY_WORKER=on, DELIVERY_CONCURRENCY=10 and
 *    TRANSPORT_MAP='*=127.0.0.1:<sink>'.
 *  - Postfix: a private instance takes the messages from smtp-source over
 *    SMTP while its smtp transport is deferred (defer_transports = smtp), then
 *    `postqueue -f` flushes them through relayhost = [127.0.0.1]:<sink> with
 *    a destination concurrency of 10 and cached connections.
 *
 * msg/s = N / (time of the last message at the sink - time of the first):
 * the delivery rate once delivery runs, without Postbode's process start-up
 * (reported separately, as start -> last). ROUNDS rounds, the peers' order
 * alternating, medians reported. CPU per message is that of the peer's
 * processes (Node + PostgreSQL; Postfix's master and its children) between
 * the first and the last message; memory is the peak RSS of the main process
 * (the Node process; Postfix's qmgr) and the peak PSS of all of them. Both
 * queues are durable (PostgreSQL with fsync; Postfix's queue files), and both
 * log each delivery (Postbode LOG_LEVEL=info to a file; Postfix's maillog_file).
 * Run with `bash bench/delivery/run.sh`; results are appended to RESULTS.md.
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { MAIL_SERVER_NODE_FLAGS } from '../../apps/mail-server/src/node-flags';
import { createDataSource } from '../../libs/core/src/database/data-source';
import { startEmbeddedPostgres } from '../../libs/core/src/database/embedded-postgres';
import { runMigrationsLocked } from '../../libs/core/src/database/open-database';
import { deliverMessages } from '../../libs/core/src/mail-store/deliver';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const HERE = resolve(ROOT, 'bench/delivery');
const WORK = resolve(HERE, 'work');
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 10;
const SIZE = 5120;
const FROM = 'loadgen@example.org';
const TO = 'sink@remote.test';
const SMTP_SOURCE = '/usr/sbin/smtp-source';
const SMTP_SINK = '/usr/sbin/smtp-sink';
/** One round may not take longer than this (a stuck queue fails the run instead of hanging it). */
const ROUND_TIMEOUT_MS = Number(process.env.BENCH_ROUND_TIMEOUT_MS ?? 600_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---------------------------------------------------------------- processes

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

/**
 * CPU time in ms (USER_HZ = 100) of the processes and their descendants,
 * including the children they already reaped (cutime, cstime): the difference
 * of two readings counts processes that came and went in between, e.g.
 * Postfix's smtp clients.
 */
function cpuMsOfTree(roots: number[]): number {
  let sum = 0;
  for (const pid of tree(roots)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      sum += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
    } catch {
      /* gone */
    }
  }
  return sum;
}

/** Peak memory of a peer's processes, sampled every 100 ms until stopped. */
function sampleMemory(main: () => number, roots: () => number[]) {
  let peakMain = 0;
  let peakTotal = 0;
  const look = () => {
    peakMain = Math.max(peakMain, rssKb(main()));
    peakTotal = Math.max(peakTotal, tree(roots()).reduce((sum, p) => sum + pssKb(p), 0));
  };
  look();
  const timer = setInterval(look, 100);
  return () => {
    clearInterval(timer);
    look();
    return { peakMainMb: peakMain / 1024, peakTotalMb: peakTotal / 1024 };
  };
}

// ---------------------------------------------------------------- the sink

/**
 * Postfix's smtp-sink on 127.0.0.1: accepts every message, throws it away,
 * and with -c prints its running counters ("sess=.. quit=.. mesg=N\r") as
 * each message ends; we note when the count reaches a target.
 */
interface Sink {
  port: number;
  pid: number;
  count(): number;
  /** Resolves with performance.now() at the moment the count reached `target`. */
  reached(target: number): Promise<number>;
  stop(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const port = await freePort();
  const asRoot = process.getuid?.() === 0 ? ['-u', 'nobody'] : []; // smtp-sink refuses to keep root
  const child = spawn(SMTP_SINK, ['-c', ...asRoot, `127.0.0.1:${port}`, '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let count = 0;
  let err = '';
  let tail = '';
  const waiters: { target: number; resolve: (at: number) => void }[] = [];
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.on('data', (d: Buffer) => {
    const at = performance.now();
    const text = tail + d.toString('latin1');
    const last = text.lastIndexOf('\r');
    tail = text.slice(last + 1);
    const m = /mesg=(\d+)[^\r]*$/.exec(text.slice(0, Math.max(last, 0)));
    if (!m) return;
    count = Number(m[1]);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (count >= waiters[i].target) waiters.splice(i, 1)[0].resolve(at);
    }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 50; i++) {
    if (await canConnect(port)) break;
    if (child.exitCode !== null) throw new Error(`smtp-sink exited ${child.exitCode}: ${err}`);
    await sleep(100);
  }
  return {
    port,
    pid: child.pid!,
    count: () => count,
    reached: (target) => (count >= target ? Promise.resolve(performance.now()) : new Promise((resolve) => waiters.push({ target, resolve }))),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), ok(true)));
    s.once('error', () => ok(false));
  });
}

// ---------------------------------------------------------------- the peers

interface Round {
  peer: string;
  /** N / (last - first) at the sink. */
  perSecond: number;
  /** From process start (Postbode) or `postqueue -f` (Postfix) to the last message at the sink. */
  startToLastSeconds: number;
  startToFirstSeconds: number;
  cpuMsPerMessage: number;
  /** The same for the main process alone (Postbode's Node process, Postfix's qmgr). */
  mainCpuMsPerMessage: number;
  peakMainMb: number;
  peakTotalMb: number;
}

interface Peer {
  name: string;
  /** Puts MESSAGES messages in the queue, none of them sent yet. */
  fill(): Promise<void>;
  /** Lets the queue go and measures until the sink has them all. */
  deliver(sink: Sink): Promise<Round>;
  stop(): Promise<void>;
}

/** Headers and body shaped as smtp-source's (-l 5120: 64 lines of 80 bytes), with the Received line Postbode's MX would add. */
function message(i: number): Buffer {
  const date = new Date().toUTCString().replace('GMT', '+0000');
  const head =
    `Received: from loadgen.example.org (localhost [127.0.0.1])\r\n\tby mx.bench.test (Postbode) with ESMTP id bench-${i}\r\n\tfor <${TO}>; ${date}\r\n` +
    `From: <${FROM}>\r\nTo: <${TO}>\r\nDate: ${date}\r\nMessage-Id: <bench-${i}.${Date.now()}@loadgen.example.org>\r\n\r\n`;
  const lines: string[] = [];
  for (let n = 1; n <= SIZE / 80; n++) lines.push(`${n}`.padEnd(78, 'X'));
  return Buffer.from(head + lines.join('\r\n') + '\r\n');
}

/** CPU time in ms of one process alone (its threads, not its children). */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

/** Waits for the sink to count `base + MESSAGES`, noting CPU at the first and the last message. */
async function timeDelivery(sink: Sink, roots: () => number[], main: () => number, start: number, watch: () => string | null) {
  const base = sink.count();
  let cpuAtFirst = 0;
  let mainCpuAtFirst = 0;
  const first = sink.reached(base + 1).then((at) => ((cpuAtFirst = cpuMsOfTree(roots())), (mainCpuAtFirst = cpuMsOf(main())), at));
  const last = sink.reached(base + MESSAGES);
  const deadline = Date.now() + ROUND_TIMEOUT_MS;
  let done = false;
  void last.then(() => (done = true));
  while (!done) {
    const problem = watch();
    if (problem) throw new Error(problem);
    if (Date.now() > deadline) throw new Error(`the sink has ${sink.count() - base} of ${MESSAGES} messages after ${ROUND_TIMEOUT_MS / 1000} s`);
    await sleep(50);
  }
  const tLast = await last;
  const cpuAtLast = cpuMsOfTree(roots());
  const mainCpuAtLast = cpuMsOf(main());
  const tFirst = await first;
  return {
    perSecond: MESSAGES / ((tLast - tFirst) / 1000),
    startToLastSeconds: (tLast - start) / 1000,
    startToFirstSeconds: (tFirst - start) / 1000,
    cpuMsPerMessage: (cpuAtLast - cpuAtFirst) / MESSAGES,
    mainCpuMsPerMessage: (mainCpuAtLast - mainCpuAtFirst) / MESSAGES,
    extra: sink.count() - base - MESSAGES,
  };
}

async function postbode(sinkPort: number): Promise<Peer & { pgVersion: string }> {
  const pg = await startEmbeddedPostgres({ dir: resolve(WORK, 'pg'), port: await freePort() }); // durable: fsync on
  const ds: DataSource = createDataSource(pg.url, { poolSize: 4 });
  await ds.initialize();
  await runMigrationsLocked(ds);
  const postmaster = Number(readFileSync(resolve(WORK, 'pg/postmaster.pid'), 'utf8').split('\n')[0]);
  const [{ server_version: pgVersion }] = await ds.query('SHOW server_version');
  const logFile = resolve(WORK, 'postbode.log');
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof --cpu-prof-dir=...
  let round = 0;

  return {
    name: 'Postbode',
    pgVersion,
    fill: async () => {
      // every round starts from the same empty queue (what an emptied queue looks like after the purge)
      await ds.query(`TRUNCATE outbound_attempts, outbound_recipients, outbound_messages, mailbox_messages, messages`);
      const batch = 50;
      for (let i = 0; i < MESSAGES; i += batch) {
        const n = Math.min(batch, MESSAGES - i);
        await deliverMessages(
          ds,
          Array.from({ length: n }, (_, j) => ({
            raw: message(i + j),
            envelopeFrom: FROM,
            mailboxIds: [],
            outbound: { recipients: [{ address: TO }], source: 'forward' as const, mailboxId: null, customerId: null, clientAddress: '127.0.0.1' },
          })),
        );
      }
      // the planner statistics autovacuum would have for a queue this size, and a quiet disk
      await ds.query('ANALYZE outbound_recipients, outbound_messages, messages');
      await ds.query('CHECKPOINT');
      execFileSync('sync');
    },
    deliver: async (sink) => {
      round++;
      const port = await freePort();
      const out = openSync(logFile, 'a');
      const start = performance.now();
      const child: ChildProcess = spawn(process.execPath, [...MAIL_SERVER_NODE_FLAGS, ...nodeArgs, resolve(ROOT, 'dist/apps/mail-server/src/main.js')], {
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
          LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
          DATA_DIR: resolve(WORK, 'postbode'),
          MAIL_HOSTNAME: 'mx.bench.test',
          DELIVERY_WORKER: 'on',
          DELIVERY_CONCURRENCY: String(CONNECTIONS),
          TRANSPORT_MAP: `*=127.0.0.1:${sinkPort}`,
        },
        stdio: ['ignore', out, out],
      });
      closeSync(out);
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const roots = () => [child.pid!, postmaster];
      const memory = sampleMemory(() => child.pid!, roots);
      let timing;
      try {
        timing = await timeDelivery(sink, roots, () => child.pid!, start, () =>
          child.exitCode !== null ? `mail server (round ${round}) exited ${child.exitCode}; see ${logFile}` : null,
        );
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
      const { peakMainMb, peakTotalMb } = memory();
      const [row] = await ds.query(
        `SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered, count(*)::int AS total FROM outbound_recipients`,
      );
      if (row.delivered !== MESSAGES || timing.extra !== 0) {
        throw new Error(`Postbode: ${row.delivered} of ${row.total} recipients delivered, ${timing.extra} extra messages at the sink`);
      }
      return { peer: 'Postbode', ...timing, peakMainMb, peakTotalMb };
    },
    stop: async () => {
      await ds.destroy();
      await pg.stop();
    },
  };
}

function postfix(sinkPort: number): Peer & { start(): Promise<void> } {
  const dir = resolve(WORK, 'postfix');
  const etc = resolve(dir, 'etc');
  const spool = resolve(dir, 'spool');
  let port = 0;
  let master = 0;
  const filesIn = (queue: string): number => {
    const walk = (d: string): number =>
      existsSync(d) ? readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? walk(resolve(d, e.name)) : 1), 0) : 0;
    return walk(resolve(spool, queue));
  };
  let qmgrPid = 0;
  /** Postfix's queue manager: the process that holds the active queue and schedules the smtp clients. */
  const qmgr = () => {
    if (qmgrPid && existsSync(`/proc/${qmgrPid}`)) return qmgrPid;
    const isQmgr = (p: number) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('qmgr');
      } catch {
        return false;
      }
    };
    qmgrPid = tree([master]).find(isQmgr) ?? 0;
    return qmgrPid || master;
  };

  return {
    name: 'Postfix',
    start: async () => {
      port = await freePort();
      mkdirSync(etc, { recursive: true });
      for (const f of ['main.cf', 'master.cf']) {
        const text = readFileSync(resolve(HERE, 'postfix', f), 'utf8');
        writeFileSync(resolve(etc, f), text.replace(/@WORK@/g, WORK).replace(/@PORT@/g, String(port)).replace(/@SINKPORT@/g, String(sinkPort)));
      }
      for (const d of ['spool', 'data']) mkdirSync(resolve(dir, d), { recursive: true });
      execFileSync('chown', ['postfix', resolve(dir, 'data')]);
      execFileSync('postfix', ['-c', etc, 'start'], { stdio: 'ignore' });
      for (let i = 0; i < 100 && !master; i++) {
        const f = resolve(spool, 'pid/master.pid');
        if (existsSync(f)) master = Number(readFileSync(f, 'utf8').trim());
        else await sleep(100);
      }
      if (!master) throw new Error('Postfix did not start');
    },
    fill: async () => {
      const args = ['-d', '-s', String(CONNECTIONS), '-m', String(MESSAGES), '-l', String(SIZE), '-f', FROM, '-t', TO, `127.0.0.1:${port}`];
      await run(SMTP_SOURCE, args, { timeout: ROUND_TIMEOUT_MS });
      // accepted mail passes incoming -> active -> deferred (defer_transports); wait until it all rests there
      const deadline = Date.now() + ROUND_TIMEOUT_MS;
      while (filesIn('deferred') < MESSAGES || filesIn('incoming') + filesIn('active') + filesIn('maildrop') > 0) {
        if (Date.now() > deadline) throw new Error(`Postfix: only ${filesIn('deferred')} of ${MESSAGES} messages reached the deferred queue`);
        await sleep(100);
      }
      execFileSync('sync');
    },
    deliver: async (sink) => {
      const roots = () => [master];
      const memory = sampleMemory(qmgr, roots);
      const start = performance.now();
      await run('postqueue', ['-c', etc, '-f']);
      const timing = await timeDelivery(sink, roots, qmgr, start, () => null);
      const { peakMainMb, peakTotalMb } = memory();
      // qmgr removes each queue file after the sink's 250: wait for an empty queue before the next round
      for (let i = 0; i < 600 && filesIn('deferred') + filesIn('active') + filesIn('incoming') > 0; i++) await sleep(100);
      const left = filesIn('deferred') + filesIn('active') + filesIn('incoming');
      if (left !== 0 || timing.extra !== 0) throw new Error(`Postfix: ${left} messages still queued, ${timing.extra} extra messages at the sink`);
      return { peer: 'Postfix', ...timing, peakMainMb, peakTotalMb };
    },
    stop: async () => {
      if (master) execFileSync('postfix', ['-c', etc, 'stop'], { stdio: 'ignore' });
    },
  };
}

// ---------------------------------------------------------------- the run

function version(cmd: string, args: string[], re: RegExp): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return re.exec(out)?.[1] ?? out.trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  execFileSync('chmod', ['755', WORK]); // the postgres user (when root) must enter it
  const sink = await startSink();
  const fix = postfix(sink.port);
  const pb = await postbode(sink.port);
  const peers: Peer[] = [pb, fix];
  const rounds: Round[] = [];
  try {
    await fix.start();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const peer of round % 2 ? peers : [...peers].reverse()) {
        await peer.fill();
        const r = await peer.deliver(sink);
        process.stdout.write(
          `round ${round}, ${peer.name}: ${r.perSecond.toFixed(0)} msg/s (first to last), ${r.startToLastSeconds.toFixed(1)} s start to last, ` +
            `${r.cpuMsPerMessage.toFixed(2)} ms CPU/msg (main process ${r.mainCpuMsPerMessage.toFixed(2)}), peak RSS ${r.peakMainMb.toFixed(0)} MB\n`,
        );
        rounds.push(r);
      }
    }
  } finally {
    for (const p of [...peers, sink]) await p.stop().catch((err) => console.error(err));
  }

  const summary = (peer: string) => {
    const rs = rounds.filter((r) => r.peer === peer);
    return {
      perSecond: median(rs.map((r) => r.perSecond)),
      all: rs.map((r) => r.perSecond.toFixed(0)).join(', '),
      startToFirst: median(rs.map((r) => r.startToFirstSeconds)),
      startToLast: median(rs.map((r) => r.startToLastSeconds)),
      cpu: median(rs.map((r) => r.cpuMsPerMessage)),
      mainCpu: median(rs.map((r) => r.mainCpuMsPerMessage)),
      main: Math.max(...rs.map((r) => r.peakMainMb)),
      total: Math.max(...rs.map((r) => r.peakTotalMb)),
    };
  };
  const nproc = version('nproc', [], /(\d+)/);
  const machine = `${nproc} × ${cpus()[0]?.model ?? 'cpu'} (nproc), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${version('uname', ['-sr'], /(.*)/)}`;
  const software = `Node ${process.version}, PostgreSQL ${pb.pgVersion} (embedded, fsync on), Postfix ${version('postconf', ['-d', 'mail_version'], /= (\S+)/)}`;
  const p = summary('Postbode');
  const f = summary('Postfix');
  const lines = [
    `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${machine}; ${software}.`,
    `${MESSAGES} queued messages of ${SIZE} bytes (smtp-source's shape), one recipient each, delivered with ${CONNECTIONS} connections to one smtp-sink on 127.0.0.1 (the same sink for both, on the same cores);`,
    `${ROUNDS} alternating rounds, median shown (all rounds in brackets). msg/s from the first message at the sink to the last; "start" is the mail-server process start (Postbode) or \`postqueue -f\` (Postfix).`,
    '',
    '| peer | msg/s (median) | start → first | start → last | CPU per message, all processes (main process) | peak RSS, main process | peak PSS, all processes |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [name, x] of [['Postbode', p], ['Postfix', f]] as const) {
    lines.push(
      `| ${name} | ${x.perSecond.toFixed(0)} (${x.all}) | ${x.startToFirst.toFixed(2)} s | ${x.startToLast.toFixed(1)} s | ${x.cpu.toFixed(2)} ms (${x.mainCpu.toFixed(2)} ms) | ${x.main.toFixed(0)} MB | ${x.total.toFixed(0)} MB |`,
    );
  }
  lines.push('');
  lines.push(
    `- Postbode/Postfix delivery rate **${(p.perSecond / f.perSecond).toFixed(2)}**, CPU per message ${(p.cpu / f.cpu).toFixed(2)}, memory (all processes) ${(p.total / f.total).toFixed(2)}`,
  );
  lines.push('');
  const text = lines.join('\n');
  process.stdout.write(`\n${text}\n`);
  const results = resolve(HERE, 'RESULTS.md');
  if (!existsSync(results)) writeFileSync(results, '# Delivery benchmark results\n\nNewest last; produced by `bash bench/delivery/run.sh`. Compare runs of the same day and machine only.\n\n');
  appendFileSync(results, `${text}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
