import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startApi, TestApi, unique } from './support/api';

describe('API keys, scopes and tenancy', () => {
  let api: TestApi;
  const makeCustomer = async () =>
    (await api.http().post('/v1/customers').set(api.admin).send({ name: unique('Cust '), contactEmail: 'x@example.com', externalRef: unique('R-') }).expect(201)).body;
  const makeKey = async (scopes: string[], customerId?: string) =>
    (await api.http().post('/v1/api-keys').set(api.admin).send({ name: unique('key '), scopes, customerId }).expect(201)).body;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  it('shows a new key once, stores only its hash, and records last use', async () => {
    const key = await makeKey(['customers:read']);
    expect(key.key).toMatch(/^pb_[0-9a-f]{12}_/);
    expect(key.hint).toMatch(/^pb_[0-9a-f]{12}_…$/);
    const [row] = await api.db.query('SELECT secret_hash FROM api_keys WHERE id = $1', [key.id]);
    const secret = key.key.slice('pb_'.length + 12 + 1);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(row.secret_hash).not.toContain(secret);
    const fetched = await api.http().get(`/v1/api-keys/${key.id}`).set(api.admin).expect(200);
    expect(fetched.body.key).toBeUndefined();
    expect(fetched.body.lastUsedAt).toBeNull();
    await api.http().get('/v1/customers').set(bearer(key.key)).expect(200);
    const used = await api.http().get(`/v1/api-keys/${key.id}`).set(api.admin).expect(200);
    expect(used.body.lastUsedAt).not.toBeNull();
  });

  it('a revoked key stops working at once', async () => {
    const key = await makeKey(['customers:read']);
    await api.http().get('/v1/customers').set(bearer(key.key)).expect(200);
    const revoked = await api.http().delete(`/v1/api-keys/${key.id}`).set(api.admin).expect(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const res = await api.http().get('/v1/customers').set(bearer(key.key));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('api_key_revoked');
  });

  it('refuses invalid key requests with the field named', async () => {
    const res = await api.http().post('/v1/api-keys').set(api.admin).send({ name: 'x', scopes: ['root'] });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('scopes');
    const c = await makeCustomer();
    const bound = await api.http().post('/v1/api-keys').set(api.admin).send({ name: 'x', scopes: ['admin'], customerId: c.id });
    expect(bound.status).toBe(400);
    expect(bound.body.error.details[0].field).toBe('scopes');
  });

  it('denies every write route to a key without the scope (403), and key management to non-admins', async () => {
    const readOnly = await makeKey(['customers:read', 'events:read']);
    const c = await makeCustomer();
    const h = bearer(readOnly.key);
    const writes: Array<[string, string, object?]> = [
      ['post', '/v1/customers', { name: 'n', contactEmail: 'a@b.example' }],
      ['patch', `/v1/customers/${c.id}`, { name: 'n' }],
      ['delete', `/v1/customers/${c.id}`],
      ['post', `/v1/customers/${c.id}/suspend`, { reason: 'r' }],
      ['post', `/v1/customers/${c.id}/reactivate`],
      ['post', '/v1/api-keys', { name: 'n', scopes: ['admin'] }],
      ['get', '/v1/api-keys'],
      ['delete', `/v1/api-keys/${readOnly.id}`],
    ];
    for (const [method, path, body] of writes) {
      const res = await (api.http() as any)[method](path).set(h).send(body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('insufficient_scope');
    }
    // and nothing changed
    expect((await api.http().get(`/v1/customers/${c.id}`).set(api.admin)).body.status).toBe('active');
  });

  it('a customer-bound key sees and changes only its own customer', async () => {
    const mine = await makeCustomer();
    const other = await makeCustomer();
    const key = await makeKey(['customers:write', 'events:read'], mine.id);
    const h = bearer(key.key);
    expect((await api.http().get(`/v1/customers/${mine.id}`).set(h)).status).toBe(200);
    expect((await api.http().get(`/v1/customers/${other.id}`).set(h)).status).toBe(404);
    expect((await api.http().get(`/v1/customers/by-external-ref/${other.externalRef}`).set(h)).status).toBe(404);
    expect((await api.http().patch(`/v1/customers/${other.id}`).set(h).send({ name: 'hijack' })).status).toBe(404);
    expect((await api.http().delete(`/v1/customers/${other.id}`).set(h)).status).toBe(403);
    const list = await api.http().get('/v1/customers').query({ limit: 200 }).set(h).expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([mine.id]);
    expect((await api.http().patch(`/v1/customers/${mine.id}`).set(h).send({ name: 'Renamed' })).status).toBe(200);
    // ISP-only actions stay with the ISP
    expect((await api.http().post(`/v1/customers/${mine.id}/suspend`).set(h).send({ reason: 'x' })).status).toBe(403);
    expect((await api.http().post('/v1/customers').set(h).send({ name: 'n', contactEmail: 'a@b.example' })).status).toBe(403);
    // the audit log is scoped too
    const events = await api.http().get('/v1/events').query({ limit: 200 }).set(h).expect(200);
    expect(events.body.items.length).toBeGreaterThan(0);
    expect(events.body.items.every((e: { customerId: string }) => e.customerId === mine.id)).toBe(true);
    const otherEvents = await api.http().get('/v1/events').query({ customerId: other.id }).set(h).expect(200);
    expect(otherEvents.body.items).toEqual([]);
  });
});

describe('idempotency', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  it('replays the first answer for the same key and body, without doing the work twice', async () => {
    const idem = unique('idem-');
    const body = { name: 'Retry BV', contactEmail: 'r@retry.example', externalRef: unique('RR-') };
    const first = await api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send(body);
    expect(first.status).toBe(201);
    // same body, keys in another order
    const again = await api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send({ externalRef: body.externalRef, contactEmail: body.contactEmail, name: body.name });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(JSON.parse(JSON.stringify(first.body)));
    const list = await api.http().get('/v1/customers').query({ externalRef: body.externalRef }).set(api.admin);
    expect(list.body.items).toHaveLength(1);
    const events = await api.http().get('/v1/events').query({ targetId: first.body.id, action: 'customer.created' }).set(api.admin);
    expect(events.body.items).toHaveLength(1);
  });

  it('refuses the same key with a different body (422)', async () => {
    const idem = unique('idem-');
    await api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send({ name: 'A', contactEmail: 'a@a.example' }).expect(201);
    const res = await api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send({ name: 'B', contactEmail: 'a@a.example' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('idempotency_key_reused');
  });

  it('replays a 4xx answer too, and does not share keys between API keys', async () => {
    const idem = unique('idem-');
    const bad = await api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send({ name: '' });
    expect(bad.status).toBe(400);
    const replay = await api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send({ name: '' });
    expect(replay.status).toBe(400);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const other = (await api.http().post('/v1/api-keys').set(api.admin).send({ name: 'other', scopes: ['customers:write'] }).expect(201)).body;
    const fresh = await api.http().post('/v1/customers').set(bearer(other.key)).set('Idempotency-Key', idem).send({ name: 'Fresh', contactEmail: 'f@f.example' });
    expect(fresh.status).toBe(201);
  });

  it('runs concurrent duplicates once', async () => {
    const idem = unique('idem-');
    const ref = unique('CC-');
    const send = () => api.http().post('/v1/customers').set(api.admin).set('Idempotency-Key', idem).send({ name: 'Concurrent', contactEmail: 'c@c.example', externalRef: ref });
    const results = await Promise.all([send(), send(), send()]);
    const statuses = results.map((r) => r.status).sort();
    // the first does the work; the others replay it or are told it is still running
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const list = await api.http().get('/v1/customers').query({ externalRef: ref }).set(api.admin);
    expect(list.body.items).toHaveLength(1);
  });
});

describe('audit log and pagination', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  it('writes who, what, before and after, and the request id', async () => {
    const c = (await api.http().post('/v1/customers').set(api.admin).set('X-Request-Id', 'req-audit-1').send({ name: 'Audit', contactEmail: 'a@audit.example' }).expect(201)).body;
    await api.http().patch(`/v1/customers/${c.id}`).set(api.admin).set('X-Request-Id', 'req-audit-2').send({ name: 'Audited' }).expect(200);
    const res = await api.http().get('/v1/events').query({ targetId: c.id }).set(api.admin).expect(200);
    expect(res.body.items.map((e: { action: string }) => e.action)).toEqual(['customer.created', 'customer.updated']);
    const [created, updated] = res.body.items;
    expect(created).toMatchObject({ actorType: 'api_key', targetType: 'customer', customerId: c.id, requestId: 'req-audit-1', before: null });
    expect(created.actorId).toBeTruthy();
    expect(updated.before.name).toBe('Audit');
    expect(updated.after.name).toBe('Audited');
    expect(updated.requestId).toBe('req-audit-2');
    const prefixed = await api.http().get('/v1/events').query({ targetId: c.id, action: 'customer.' }).set(api.admin).expect(200);
    expect(prefixed.body.items).toHaveLength(2);
  });

  it('walks a list page by page with limit and cursor, each item once', async () => {
    const tag = unique('Page');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await api.http().post('/v1/customers').set(api.admin).send({ name: `${tag} ${i}`, contactEmail: 'p@p.example' }).expect(201)).body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await api
        .http()
        .get('/v1/customers')
        .query({ q: tag, limit: 3, ...(cursor ? { cursor } : {}) })
        .set(api.admin)
        .expect(200);
      seen.push(...res.body.items.map((c) => c.id));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    const bad = await api.http().get('/v1/customers').query({ limit: 0, cursor: 'zzz' }).set(api.admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['cursor', 'limit']);
  });
});

describe('audit log order', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  it('lists newest first with order=desc, and pages that way too', async () => {
    const c = (await api.http().post('/v1/customers').set(api.admin).send({ name: 'Order', contactEmail: 'o@o.example' }).expect(201)).body;
    await api.http().patch(`/v1/customers/${c.id}`).set(api.admin).send({ name: 'Order 2' }).expect(200);
    await api.http().post(`/v1/customers/${c.id}/suspend`).set(api.admin).send({ reason: 'test' }).expect(200);
    const first = await api.http().get('/v1/events').query({ targetId: c.id, order: 'desc', limit: 2 }).set(api.admin).expect(200);
    expect(first.body.items.map((e: { action: string }) => e.action)).toEqual(['customer.suspended', 'customer.updated']);
    const second = await api.http().get('/v1/events').query({ targetId: c.id, order: 'desc', limit: 2, cursor: first.body.nextCursor }).set(api.admin).expect(200);
    expect(second.body.items.map((e: { action: string }) => e.action)).toEqual(['customer.created']);
    expect(second.body.nextCursor).toBeNull();
  });
});
