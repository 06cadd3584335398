import { it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeDomain, makeMailbox } from './support/mail-fixtures';
import { startTestMailServer } from './support/smtp';

it('latency probe', async () => {
  const mail = await startTestMailServer({ LOG_LEVEL: 'info' });
  const d = await makeDomain(mail.db);
  const box = await makeMailbox(mail.db, d, 'user2');
  for (const s of [1, 10]) {
    const t0 = Date.now();
    await promisify(execFile)('/usr/sbin/smtp-source', ['-d', '-s', String(s), '-m', '100', '-l', '5120', '-f', 'a@b.example', '-t', box.address, `127.0.0.1:${mail.mx}`]);
    console.error(`sessions ${s}: ${(100000 / (Date.now() - t0)).toFixed(0)} msg/s`);
  }
  await mail.close();
}, 120000);
