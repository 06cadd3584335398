import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { inject } from 'vitest';
import { freePorts } from './smtp';

const MAIN = resolve(__dirname, '../../dist/apps/mail-server/src/main.js');

export interface MailProcess {
  child: ChildProcess;
  mx: number;
  submission: number;
  smtps: number;
  env: Record<string, string>;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: no cleanup at all, as a crash. */
  kill9(): Promise<void>;
}

/**
 * The built mail server (`npm run build` -> dist/), as its own process on the
 * test PostgreSQL, exactly as production runs it. Pass the env of an earlier
 * process to restart it on the same ports.
 */
export async function spawnMailServer(env: Record<string, string> = {}): Promise<MailProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  const [smtp, submission, smtps, imap, imaps] = await freePorts(5);
  const fullEnv: Record<string, string> = {
    DATABASE_URL: inject('databaseUrl'),
    MAIL_HOSTNAME: 'mx.postbode.test',
    LOG_LEVEL: 'warn',
    DATA_DIR: mkdtempSync(`${tmpdir()}/postbode-mailproc-`),
    SMTP_PORT: String(smtp),
    SUBMISSION_PORT: String(submission),
    SMTPS_PORT: String(smtps),
    POP3_PORT: 'off',
    POP3S_PORT: 'off',
    IMAP_PORT: String(imap),
    IMAPS_PORT: String(imaps),
    DELIVERY_WORKER: 'off',
    ...env,
  };
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...fullEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`mail server not ready after 30 s:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Mail server ready')) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mail server exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    mx: Number(fullEnv.SMTP_PORT),
    submission: Number(fullEnv.SUBMISSION_PORT),
    smtps: Number(fullEnv.SMTPS_PORT),
    env: fullEnv,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(fullEnv.DATA_DIR, { recursive: true, force: true });
    },
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
