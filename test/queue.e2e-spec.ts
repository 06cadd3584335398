import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newId } from '../libs/core/src/ids';
import { deliverMessage } from '../libs/core/src/mail-store/deliver';
import { startApi, TestApi, unique } from './support/api';
import { createMailboxFixture, fieldsOf, keyWith, MailboxFixture, publishVersion, signAgreement } from './support/fixtures';

interface Recipient {
  id: string;
  recipient: string;
  status: string;
  heldReason: string | null;
  nextAttemptAt: string;
  [k: string]: unknown;
}

describe('the outbound queue API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  /** Queues a message the way submission does (deliverMessage with an outbound part); returns the queue entry's id. */
  async function queueMail(f: MailboxFixture, recipients: string[], opts: { subject?: string; forward?: boolean } = {}): Promise<string> {
    const subject = opts.subject ?? unique('Subject ');
    const raw = Buffer.from(`From: Jan <${f.mailbox.address}>\r\nTo: ${recipients.join(', ')}\r\nSubject: ${subject}\r\nMessage-ID: <${unique('m')}@queue.test>\r\n\r\nHallo\r\n`);
    const result = await deliverMessage(api.db, {
      raw,
      envelopeFrom: f.mailbox.address,
      mailboxIds: [],
      outbound: {
        recipients: recipients.map((address) => ({ address, dsnNotify: ['FAILURE', 'DELAY'], dsnOrcpt: `rfc822;${address}` })),
        source: opts.forward ? 'forward' : 'submission',
        mailboxId: opts.forward ? null : f.mailbox.id,
        customerId: opts.forward ? null : f.customer.id,
        clientAddress: '192.0.2.7',
        dsnRet: 'HDRS',
        dsnEnvid: 'envid-1',
      },
    });
    return result.outboundMessageId!;
  }

  const recipientsOf = async (outboundId: string): Promise<{ id: string; recipient: string }[]> =>
    api.db.query('SELECT id, recipient FROM outbound_recipients WHERE outbound_message_id = $1 ORDER BY id', [outboundId]);
  const setRecipient = (id: string, sql: string, params: unknown[] = []) => api.db.query(`UPDATE outbound_recipients SET ${sql} WHERE id = $1`, [id, ...params]);
  const ids = (body: { items: { id: string }[] }) => body.items.map((x) => x.id);
  const get = async (id: string) => (await api.http().get(`/v1/queue/messages/${id}`).set(api.admin).expect(200)).body;
  const byAddress = (body: { recipients: Recipient[] }, address: string) => body.recipients.find((r) => r.recipient === address)!;

  it('lists waiting messages with their recipients summarised, filters them and pages through them', async () => {
    const f = await createMailboxFixture(api.db);
    const list = (query: Record<string, unknown>) => api.http().get('/v1/queue/messages').query({ customerId: f.customer.id, ...query }).set(api.admin);

    const m1 = await queueMail(f, ['x@gmail.test', 'y@other.test'], { subject: 'Offerte' });
    const m2 = await queueMail(f, ['z@other.test']);
    const m3 = await queueMail(f, ['w@Gmail.Test']);
    const [z] = await recipientsOf(m2);
    await setRecipient(z.id, `status = 'delivered', finished_at = now()`);
    const [x] = await recipientsOf(m1);
    await setRecipient(x.id, `status = 'deferred', attempts = 1, last_attempt_at = now(), next_attempt_at = now() + interval '1 hour'`);

    const waiting = await list({});
    expect(waiting.status, JSON.stringify(waiting.body)).toBe(200);
    expect(ids(waiting.body)).toEqual([m1, m3]);
    expect(waiting.body.nextCursor).toBeNull();
    const first = waiting.body.items[0];
    expect(first).toMatchObject({
      id: m1,
      envelopeFrom: f.mailbox.address,
      source: 'submission',
      mailboxId: f.mailbox.id,
      customerId: f.customer.id,
      clientAddress: '192.0.2.7',
      subject: 'Offerte',
      fromHeader: expect.stringContaining(f.mailbox.address),
      recipientCounts: { total: 2, queued: 1, deferred: 1, held: 0, delivered: 0, failed: 0, cancelled: 0 },
      domains: ['gmail.test', 'other.test'],
    });
    expect(first.size).toBeGreaterThan(50);
    expect(first.messageIdHeader).toMatch(/@queue\.test$/);
    // the next try of a message is its earliest due recipient (y, queued now), not the deferred one
    expect(new Date(first.nextAttemptAt).getTime()).toBeLessThan(Date.now() + 60_000);
    expect(first.lastAttemptAt).not.toBeNull();
    expect(first).not.toHaveProperty('recipients');

    expect(ids((await list({ status: 'any' })).body)).toEqual([m1, m2, m3]);
    expect(ids((await list({ status: 'delivered' })).body)).toEqual([m2]);
    expect(ids((await list({ status: 'deferred' })).body)).toEqual([m1]);
    expect(ids((await list({ domain: 'GMAIL.test.' })).body)).toEqual([m1, m3]);
    // one recipient must match both: y@other.test is queued, not deferred
    expect(ids((await list({ status: 'deferred', domain: 'gmail.test' })).body)).toEqual([m1]);
    expect(ids((await list({ status: 'deferred', domain: 'other.test' })).body)).toEqual([]);
    expect(ids((await list({ status: 'any', domain: 'other.test' })).body)).toEqual([m1, m2]);
    expect(ids((await list({ mailboxId: f.mailbox.id, status: 'any' })).body)).toEqual([m1, m2, m3]);
    expect(ids((await list({ mailboxId: newId(), status: 'any' })).body)).toEqual([]);
    const m2Created = (await get(m2)).createdAt;
    expect(ids((await list({ status: 'any', createdAfter: m2Created })).body)).toEqual([m2, m3]);
    expect(ids((await list({ status: 'any', createdBefore: m2Created })).body)).toEqual([m1]);
    expect(ids((await list({ status: 'any', order: 'desc' })).body)).toEqual([m3, m2, m1]);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await list({ status: 'any', limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toEqual([m1, m2, m3]);

    const bad = await api
      .http()
      .get('/v1/queue/messages')
      .query({ status: 'stuck', domain: 'not a domain', createdAfter: 'yesterday', limit: 0, customerId: 'x', cursor: 'nope', colour: 'red' })
      .set(api.admin);
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(expect.arrayContaining(['status', 'domain', 'createdAfter', 'limit', 'customerId', 'cursor', 'colour']));
  });

  it('shows one message with every recipient, its DSN settings and its attempt history', async () => {
    const f = await createMailboxFixture(api.db);
    const id = await queueMail(f, ['a@slow.test', 'b@fine.test']);
    const [a, b] = await recipientsOf(id);
    const attempt = (recipientId: string, outcome: string, reply: string, status: string, secondsAgo: number) =>
      api.db.query(
        `INSERT INTO outbound_attempts (id, created_at, recipient_id, outcome, reply, status, remote_mta, duration_ms)
         VALUES ($1, now() - make_interval(secs => $6), $2, $3, $4, $5, 'mx.slow.test', 1200)`,
        [newId(), recipientId, outcome, reply, status, secondsAgo],
      );
    await attempt(a.id, 'deferred', '421 4.4.2 connection dropped', '4.4.2', 600);
    await attempt(a.id, 'deferred', '451 4.7.1 greylisted', '4.7.1', 60);
    await setRecipient(
      a.id,
      `status = 'deferred', attempts = 2, last_attempt_at = now() - interval '1 minute', next_attempt_at = now() + interval '5 minutes',
       last_reply = '451 4.7.1 greylisted', last_status = '4.7.1', remote_mta = 'mx.slow.test'`,
    );

    const body = await get(id);
    expect(body).toMatchObject({ id, dsnRet: 'HDRS', dsnEnvid: 'envid-1', recipientCounts: { total: 2, queued: 1, deferred: 1 } });
    expect(body.recipients.map((r: Recipient) => r.id)).toEqual([a.id, b.id]);
    expect(byAddress(body, 'a@slow.test')).toMatchObject({
      domain: 'slow.test',
      status: 'deferred',
      heldReason: null,
      attempts: 2,
      lastReply: '451 4.7.1 greylisted',
      lastStatus: '4.7.1',
      remoteMta: 'mx.slow.test',
      finishedAt: null,
      bouncedAt: null,
      delayNotifiedAt: null,
      dsnNotify: ['FAILURE', 'DELAY'],
      dsnOrcpt: 'rfc822;a@slow.test',
    });
    const history = byAddress(body, 'a@slow.test').attemptHistory as { outcome: string; reply: string; status: string; remoteMta: string; durationMs: number }[];
    expect(history.map((h) => [h.outcome, h.reply, h.status, h.remoteMta, h.durationMs])).toEqual([
      ['deferred', '421 4.4.2 connection dropped', '4.4.2', 'mx.slow.test', 1200],
      ['deferred', '451 4.7.1 greylisted', '4.7.1', 'mx.slow.test', 1200],
    ]);
    expect(byAddress(body, 'b@fine.test')).toMatchObject({ status: 'queued', attempts: 0, attemptHistory: [] });
    expect(new Date(body.nextAttemptAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000); // b is due now

    for (const path of [`/v1/queue/messages/${newId()}`, '/v1/queue/messages/not-an-id']) {
      const res = await api.http().get(path).set(api.admin);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('queue_message_not_found');
    }
  });

  it('retries, holds, releases and cancels, refusing what does not apply, each an event with actor and reason', async () => {
    const f = await createMailboxFixture(api.db);
    const id = await queueMail(f, ['r1@remote.test', 'r2@remote.test']);
    const [r1, r2] = await recipientsOf(id);
    await setRecipient(r2.id, `status = 'deferred', attempts = 1, next_attempt_at = now() + interval '1 hour'`);
    const act = (action: string, body?: object, auth = api.admin) => {
      const req = api.http().post(`/v1/queue/messages/${id}/${action}`).set(auth);
      return body === undefined ? req : req.send(body);
    };

    // retry: everything waiting for the worker is due now, and the worker is woken
    const listener = new Client({ connectionString: inject('databaseUrl') });
    await listener.connect();
    const woken = new Promise<void>((resolve) => listener.on('notification', (n) => n.channel === 'postbode_outbound' && resolve()));
    await listener.query('LISTEN postbode_outbound');
    try {
      const retried = await act('retry');
      expect(retried.status, JSON.stringify(retried.body)).toBe(200);
      expect(byAddress(retried.body, 'r2@remote.test')).toMatchObject({ status: 'deferred', attempts: 1 });
      expect(new Date(byAddress(retried.body, 'r2@remote.test').nextAttemptAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      await woken;
    } finally {
      await listener.end();
    }

    const held = await act('hold', { recipientIds: [r1.id.toUpperCase()], reason: 'Looks like spam, checking' });
    expect(held.status, JSON.stringify(held.body)).toBe(200);
    expect(byAddress(held.body, 'r1@remote.test')).toMatchObject({ status: 'held', heldReason: 'staff' });
    expect(byAddress(held.body, 'r2@remote.test')).toMatchObject({ status: 'deferred', heldReason: null });
    expect(held.body.recipientCounts).toMatchObject({ held: 1, deferred: 1 });

    const again = await act('hold', { recipientIds: [r1.id] });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'recipient_already_held', details: { field: 'recipientIds', recipients: [{ id: r1.id, status: 'held' }] } });
    const retryHeld = await act('retry', { recipientIds: [r1.id] });
    expect(retryHeld.status).toBe(409);
    expect(retryHeld.body.error.code).toBe('recipient_held');
    const releaseQueued = await act('release', { recipientIds: [r2.id] });
    expect(releaseQueued.status).toBe(409);
    expect(releaseQueued.body.error).toMatchObject({ code: 'recipient_not_held', details: { field: 'recipientIds' } });

    // without recipientIds an action takes every recipient it applies to: r2 only
    const retried = await act('retry', {});
    expect(retried.status).toBe(200);
    expect(byAddress(retried.body, 'r1@remote.test').status).toBe('held');

    const released = await act('release', { reason: 'Checked: fine' });
    expect(released.status).toBe(200);
    expect(byAddress(released.body, 'r1@remote.test')).toMatchObject({ status: 'queued', heldReason: null });
    expect(new Date(byAddress(released.body, 'r1@remote.test').nextAttemptAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const releaseNone = await act('release');
    expect(releaseNone.status).toBe(409);
    expect(releaseNone.body.error.code).toBe('recipient_not_held');
    expect(releaseNone.body.error.details).not.toHaveProperty('field');

    const cancelled = await act('cancel', { reason: 'Customer asked us to stop it' });
    expect(cancelled.status).toBe(200);
    for (const r of cancelled.body.recipients as Recipient[]) {
      expect(r).toMatchObject({ status: 'cancelled', lastStatus: '5.0.0', lastReply: 'Delivery cancelled by the postmaster', bouncedAt: null, heldReason: null });
      expect(r.finishedAt).not.toBeNull();
    }
    expect(cancelled.body.recipientCounts).toMatchObject({ cancelled: 2, total: 2 });
    expect(cancelled.body.nextAttemptAt).toBeNull();

    const finished = await act('cancel');
    expect(finished.status).toBe(409);
    expect(finished.body.error.code).toBe('queue_message_finished');
    const finishedOne = await act('retry', { recipientIds: [r1.id] });
    expect(finishedOne.status).toBe(409);
    expect(finishedOne.body.error).toMatchObject({ code: 'recipient_finished', details: { field: 'recipientIds' } });
    expect(finishedOne.body.error.message).toContain('r1@remote.test');

    const events = (await api.http().get('/v1/events').query({ targetId: id }).set(api.admin).expect(200)).body.items;
    expect(events.map((e: { action: string }) => e.action)).toEqual(['queue.retried', 'queue.held', 'queue.retried', 'queue.released', 'queue.cancelled']);
    for (const e of events) expect(e).toMatchObject({ actorType: 'api_key', targetType: 'queue_message', customerId: f.customer.id });
    const holdEvent = events[1];
    expect(holdEvent.before.recipients).toEqual([expect.objectContaining({ id: r1.id, status: 'queued' })]);
    expect(holdEvent.after).toMatchObject({ reason: 'Looks like spam, checking', recipients: [{ id: r1.id, status: 'held', heldReason: 'staff' }] });
    expect(events[3].before.recipients.map((r: Recipient) => r.id)).toEqual([r1.id]);
    expect(events[4].after.reason).toBe('Customer asked us to stop it');
    expect(events[4].after.recipients.map((r: Recipient) => r.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('names the bad field and refuses recipients of other messages', async () => {
    const f = await createMailboxFixture(api.db);
    const id = await queueMail(f, ['a@remote.test']);
    const other = await queueMail(f, ['b@remote.test']);
    const [b] = await recipientsOf(other);

    const notMine = await api.http().post(`/v1/queue/messages/${id}/hold`).set(api.admin).send({ recipientIds: [b.id] });
    expect(notMine.status).toBe(422);
    expect(notMine.body.error).toMatchObject({ code: 'recipient_not_in_message', details: { field: 'recipientIds', recipientIds: [b.id] } });

    const bad = await api.http().post(`/v1/queue/messages/${id}/hold`).set(api.admin).send({ recipientIds: ['x'], reason: 42, force: true });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(expect.arrayContaining(['recipientIds', 'reason', 'force']));
    expect(fieldsOf((await api.http().post(`/v1/queue/messages/${id}/hold`).set(api.admin).send({ recipientIds: [] })).body)).toEqual(['recipientIds']);
    expect(fieldsOf((await api.http().post(`/v1/queue/messages/${id}/cancel`).set(api.admin).send({ reason: '' })).body)).toEqual(['reason']);

    const unknown = await api.http().post(`/v1/queue/messages/${newId()}/retry`).set(api.admin).send({});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('queue_message_not_found');
    expect((await api.http().post('/v1/queue/messages/123/retry').set(api.admin).send({})).status).toBe(404);
    // nothing was changed by any of it
    expect((await get(id)).recipients[0]).toMatchObject({ status: 'queued' });
  });

  it('answers 409 recipient_in_flight at once while the worker holds a recipient, instead of waiting', async () => {
    const f = await createMailboxFixture(api.db);
    const id = await queueMail(f, ['busy@remote.test', 'idle@remote.test']);
    const [busy, idle] = await recipientsOf(id);
    const worker = new Client({ connectionString: inject('databaseUrl') });
    await worker.connect();
    try {
      await worker.query('BEGIN');
      await worker.query('SELECT id FROM outbound_recipients WHERE id = $1 FOR UPDATE SKIP LOCKED', [busy.id]);
      const started = Date.now();
      const res = await api.http().post(`/v1/queue/messages/${id}/cancel`).set(api.admin).send({});
      expect(res.status).toBe(409);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.body.error).toMatchObject({ code: 'recipient_in_flight', details: { recipients: [{ id: busy.id, recipient: 'busy@remote.test' }] } });
      // the request changed nothing, not even the recipient that was free
      expect(byAddress(await get(id), 'idle@remote.test').status).toBe('queued');
      // a recipient the worker does not hold can be acted on alone
      const idleOnly = await api.http().post(`/v1/queue/messages/${id}/hold`).set(api.admin).send({ recipientIds: [idle.id] });
      expect(idleOnly.status).toBe(200);
      // the worker finishes its delivery
      await worker.query(`UPDATE outbound_recipients SET status = 'delivered', finished_at = now(), attempts = 1 WHERE id = $1`, [busy.id]);
      await worker.query('COMMIT');
    } finally {
      await worker.end();
    }
    const late = await api.http().post(`/v1/queue/messages/${id}/cancel`).set(api.admin).send({ recipientIds: [busy.id] });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('recipient_finished');
    const rest = await api.http().post(`/v1/queue/messages/${id}/cancel`).set(api.admin).send({});
    expect(rest.status).toBe(200);
    expect(rest.body.recipientCounts).toMatchObject({ delivered: 1, cancelled: 1 });
  });

  it('releases mail held for a suspended relay only once the customer may send again', async () => {
    const version = await publishVersion(api);
    const f = await createMailboxFixture(api.db);
    const id = await queueMail(f, ['a@remote.test']);
    const [a] = await recipientsOf(id);
    await setRecipient(a.id, `status = 'held', held_reason = 'relay_suspended'`);
    const release = () => api.http().post(`/v1/queue/messages/${id}/release`).set(api.admin).send({});

    const unsigned = await release();
    expect(unsigned.status).toBe(409);
    expect(unsigned.body.error).toMatchObject({ code: 'relay_still_suspended', details: { reason: 'no_agreement', customerId: f.customer.id, agreementId: null } });

    const { agreement } = await signAgreement(api, f.customer.id, version);
    await api.http().post(`/v1/agreements/${agreement.id}/suspend`).set(api.admin).send({ reason: 'Spam complaints' }).expect(200);
    const suspended = await release();
    expect(suspended.status).toBe(409);
    expect(suspended.body.error).toMatchObject({ code: 'relay_still_suspended', details: { reason: 'agreement_suspended', agreementId: agreement.id } });
    expect(suspended.body.error.message).toContain(`/v1/agreements/${agreement.id}/reinstate`);
    // still held, and staff can cancel it instead of releasing it
    expect((await get(id)).recipients[0]).toMatchObject({ status: 'held', heldReason: 'relay_suspended' });

    // reinstating releases it by itself (libs/core/src/delivery/hold.ts)
    await api.http().post(`/v1/agreements/${agreement.id}/reinstate`).set(api.admin).send({ reason: 'Cleaned up' }).expect(200);
    expect((await get(id)).recipients[0]).toMatchObject({ status: 'queued', heldReason: null });
    // suspending the customer holds it again, and a release is refused until the customer is reactivated
    await api.http().post(`/v1/customers/${f.customer.id}/suspend`).set(api.admin).send({ reason: 'Unpaid' }).expect(200);
    expect((await get(id)).recipients[0]).toMatchObject({ status: 'held', heldReason: 'relay_suspended' });
    const customerSuspended = await release();
    expect(customerSuspended.body.error).toMatchObject({ code: 'relay_still_suspended', details: { reason: 'customer_suspended' } });
    await api.http().post(`/v1/customers/${f.customer.id}/reactivate`).set(api.admin).send({}).expect(200);
    expect((await get(id)).recipients[0]).toMatchObject({ status: 'queued', heldReason: null });

    // a staff hold is never lifted by those automatic releases, only by a release
    await api.http().post(`/v1/queue/messages/${id}/hold`).set(api.admin).send({ reason: 'look first' }).expect(200);
    await api.http().post(`/v1/customers/${f.customer.id}/suspend`).set(api.admin).send({ reason: 'Unpaid' }).expect(200);
    await api.http().post(`/v1/customers/${f.customer.id}/reactivate`).set(api.admin).send({}).expect(200);
    expect((await get(id)).recipients[0]).toMatchObject({ status: 'held', heldReason: 'staff' });
    const released = await release();
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect(released.body.recipients[0]).toMatchObject({ status: 'queued', heldReason: null });
  });

  it('shows and changes a customer-bound key only its own customer’s mail', async () => {
    const mine = await createMailboxFixture(api.db);
    const theirs = await createMailboxFixture(api.db);
    const myMail = await queueMail(mine, ['a@remote.test']);
    const theirMail = await queueMail(theirs, ['b@remote.test']);
    const forward = await queueMail(mine, ['c@remote.test'], { forward: true });
    const key = await keyWith(api, ['queue:write'], mine.customer.id);

    const all = ids((await api.http().get('/v1/queue/messages').query({ status: 'any', limit: 200 }).set(key).expect(200)).body);
    expect(all).toEqual([myMail]);
    expect(ids((await api.http().get('/v1/queue/messages').query({ customerId: theirs.customer.id }).set(key).expect(200)).body)).toEqual([]);
    for (const other of [theirMail, forward]) {
      expect((await api.http().get(`/v1/queue/messages/${other}`).set(key)).status).toBe(404);
      const hold = await api.http().post(`/v1/queue/messages/${other}/hold`).set(key).send({});
      expect(hold.status).toBe(404);
      expect(hold.body.error.code).toBe('queue_message_not_found');
    }
    expect((await get(theirMail)).recipients[0].status).toBe('queued');
    expect((await api.http().get('/v1/queue/stats').query({ customerId: theirs.customer.id }).set(key)).status).toBe(404);

    // the ISP's hold is the ISP's to lift; the customer's own hold is the customer's
    await api.http().post(`/v1/queue/messages/${myMail}/hold`).set(api.admin).send({ reason: 'Looks like spam' }).expect(200);
    const refused = await api.http().post(`/v1/queue/messages/${myMail}/release`).set(key).send({});
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'held_by_staff', details: { recipients: [expect.objectContaining({ recipient: 'a@remote.test', heldReason: 'staff' })] } });
    expect((await get(myMail)).recipients[0]).toMatchObject({ status: 'held', heldReason: 'staff' });
    await api.http().post(`/v1/queue/messages/${myMail}/release`).set(api.admin).send({}).expect(200);
    const ownHold = await api.http().post(`/v1/queue/messages/${myMail}/hold`).set(key).send({}).expect(200);
    expect(ownHold.body.recipients[0]).toMatchObject({ status: 'held', heldReason: 'customer' });
    await api.http().post(`/v1/queue/messages/${myMail}/release`).set(key).send({}).expect(200);
    expect((await get(myMail)).recipients[0]).toMatchObject({ status: 'queued', heldReason: null });

    const cancelled = await api.http().post(`/v1/queue/messages/${myMail}/cancel`).set(key).send({ reason: 'Sent by mistake' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.recipients[0]).toMatchObject({ status: 'cancelled', lastReply: "Delivery cancelled by the sender's administrator" });

    const readOnly = await keyWith(api, ['queue:read'], mine.customer.id);
    await api.http().get(`/v1/queue/messages/${myMail}`).set(readOnly).expect(200);
    expect((await api.http().post(`/v1/queue/messages/${myMail}/retry`).set(readOnly).send({})).status).toBe(403);
    const noScope = await keyWith(api, ['mailboxes:read']);
    expect((await api.http().get('/v1/queue/messages').set(noScope)).status).toBe(403);
    expect((await api.http().get('/v1/queue/stats')).status).toBe(401);
  });

  it('replays an action sent again with the same Idempotency-Key, recording it once', async () => {
    const f = await createMailboxFixture(api.db);
    const id = await queueMail(f, ['a@remote.test']);
    const idem = unique('idem-');
    const first = await api.http().post(`/v1/queue/messages/${id}/hold`).set(api.admin).set('Idempotency-Key', idem).send({ reason: 'check' });
    expect(first.status).toBe(200);
    const again = await api.http().post(`/v1/queue/messages/${id}/hold`).set(api.admin).set('Idempotency-Key', idem).send({ reason: 'check' });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const events = (await api.http().get('/v1/events').query({ targetId: id }).set(api.admin).expect(200)).body.items;
    expect(events.map((e: { action: string }) => e.action)).toEqual(['queue.held']);
  });

  it('counts a customer’s recipients: waiting now, and sent, bounced and cancelled in the last day', async () => {
    const f = await createMailboxFixture(api.db);
    const stats = async (auth = api.admin) => (await api.http().get('/v1/queue/stats').query({ customerId: f.customer.id }).set(auth).expect(200)).body;
    const empty = await stats();
    expect(empty).toMatchObject({ customerId: f.customer.id, queued: 0, deferred: 0, held: 0, sent: 0, bounced: 0, cancelled: 0, oldestWaitingSince: null, customers: null });

    const m1 = await queueMail(f, ['q@r.test', 'd@r.test', 'h@r.test', 's1@r.test']);
    const m2 = await queueMail(f, ['s2@r.test', 'old@r.test', 'f@r.test', 'c@r.test']);
    const rs = [...(await recipientsOf(m1)), ...(await recipientsOf(m2))];
    const r = (address: string) => rs.find((x) => x.recipient === address)!.id;
    await setRecipient(r('d@r.test'), `status = 'deferred'`);
    await setRecipient(r('h@r.test'), `status = 'held', held_reason = 'staff'`);
    await setRecipient(r('s1@r.test'), `status = 'delivered', finished_at = now() - interval '23 hours'`);
    await setRecipient(r('s2@r.test'), `status = 'delivered', finished_at = now()`);
    await setRecipient(r('old@r.test'), `status = 'delivered', finished_at = now() - interval '25 hours'`);
    await setRecipient(r('f@r.test'), `status = 'failed', finished_at = now()`);
    await setRecipient(r('c@r.test'), `status = 'cancelled', finished_at = now()`);

    const counted = await stats();
    expect(counted).toMatchObject({ customerId: f.customer.id, queued: 1, deferred: 1, held: 1, sent: 2, bounced: 1, cancelled: 1, customers: null });
    expect(counted.oldestWaitingSince).toBe((await get(m1)).createdAt);
    expect(Date.now() - new Date(counted.since).getTime()).toBeGreaterThan(24 * 3600_000 - 60_000);

    // a bound key gets its own customer without asking; the dashboard shows the same counts
    const key = await keyWith(api, ['queue:read'], f.customer.id);
    const own = (await api.http().get('/v1/queue/stats').set(key).expect(200)).body;
    expect(own).toMatchObject({ customerId: f.customer.id, queued: 1, sent: 2, customers: null });
    const dashboard = (await api.http().get('/v1/stats').set(key).expect(200)).body;
    expect(dashboard.queue).toEqual({ queued: 1, deferred: 1, held: 1, sent: 2, bounced: 1, cancelled: 1, oldestWaitingSince: counted.oldestWaitingSince });
    const customersOnly = await keyWith(api, ['customers:read'], f.customer.id);
    expect((await api.http().get('/v1/stats').set(customersOnly).expect(200)).body.queue).toBeNull();

    // staff without a customer: everyone's totals and the customers with the most mail waiting
    const all = (await api.http().get('/v1/queue/stats').set(api.admin).expect(200)).body;
    expect(all.customerId).toBeNull();
    expect(all.queued).toBeGreaterThanOrEqual(1);
    expect(all.sent).toBeGreaterThanOrEqual(2);
    expect(Array.isArray(all.customers)).toBe(true);
    expect(all.customers.length).toBeLessThanOrEqual(20);
    const waiting = all.customers.map((c: { queued: number; deferred: number; held: number }) => c.queued + c.deferred + c.held);
    expect(waiting).toEqual([...waiting].sort((x: number, y: number) => y - x));
    const admin = (await api.http().get('/v1/stats').set(api.admin).expect(200)).body;
    expect(admin.queue.queued).toBeGreaterThanOrEqual(1);

    const unknown = await api.http().get('/v1/queue/stats').query({ customerId: newId() }).set(api.admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('customer_not_found');
    expect(fieldsOf((await api.http().get('/v1/queue/stats').query({ customerId: 'x' }).set(api.admin)).body)).toEqual(['customerId']);
  });
});
