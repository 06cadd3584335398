import pino from 'pino';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Pop3PgBackend } from '../apps/mail-server/src/pop3/pop3-pg-backend';
import type { Pop3Maildrop } from '../apps/mail-server/src/pop3/pop3-backend';
import type { LoginGuard } from '../libs/core/src/mail-accounts/mailbox-login';
import { createDataSource } from '../libs/core/src/database/data-source';
import { deliverMessages } from '../libs/core/src/mail-store/deliver';
import { makeDomain, makeMailbox, storedMessages } from './support/mail-fixtures';

/**
 * The POP3 maildrop's read-ahead against the real store, with a small per-process budget:
 * every message comes back whole and in order, the bytes held stay near the bound, and
 * every byte counted is given back when sessions end, jump about, or end mid-batch.
 */
describe('POP3 read-ahead within the process budget', () => {
  const LIMIT = 20_000;
  let db: DataSource;
  let backend: Pop3PgBackend;
  beforeAll(async () => {
    db = createDataSource(inject('databaseUrl'), { poolSize: 4 });
    await db.initialize();
    // openMaildrop needs no login checks: the guard is never asked
    backend = new Pop3PgBackend(db, inject('databaseUrl'), {} as LoginGuard, pino({ level: 'silent' }), LIMIT);
  });
  afterAll(async () => {
    await backend?.close();
    await db?.destroy();
  });

  async function mailbox(count: number): Promise<{ id: string; raws: Buffer[] }> {
    const domain = await makeDomain(db);
    const box = await makeMailbox(db, domain, 'reader');
    const body = 'A line of text that fills the message up to about a kilobyte.\r\n'.repeat(15);
    await deliverMessages(db, Array.from({ length: count }, (_, i) => ({ raw: Buffer.from(`Subject: ${i}\r\n\r\n${body}`), envelopeFrom: 'a@example.org', mailboxIds: [box.id] })));
    const raws: Buffer[] = (await db.query(`SELECT m.raw FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id WHERE mm.mailbox_id = $1 ORDER BY mm.uid`, [box.id])).map((r: { raw: Buffer }) => r.raw);
    expect(await storedMessages(db, box.id)).toHaveLength(count);
    return { id: box.id, raws };
  }

  async function open(id: string, session: string): Promise<Pop3Maildrop> {
    const opened = await backend.openMaildrop(id, session);
    if (!opened.ok) throw new Error(opened.message);
    return opened.maildrop;
  }

  it('two sessions downloading at once share the bound, get every message, and give every byte back', async () => {
    const [a, b] = [await mailbox(60), await mailbox(60)];
    const biggest = Math.max(...a.raws.map((r) => r.length));
    const [dropA, dropB] = [await open(a.id, 'a'), await open(b.id, 'b')];
    let most = 0;
    for (let i = 0; i < 60; i++) {
      expect((await dropA.fetch(i))!.equals(a.raws[i])).toBe(true);
      expect((await dropB.fetch(i))!.equals(b.raws[i])).toBe(true);
      most = Math.max(most, backend.readAhead.usedBytes);
    }
    // a batch may pass the bound by the one message a RETR needs, per session
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(LIMIT + 2 * biggest);
    await dropA.release();
    await dropB.release();
    expect(backend.readAhead.usedBytes).toBe(0);
  });

  it('gives back what was read ahead when a session jumps, and a batch still on its way when it ends', async () => {
    const box = await mailbox(40);
    const drop = await open(box.id, 'jumpy');
    expect((await drop.fetch(0))!.equals(box.raws[0])).toBe(true); // reads ahead from 1 on
    expect((await drop.fetch(30))!.equals(box.raws[30])).toBe(true); // not in order: starts over at 30
    expect((await drop.fetch(2))!.equals(box.raws[2])).toBe(true);
    expect(backend.readAhead.usedBytes).toBeGreaterThan(0);
    // a read-ahead is started by this fetch and the session ends before it arrives
    const pending = drop.fetch(3);
    await drop.release();
    await pending;
    await new Promise((r) => setTimeout(r, 200));
    expect(backend.readAhead.usedBytes).toBe(0);
  });
});
