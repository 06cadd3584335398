import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookWorkerService } from '../apps/api/src/webhooks/webhook-worker.service';
import { verifyWebhookSignature } from '../libs/core/src/webhooks/webhook-signature';
import { WebhookWorker } from '../libs/core/src/webhooks/webhook-worker';
import { bearer, startApi, TestApi, unique } from './support/api';
import { createMailboxFixture, publishVersion, signAgreement } from './support/fixtures';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; customerId: string | null; data: { before: Record<string, unknown> | null; after: Record<string, unknown> | null } };
}

/** An HTTP receiver on 127.0.0.1 (random port) that fails the first `failFirst` requests. */
async function startReceiver(opts: { failFirst?: number; delayMs?: number } = {}) {
  const received: Received[] = [];
  let seen = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen += 1;
      const body = Buffer.concat(chunks).toString('utf8');
      const fail = seen <= (opts.failFirst ?? 0);
      setTimeout(() => {
        received.push({ headers: req.headers, body, json: JSON.parse(body) });
        res.statusCode = fail ? 503 : 204;
        res.end();
      }, opts.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const WORKER_ENV = { WEBHOOK_WORKER: 'on', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_POLL_MS: '200' };

describe('webhooks', () => {
  let api: TestApi;
  let version: Awaited<ReturnType<typeof publishVersion>>;

  beforeAll(async () => {
    api = await startApi(WORKER_ENV);
    version = await publishVersion(api);
  });
  afterAll(async () => api?.close());

  async function register(body: object, auth = api.admin) {
    const res = await api.http().post('/v1/webhooks').set(auth).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; secret: string; customerId: string | null };
  }

  it('delivers agreement events signed with the secret, and lists the deliveries', async () => {
    const receiver = await startReceiver();
    const { customer } = await createMailboxFixture(api.db);
    const hook = await register({ url: receiver.url, eventTypes: ['agreement.*'], customerId: customer.id, description: 'billing' });
    try {
      expect(hook.secret).toMatch(/^whsec_/);
      const shown = await api.http().get(`/v1/webhooks/${hook.id}`).set(api.admin);
      expect(shown.body).toMatchObject({ id: hook.id, url: receiver.url, eventTypes: ['agreement.*'], active: true, customerId: customer.id });
      expect(JSON.stringify(shown.body)).not.toContain(hook.secret);

      const { agreement } = await signAgreement(api, customer.id, version);
      for (const [path, body] of [['suspend', { reason: 'spam' }], ['reinstate', {}], ['revoke', { reason: 'abuse' }]] as const) {
        await api.http().post(`/v1/agreements/${agreement.id}/${path}`).set(api.admin).send(body).expect(200);
      }
      await waitFor('four agreement events', () => receiver.received.length >= 4);
      await new Promise((r) => setTimeout(r, 300)); // nothing else should follow
      expect(receiver.received.map((r) => r.json.type)).toEqual(['agreement.signed', 'agreement.suspended', 'agreement.reinstated', 'agreement.revoked']);
      for (const r of receiver.received) {
        expect(verifyWebhookSignature(hook.secret, r.headers['postbode-signature'] as string, r.body)).toBe(true);
        expect(verifyWebhookSignature('whsec_wrong', r.headers['postbode-signature'] as string, r.body)).toBe(false);
        expect(verifyWebhookSignature(hook.secret, r.headers['postbode-signature'] as string, r.body.replace('"agreement', '"Agreement'))).toBe(false);
        expect(r.headers['content-type']).toBe('application/json');
        expect(r.headers['postbode-event']).toBe(r.json.type);
        expect(r.json.customerId).toBe(customer.id);
      }
      expect(receiver.received[1].json.data.after).toMatchObject({ id: agreement.id, status: 'suspended', reason: 'spam' });

      const deliveries = await api.http().get(`/v1/webhooks/${hook.id}/deliveries`).set(api.admin);
      expect(deliveries.status).toBe(200);
      expect(deliveries.body.items).toHaveLength(4);
      for (const d of deliveries.body.items) expect(d).toMatchObject({ webhookId: hook.id, status: 'delivered', attempts: 1, lastStatusCode: 204, lastError: null, nextAttemptAt: null });
      expect(deliveries.body.items.map((d: { eventType: string }) => d.eventType)).toContain('agreement.revoked');
      expect(deliveries.body.items.map((d: { id: string }) => d.id)).toEqual(receiver.received.map((r) => r.headers['postbode-delivery']));
    } finally {
      await api.http().delete(`/v1/webhooks/${hook.id}`).set(api.admin);
      await receiver.close();
    }
  });

  it('retries after receiver errors with growing delays until delivered', async () => {
    const receiver = await startReceiver({ failFirst: 2 });
    const { customer } = await createMailboxFixture(api.db);
    const hook = await register({ url: receiver.url, eventTypes: ['customer.updated'], customerId: customer.id });
    try {
      await api.http().patch(`/v1/customers/${customer.id}`).set(api.admin).send({ name: 'Renamed' }).expect(200);
      const delivered = await waitFor('a delivery after two failures', async () => {
        const res = await api.http().get(`/v1/webhooks/${hook.id}/deliveries`).query({ status: 'delivered' }).set(api.admin);
        return res.body.items[0];
      });
      expect(delivered).toMatchObject({ attempts: 3, lastStatusCode: 204, lastError: null });
      expect(receiver.received).toHaveLength(3);
      expect(new Set(receiver.received.map((r) => r.json.id)).size).toBe(1);
      expect(receiver.received.map((r) => r.headers['postbode-attempt'])).toEqual(['1', '2', '3']);
      const at = receiver.received.map((r) => Number(/t=(\d+)/.exec(r.headers['postbode-signature'] as string)![1]));
      expect(at[2]).toBeGreaterThanOrEqual(at[0]);
    } finally {
      await api.http().delete(`/v1/webhooks/${hook.id}`).set(api.admin);
      await receiver.close();
    }
  });

  it('records why an attempt failed and schedules the next one', async () => {
    const gone = await startReceiver();
    await gone.close(); // a port where nobody listens any more
    const { customer } = await createMailboxFixture(api.db);
    const hook = await register({ url: gone.url, eventTypes: ['customer.*'], customerId: customer.id });
    try {
      await api.http().patch(`/v1/customers/${customer.id}`).set(api.admin).send({ name: 'Unreachable' }).expect(200);
      const pending = await waitFor('a failed attempt', async () => {
        const res = await api.http().get(`/v1/webhooks/${hook.id}/deliveries`).set(api.admin);
        const d = res.body.items[0];
        return d?.attempts >= 1 && d.lastError ? d : undefined;
      });
      expect(pending).toMatchObject({ status: 'pending', lastStatusCode: null });
      expect(pending.lastError).toMatch(/ECONNREFUSED/);
      expect(new Date(pending.nextAttemptAt).getTime()).toBeGreaterThan(new Date(pending.lastAttemptAt).getTime());
    } finally {
      await api.http().delete(`/v1/webhooks/${hook.id}`).set(api.admin);
    }
  });

  it('never delivers one event twice with two API processes working', async () => {
    const second = await startApi(WORKER_ENV);
    const receiver = await startReceiver({ delayMs: 20 });
    const { customer } = await createMailboxFixture(api.db);
    const hook = await register({ url: receiver.url, eventTypes: ['customer.updated'], customerId: customer.id });
    const count = 30;
    try {
      // events made through both apps; both workers wake on every NOTIFY and race for the rows
      await Promise.all(
        Array.from({ length: count }, (_, i) => (i % 2 ? second : api).http().patch(`/v1/customers/${customer.id}`).set(api.admin).send({ name: `Name ${i}` }).expect(200)),
      );
      await waitFor(`${count} deliveries`, () => receiver.received.length >= count, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.received).toHaveLength(count);
      expect(new Set(receiver.received.map((r) => r.json.id)).size).toBe(count);
      const rows = await api.db.query(`SELECT status, attempts FROM webhook_deliveries WHERE webhook_id = $1`, [hook.id]);
      expect(rows).toHaveLength(count);
      expect(rows.every((r: { status: string; attempts: number }) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
    } finally {
      await api.http().delete(`/v1/webhooks/${hook.id}`).set(api.admin);
      await receiver.close();
      await second.close();
    }
  });

  it('shares one queue between two worker instances draining it at the same moment', async () => {
    // This app's own worker is paused so the two instances below meet the whole queue.
    const appWorker = api.app.get(WebhookWorkerService);
    await appWorker.onModuleDestroy();
    const receiver = await startReceiver({ delayMs: 10 });
    const { customer } = await createMailboxFixture(api.db);
    const hook = await register({ url: receiver.url, eventTypes: ['customer.updated'], customerId: customer.id });
    const count = 24;
    const options = { databaseUrl: 'unused', retryBaseMs: 50, pollMs: 200, batchSize: 4 };
    const workers = [new WebhookWorker(api.db, options), new WebhookWorker(api.db, options)];
    try {
      for (let i = 0; i < count; i++) await api.http().patch(`/v1/customers/${customer.id}`).set(api.admin).send({ name: `N${i}` }).expect(200);
      const drain = async (w: WebhookWorker) => {
        let total = 0;
        for (let n = await w.runOnce(); n > 0; n = await w.runOnce()) total += n;
        return total;
      };
      const [a, b] = await Promise.all(workers.map(drain));
      expect(a + b).toBe(count);
      expect(a).toBeGreaterThan(0);
      expect(b).toBeGreaterThan(0);
      expect(receiver.received).toHaveLength(count);
      expect(new Set(receiver.received.map((r) => r.json.id)).size).toBe(count);
    } finally {
      await api.http().delete(`/v1/webhooks/${hook.id}`).set(api.admin);
      await receiver.close();
      appWorker.onApplicationBootstrap();
    }
  });

  it("keeps a customer-bound key to its own customer's events", async () => {
    const receiver = await startReceiver();
    const mine = await createMailboxFixture(api.db);
    const other = await createMailboxFixture(api.db);
    const key = await api.http().post('/v1/api-keys').set(api.admin).send({ name: unique('portal'), scopes: ['webhooks:write'], customerId: mine.customer.id });
    const portal = bearer(key.body.key);
    expect((await api.http().post('/v1/webhooks').set(portal).send({ url: receiver.url, eventTypes: ['*'], customerId: other.customer.id })).status).toBe(400);
    const hook = await register({ url: receiver.url, eventTypes: ['*'] }, portal);
    const staffHook = await register({ url: receiver.url, eventTypes: ['nothing.matches'] });
    try {
      expect(hook.customerId).toBe(mine.customer.id);
      expect((await api.http().get(`/v1/webhooks/${staffHook.id}`).set(portal)).status).toBe(404);
      const listed = await api.http().get('/v1/webhooks').query({ limit: 200 }).set(portal);
      expect(listed.body.items.map((w: { id: string }) => w.id)).toEqual([hook.id]);

      await api.http().patch(`/v1/customers/${other.customer.id}`).set(api.admin).send({ name: 'Not yours' }).expect(200);
      await api.http().patch(`/v1/customers/${mine.customer.id}`).set(api.admin).send({ name: 'Yours' }).expect(200);
      await waitFor('the own events', () => receiver.received.length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      // its own creation (written in the same transaction as the webhook) and the own customer's change, nothing else
      expect(receiver.received.map((r) => [r.json.type, r.json.customerId])).toEqual([
        ['webhook.created', mine.customer.id],
        ['customer.updated', mine.customer.id],
      ]);

      const paused = await api.http().patch(`/v1/webhooks/${hook.id}`).set(portal).send({ active: false });
      expect(paused.body.active).toBe(false);
      await api.http().patch(`/v1/customers/${mine.customer.id}`).set(api.admin).send({ name: 'Quiet' }).expect(200);
      await new Promise((r) => setTimeout(r, 400));
      expect(receiver.received).toHaveLength(2);
    } finally {
      await api.http().delete(`/v1/webhooks/${hook.id}`).set(portal).expect(204);
      await api.http().delete(`/v1/webhooks/${staffHook.id}`).set(api.admin).expect(204);
      await receiver.close();
    }
  });

  it('validates what it is given', async () => {
    for (const body of [
      { url: 'ftp://example.com/x', eventTypes: ['*'] },
      { url: 'not a url', eventTypes: ['*'] },
      { url: 'https://hooks.example/x', eventTypes: [] },
      { url: 'https://hooks.example/x', eventTypes: ['Agreement Signed'] },
      { url: 'https://hooks.example/x', eventTypes: ['*'], secret: 'short' },
    ]) {
      const res = await api.http().post('/v1/webhooks').set(api.admin).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const reader = await api.http().post('/v1/api-keys').set(api.admin).send({ name: unique('r'), scopes: ['webhooks:read'] });
    expect((await api.http().post('/v1/webhooks').set(bearer(reader.body.key)).send({ url: 'https://hooks.example/x', eventTypes: ['*'] })).status).toBe(403);
    const own = await register({ url: 'https://hooks.example/x', eventTypes: ['nothing.*'], secret: 'my-own-secret-of-24-chars!!' });
    expect(own.secret).toBe('my-own-secret-of-24-chars!!');
    await api.http().delete(`/v1/webhooks/${own.id}`).set(api.admin).expect(204);
  });
});
