/**
 * `npm start`: the whole platform in one command. Starts the embedded
 * PostgreSQL when DATABASE_URL is unset, then the API (which migrates the
 * schema and serves Swagger UI) and the mail server, each as its own process,
 * and stops them all on Ctrl-C / SIGTERM.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { MAIL_SERVER_NODE_FLAGS } from '../apps/mail-server/src/node-flags';
import { loadConfigOrExit } from '../libs/core/src/config/config';
import { startEmbeddedPostgres, EmbeddedPostgresHandle } from '../libs/core/src/database/embedded-postgres';

const dist = resolve(__dirname, '..');

function run(name: string, script: string, env: NodeJS.ProcessEnv, nodeFlags: readonly string[] = []): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [...nodeFlags, resolve(dist, script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  const forward = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.startsWith('{') && /listening on|ready/i.test(line)) markReady();
        // the apps' own banners are for people; pino's JSON lines get a prefix
        out.write(line.startsWith('{') ? `[${name}] ${line}\n` : `${line}\n`);
      }
    });
  };
  forward(child.stdout!, process.stdout);
  forward(child.stderr!, process.stderr);
  return { child, ready };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  let pg: EmbeddedPostgresHandle | null = null;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!config.databaseUrl) {
    process.stdout.write(`Starting embedded PostgreSQL in ${resolve(config.dataDir, 'pg')} (set DATABASE_URL to use your own server)\n`);
    pg = await startEmbeddedPostgres({ dir: resolve(config.dataDir, 'pg'), port: config.embeddedPgPort });
    env.DATABASE_URL = pg.url;
  }
  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
    await pg?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const api = run('api', 'apps/api/src/main.js', env);
  children.push(api.child);
  api.child.on('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`API exited (code ${code}); stopping\n`);
      void stopAll(code || 1);
    }
  });
  await api.ready; // the API has migrated the schema
  const mail = run('mail', 'apps/mail-server/src/main.js', env, MAIL_SERVER_NODE_FLAGS);
  children.push(mail.child);
  mail.child.on('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`Mail server exited (code ${code}); stopping\n`);
      void stopAll(code || 1);
    }
  });
  await mail.ready;
  process.stdout.write('\nPostbode is running. Press Ctrl-C to stop.\n');
}

main().catch((err) => {
  process.stderr.write(`Postbode failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
