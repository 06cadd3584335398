import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDataSource } from '../libs/core/src/database/data-source';
import { newId } from '../libs/core/src/ids';
import { deliverMessage, deliverMessages, DeliveryRequest } from '../libs/core/src/mail-store/deliver';
import { DeliveryBatcher } from '../libs/core/src/mail-store/delivery-batcher';
import { makeDomain, makeMailbox, storedMessages } from './support/mail-fixtures';

const message = (subject: string, mailboxIds: string[]): DeliveryRequest => ({
  raw: Buffer.from(`Subject: ${subject}\r\nMessage-ID: <${subject}@store.test>\r\n\r\nbody\r\n`),
  envelopeFrom: 'a@elsewhere.example',
  mailboxIds,
});

describe('the mail store', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = createDataSource(inject('databaseUrl'), { poolSize: 4 });
    await db.initialize();
  });
  afterAll(async () => db?.destroy());

  it('stores a batch in one transaction: all of it or none of it', async () => {
    const d = await makeDomain(db);
    const box = await makeMailbox(db, d, 'batch');
    const ok = await deliverMessages(db, [message(`b1-${box.id}`, [box.id]), message(`b2-${box.id}`, [box.id])]);
    expect(ok.map((r) => r.deliveries[0].uid)).toEqual([1, 2]);
    await expect(deliverMessages(db, [message(`b3-${box.id}`, [box.id]), message(`b4-${box.id}`, [newId()])])).rejects.toThrow();
    expect((await storedMessages(db, box.id)).map((m) => m.subject)).toEqual([`b1-${box.id}`, `b2-${box.id}`]);
    // the UIDs of the rolled-back batch are given back; committed ones never are
    const next = await deliverMessage(db, message(`b5-${box.id}`, [box.id]));
    expect(next.deliveries[0].uid).toBe(3);
  });

  it('stores a batch larger than one INSERT can carry (65,535 parameters) in one transaction', async () => {
    const d = await makeDomain(db);
    const box = await makeMailbox(db, d, 'large-batch');
    const n = 3700; // 18 parameters a message: 66,600, one statement would be refused
    const results = await deliverMessages(db, Array.from({ length: n }, (_, i) => message(`lb${i}-${box.id}`, [box.id])));
    expect(results.map((r) => r.deliveries[0].uid)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const [{ count }] = await db.query('SELECT count(*)::int AS count FROM mailbox_messages WHERE mailbox_id = $1', [box.id]);
    expect(count).toBe(n);
  });

  it('never reuses a UID, even after the message with the highest one is removed', async () => {
    const d = await makeDomain(db);
    const box = await makeMailbox(db, d, 'reuse');
    await deliverMessage(db, message(`r1-${box.id}`, [box.id]));
    const second = await deliverMessage(db, message(`r2-${box.id}`, [box.id]));
    await db.query('DELETE FROM mailbox_messages WHERE mailbox_id = $1 AND uid = $2', [box.id, second.deliveries[0].uid]);
    const third = await deliverMessage(db, message(`r3-${box.id}`, [box.id]));
    expect(third.deliveries[0].uid).toBe(3);
  });

  it('the group-commit batcher keeps arrival order per mailbox and isolates a failing message', async () => {
    const d = await makeDomain(db);
    const a = await makeMailbox(db, d, 'first');
    const b = await makeMailbox(db, d, 'second');
    const batcher = new DeliveryBatcher(db, { maxMessages: 50, maxBytes: 1 << 20, concurrency: 1 });
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => batcher.deliver(message(`g${i}-${a.id}`, i % 2 ? [a.id, b.id] : [a.id]))),
      batcher.deliver(message(`broken-${a.id}`, [newId()])), // no such mailbox
      ...Array.from({ length: 5 }, (_, i) => batcher.deliver(message(`h${i}-${a.id}`, [b.id]))),
    ]);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
    expect(outcomes[20].status).toBe('rejected');
    const inA = await storedMessages(db, a.id);
    expect(inA.map((m) => m.subject)).toEqual(Array.from({ length: 20 }, (_, i) => `g${i}-${a.id}`));
    expect(inA.map((m) => m.uid)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const inB = await storedMessages(db, b.id);
    expect(inB.map((m) => m.uid)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    const [{ message_count, used_bytes, sum }] = await db.query(
      'SELECT message_count, used_bytes, (SELECT sum(size) FROM mailbox_messages WHERE mailbox_id = $1) AS sum FROM mailboxes WHERE id = $1',
      [b.id],
    );
    expect(message_count).toBe(15);
    expect(used_bytes).toBe(sum);
  });
});
