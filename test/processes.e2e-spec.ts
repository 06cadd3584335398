import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { MAIL_SERVER_NODE_FLAGS } from '../apps/mail-server/src/node-flags';
import { makeTempDir } from '../libs/core/src/database/embedded-postgres';
import { runNode } from './support/process';
import { freePorts } from './support/smtp';

describe('processes', () => {
  it('a bad configuration value stops the process with the variable named', async () => {
    const p = runNode('apps/api/src/main.js', { DATABASE_URL: inject('databaseUrl'), API_PORT: 'eighty' });
    expect(await p.exited).toBe(78);
    expect(p.output()).toMatch(/API_PORT: must be a port number/);
    const m = runNode('apps/mail-server/src/main.js', { DATABASE_URL: inject('databaseUrl'), INSECURE_AUTH: 'always' });
    expect(await m.exited).toBe(78);
    expect(m.output()).toMatch(/INSECURE_AUTH/);
  });

  it('the mail server connects, reports ready and stops cleanly on SIGTERM', async () => {
    // ports the kernel says are free (random ones could be a port another test's connection holds)
    const [smtp, submission, smtps] = await freePorts(3);
    const p = runNode('apps/mail-server/src/main.js', { DATABASE_URL: inject('databaseUrl'), SMTP_PORT: String(smtp), SUBMISSION_PORT: String(submission), SMTPS_PORT: String(smtps), POP3_PORT: 'off', POP3S_PORT: 'off', IMAP_PORT: 'off', IMAPS_PORT: 'off', DATA_DIR: makeTempDir('pb-mail-') });
    await p.waitFor(/ready/i);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('npm start on a fresh data folder: embedded PostgreSQL, API with Swagger UI, mail server, admin key printed once', async () => {
    const dataDir = makeTempDir('pb-start-');
    const [apiPort, pgPort, smtp, submission, smtps, pop3, pop3s, imap, imaps] = await freePorts(9);
    const env = {
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      API_PORT: String(apiPort),
      SMTP_PORT: String(smtp),
      SUBMISSION_PORT: String(submission),
      SMTPS_PORT: String(smtps),
      POP3_PORT: String(pop3),
      POP3S_PORT: String(pop3s),
      IMAP_PORT: String(imap),
      IMAPS_PORT: String(imaps),
    };
    let current: ReturnType<typeof runNode> | null = null;
    try {
      const first = (current = runNode('scripts/start.js', env));
      await first.waitFor(/Postbode is running/, 90_000);
      const out = first.output();
      expect(out).toContain(`http://127.0.0.1:${apiPort}/docs`);
      const key = /pb_[0-9a-f]{12}_[A-Za-z0-9_-]+/.exec(out)?.[0];
      expect(key, 'the admin key is printed on first start').toBeTruthy();
      const res = await fetch(`http://127.0.0.1:${apiPort}/v1/customers`, { headers: { Authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      const docs = await fetch(`http://127.0.0.1:${apiPort}/docs/`);
      expect(docs.status).toBe(200);
      // the console (built into dist/console) is served by the same process under /
      expect(out).toContain(`Console:      http://127.0.0.1:${apiPort}/`);
      const consolePage = await fetch(`http://127.0.0.1:${apiPort}/customers`);
      expect(consolePage.status).toBe(200);
      const html = await consolePage.text();
      expect(html).toContain('<div id="root"></div>');
      const script = /<script type="module"[^>]* src="(\/assets\/index-[\w-]+\.js)"/.exec(html)?.[1];
      expect((await fetch(`http://127.0.0.1:${apiPort}${script}`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${apiPort}/readyz`)).status).toBe(200);
      // the mail server runs with its Node flags (apps/mail-server/src/node-flags.ts)
      const mailPid = /Mail server ready \(.*pid (\d+)\)/.exec(out)?.[1];
      expect(readFileSync(`/proc/${mailPid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining([...MAIL_SERVER_NODE_FLAGS]));
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      // second start: same data, no new key printed
      const second = (current = runNode('scripts/start.js', env));
      await second.waitFor(/Postbode is running/, 90_000);
      expect(second.output()).not.toMatch(/pb_[0-9a-f]{12}_/);
      const again = await fetch(`http://127.0.0.1:${apiPort}/v1/customers`, { headers: { Authorization: `Bearer ${key}` } });
      expect(again.status).toBe(200);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } catch (err) {
      // what the platform printed says why (a listener that could not bind, a child that died)
      throw new Error(`${(err as Error).message}\n--- npm start printed:\n${current?.output() ?? ''}`, { cause: err });
    } finally {
      // a failed run must not leave the platform (and its PostgreSQL) running
      if (current && current.child.exitCode === null && current.child.signalCode === null) {
        current.child.kill('SIGTERM');
        await current.exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
