import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../libs/core/src/database/data-source';
import { deliverMessages } from '../libs/core/src/mail-store/deliver';
import { unique } from './support/api';
import { isolatedDatabase } from './support/isolated-database';
import { MailProcess, spawnMailServer } from './support/mail-process';
import { rfc5322 } from './support/smtp';
import { Sink, startSink } from './support/sink';

/**
 * Delivery workers as production runs them: built mail-server processes on
 * one database (of this file's own), sending to a loopback sink.
 */

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('delivery workers in separate processes', () => {
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let ds: ReturnType<typeof createDataSource>;
  let sink: Sink;
  const processes: MailProcess[] = [];

  beforeAll(async () => {
    db = await isolatedDatabase('deliveryproc_');
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    sink = await startSink();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop().catch(() => undefined)));
    await ds?.destroy();
    await sink?.close();
    await db?.drop();
  });

  const workerEnv = () => ({
    DATABASE_URL: db.url,
    LOG_LEVEL: 'info',
    DELIVERY_WORKER: 'on',
    DELIVERY_CONCURRENCY: '5',
    DELIVERY_POLL_MS: '100',
    DELIVERY_RETRY_SCHEDULE: '1',
    TRANSPORT_MAP: `*=127.0.0.1:${sink.port}`,
  });

  /** Queues `n` forwards (null sender, no customer) straight into the store; returns their Message-IDs. */
  async function queue(n: number, tag: string): Promise<string[]> {
    const ids = Array.from({ length: n }, (_, i) => `${tag}-${i}@outside.test`);
    for (let i = 0; i < n; i += 50) {
      await deliverMessages(
        ds,
        ids.slice(i, i + 50).map((messageId, j) => {
          const to = `rcpt${i + j}@${j % 2 ? 'one' : 'two'}.remote.test`;
          return {
            raw: Buffer.from(rfc5322({ from: 'someone@outside.test', to, messageId })),
            envelopeFrom: '',
            mailboxIds: [],
            outbound: { recipients: [{ address: to }], source: 'forward' as const, mailboxId: null, customerId: null, clientAddress: '127.0.0.1' },
          };
        }),
      );
    }
    return ids;
  }

  const copiesAtSink = (messageId: string) => sink.messages.filter((m) => m.raw.includes(Buffer.from(`<${messageId}>`))).length;

  it('two worker processes share the queue and never deliver a message twice', async () => {
    const tag = unique('pair');
    // both workers are up before the mail arrives, so both can race for it
    processes.push(...(await Promise.all([spawnMailServer(workerEnv()), spawnMailServer(workerEnv())])));
    const ids = await queue(300, tag);
    await sink.waitFor(() => ids.every((id) => copiesAtSink(id) >= 1), 60_000);
    await pause(500); // a duplicate would arrive about now
    const counts = ids.map(copiesAtSink);
    expect(counts.filter((c) => c !== 1)).toEqual([]);
    const [row] = await ds.query(
      `SELECT count(*) FILTER (WHERE r.status = 'delivered')::int AS delivered, count(*)::int AS total
         FROM outbound_recipients r JOIN outbound_messages o ON o.id = r.outbound_message_id JOIN messages m ON m.id = o.message_id
        WHERE m.message_id_header LIKE $1`,
      [`${tag}-%`],
    );
    expect(row).toEqual({ delivered: 300, total: 300 });
    // both processes took part: each logged delivery attempts of its own
    const attemptsLogged = processes.map((p) => (p.output().match(/"event":"outbound_attempt"/g) ?? []).length);
    expect(attemptsLogged.every((n) => n > 0), `attempts per process: ${attemptsLogged.join(', ')}`).toBe(true);
    expect(attemptsLogged.reduce((a, b) => a + b, 0)).toBe(300);
    await Promise.all(processes.splice(0).map((p) => p.stop()));
  });

  it('kill -9 of the worker in the middle of a delivery loses nothing: the message goes out after the restart', async () => {
    const tag = unique('kill');
    const [id] = await queue(1, tag);
    let arrived = false;
    let release: (() => void) | null = null;
    sink.onData = (message) => {
      if (!message.raw.includes(Buffer.from(`<${id}>`)) || release === null) return null;
      arrived = true;
      // hold the reply: the worker is killed while it waits for our 250
      return new Promise((resolve) => (release = () => resolve({ code: 451, text: '4.3.0 sink went away' })));
    };
    release = () => undefined;
    const first = await spawnMailServer(workerEnv());
    processes.push(first);
    const end = Date.now() + 30_000;
    while (!arrived && Date.now() < end) await pause(20);
    expect(arrived).toBe(true);
    await first.kill9();
    processes.splice(processes.indexOf(first), 1);
    const [inFlight] = await ds.query(
      `SELECT r.status, r.attempts FROM outbound_recipients r JOIN outbound_messages o ON o.id = r.outbound_message_id JOIN messages m ON m.id = o.message_id WHERE m.message_id_header = $1`,
      [id],
    );
    // the killed transaction never committed: still queued, no attempt counted
    expect(inFlight).toEqual({ status: 'queued', attempts: 0 });

    sink.onData = () => null;
    const second = await spawnMailServer({ ...first.env });
    processes.push(second);
    await sink.waitFor(() => copiesAtSink(id) === 1, 30_000);
    const deadline = Date.now() + 15_000;
    let status = '';
    while (Date.now() < deadline) {
      const [r] = await ds.query(
        `SELECT r.status FROM outbound_recipients r JOIN outbound_messages o ON o.id = r.outbound_message_id JOIN messages m ON m.id = o.message_id WHERE m.message_id_header = $1`,
        [id],
      );
      status = r.status;
      if (status === 'delivered') break;
      await pause(50);
    }
    expect(status).toBe('delivered');
  });
});
