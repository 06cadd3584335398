import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startApi, TestApi, unique } from './support/api';

describe('dashboard counts (GET /v1/stats) and customer search', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  const createCustomer = async (name: string, externalRef?: string) =>
    (await api.http().post('/v1/customers').set(api.admin).send({ name, contactEmail: 'c@stats.example', externalRef }).expect(201)).body;
  const makeKey = async (scopes: string[], customerId?: string) =>
    (await api.http().post('/v1/api-keys').set(api.admin).send({ name: unique('key-'), scopes, customerId }).expect(201)).body;

  it('counts customers by status and tells the caller who it is', async () => {
    const before = (await api.http().get('/v1/stats').set(api.admin).expect(200)).body;
    expect(before.caller).toMatchObject({ scopes: ['admin'], customerId: null, keyName: 'ADMIN_API_KEY' });
    expect(before.domains.total).toBeGreaterThanOrEqual(0);
    expect(before.apiKeys.active).toBeGreaterThan(0);
    const c = await createCustomer(unique('Stats '));
    await api.http().post(`/v1/customers/${c.id}/suspend`).set(api.admin).send({ reason: 'test' }).expect(200);
    const after = (await api.http().get('/v1/stats').set(api.admin).expect(200)).body;
    // other test files create customers in parallel: at least ours is counted
    expect(after.customers.suspended).toBeGreaterThanOrEqual(before.customers.suspended + 1);
    expect(after.customers.total).toBe(after.customers.active + after.customers.suspended);
  });

  it('shows a customer-bound key only its own customer and only what its scopes may read', async () => {
    const mine = await createCustomer(unique('Mine '));
    const key = await makeKey(['customers:read'], mine.id);
    const stats = (await api.http().get('/v1/stats').set(bearer(key.key)).expect(200)).body;
    expect(stats.caller).toMatchObject({ keyId: key.id, keyName: key.name, customerId: mine.id, scopes: ['customers:read'] });
    expect(stats.customers).toEqual({ total: 1, active: 1, suspended: 0 });
    expect(stats.domains).toBeNull();
    expect(stats.mailboxes).toBeNull();
    expect(stats.apiKeys).toBeNull();
    expect(stats.agreements).toBeNull();
    expect(stats.relayBlockedMailboxes).toBeNull();
  });

  it('counts agreements by status and mailboxes whose relaying is blocked, for the caller\'s customer', async () => {
    const c = await createCustomer(unique('Relay '));
    const domain = (await api.http().post('/v1/domains').set(api.admin).send({ customerId: c.id, name: `${unique('st')}.example` }).expect(201)).body;
    const mailbox = (await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: domain.id, localPart: 'anna', password: 'a long passphrase' }).expect(201)).body;
    const key = await makeKey(['agreements:read', 'mailboxes:read'], c.id);
    const none = (await api.http().get('/v1/stats').set(bearer(key.key)).expect(200)).body;
    expect(none.agreements).toEqual({ total: 0, active: 0, suspended: 0, revoked: 0, superseded: 0 });
    expect(none.relayBlockedMailboxes).toEqual({ total: 0 });
    await api.http().post(`/v1/mailboxes/${mailbox.id}/relay-block`).set(api.admin).send({ reason: 'leaked password' }).expect(200);
    const blocked = (await api.http().get('/v1/stats').set(bearer(key.key)).expect(200)).body;
    expect(blocked.relayBlockedMailboxes).toEqual({ total: 1 });
    const admin = (await api.http().get('/v1/stats').set(api.admin).expect(200)).body;
    expect(admin.agreements.total).toBe(admin.agreements.active + admin.agreements.suspended + admin.agreements.revoked + admin.agreements.superseded);
  });

  it('needs a valid key with some read scope', async () => {
    await api.http().get('/v1/stats').expect(401);
    const writeOnly = await makeKey(['webhooks:write']);
    await api.http().get('/v1/stats').set(bearer(writeOnly.key)).expect(200);
  });

  it('finds customers by part of the name or of the billing id', async () => {
    const tag = unique('srch').toLowerCase();
    const byName = await createCustomer(`Bakkerij ${tag}`, unique('REF-'));
    const byRef = await createCustomer('Slagerij', `BILL-${tag}-7`);
    const ids = async (q: string) => (await api.http().get('/v1/customers').query({ q }).set(api.admin).expect(200)).body.items.map((c: { id: string }) => c.id);
    expect(await ids(tag)).toEqual([byName.id, byRef.id]);
    expect(await ids(`bill-${tag}`)).toEqual([byRef.id]);
    expect(await ids(`${tag}%`)).toEqual([]);
  });
});
