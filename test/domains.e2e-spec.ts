import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi, unique } from './support/api';
import { createCustomer, createDomain, createMailbox, domainName, fieldsOf, keyWith } from './support/fixtures';

describe('domains', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  it('creates, reads, lists, updates and deletes a domain', async () => {
    const customer = await createCustomer(api);
    const label = unique('shop').toLowerCase();
    const created = await api.http().post('/v1/domains').set(api.admin).send({ customerId: customer.id, name: `${label.toUpperCase()}.Example.` });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      customerId: customer.id,
      name: `${label}.example`,
      unicodeName: `${label}.example`,
      maxMailboxes: null,
      storageBytes: null,
      defaultQuotaBytes: api.config.defaultQuotaBytes,
      mailboxCount: 0,
      allocatedQuotaBytes: 0,
    });
    expect(created.body.dkimSelector).toMatch(/^pb\d{6}$/);
    expect(created.body.dkimPublicKey).toContain('-----BEGIN PUBLIC KEY-----');
    expect(JSON.stringify(created.body)).not.toMatch(/PRIVATE KEY|dkimPrivateKey/);
    const id = created.body.id;

    const got = await api.http().get(`/v1/domains/${id}`).set(api.admin);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const byName = await api.http().get('/v1/domains').query({ name: `${label}.EXAMPLE` }).set(api.admin);
    expect(byName.body.items.map((d: { id: string }) => d.id)).toEqual([id]);
    const byQ = await api.http().get('/v1/domains').query({ q: label.slice(0, 10).toUpperCase(), customerId: customer.id }).set(api.admin);
    expect(byQ.body.items.map((d: { id: string }) => d.id)).toEqual([id]);

    const patched = await api.http().patch(`/v1/domains/${id}`).set(api.admin).send({ maxMailboxes: 5, storageBytes: 10_000_000, defaultQuotaBytes: 1_000_000 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ maxMailboxes: 5, storageBytes: 10_000_000, defaultQuotaBytes: 1_000_000 });
    const unlimited = await api.http().patch(`/v1/domains/${id}`).set(api.admin).send({ maxMailboxes: null });
    expect(unlimited.body).toMatchObject({ maxMailboxes: null, storageBytes: 10_000_000 });

    const events = await api.http().get('/v1/events').query({ targetId: id }).set(api.admin);
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['domain.created', 'domain.updated', 'domain.updated']);
    expect(JSON.stringify(events.body)).not.toMatch(/PRIVATE KEY/);

    expect((await api.http().delete(`/v1/domains/${id}`).set(api.admin)).status).toBe(204);
    expect((await api.http().get(`/v1/domains/${id}`).set(api.admin)).status).toBe(404);
  });

  it('stores IDNA names in punycode and finds them by either form', async () => {
    const customer = await createCustomer(api);
    const zone = unique('z').toLowerCase();
    const res = await api.http().post('/v1/domains').set(api.admin).send({ customerId: customer.id, name: `Bücher.${zone}.example` });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe(`xn--bcher-kva.${zone}.example`);
    expect(res.body.unicodeName).toBe(`bücher.${zone}.example`);

    const byUnicode = await api.http().get('/v1/domains').query({ name: `BÜCHER.${zone}.example` }).set(api.admin);
    expect(byUnicode.body.items.map((d: { id: string }) => d.id)).toEqual([res.body.id]);
    const bySearch = await api.http().get('/v1/domains').query({ q: 'bücher', customerId: customer.id }).set(api.admin);
    expect(bySearch.body.items.map((d: { id: string }) => d.id)).toEqual([res.body.id]);

    const again = await api.http().post('/v1/domains').set(api.admin).send({ customerId: customer.id, name: `XN--BCHER-KVA.${zone}.example` });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('domain_taken');
  });

  it('names every bad field', async () => {
    const res = await api.http().post('/v1/domains').set(api.admin).send({ customerId: 'nope', name: 'not a domain', maxMailboxes: -1, storageBytes: 1.5, defaultQuotaBytes: 0, dkimPrivateKey: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(fieldsOf(res.body)).toEqual(expect.arrayContaining(['customerId', 'name', 'maxMailboxes', 'storageBytes', 'defaultQuotaBytes', 'dkimPrivateKey']));

    const customer = await createCustomer(api);
    for (const name of ['-bad-.example', '10.0.0.1', 'localhost', 'a_b.example', `${'x'.repeat(64)}.example`, '']) {
      const bad = await api.http().post('/v1/domains').set(api.admin).send({ customerId: customer.id, name });
      expect(bad.status, name).toBe(400);
      expect(fieldsOf(bad.body), name).toContain('name');
    }
    const noCustomer = await api.http().post('/v1/domains').set(api.admin).send({ customerId: '0190a4e8-0000-7000-8000-000000000000', name: domainName() });
    expect(noCustomer.status).toBe(404);
    expect(noCustomer.body.error.code).toBe('customer_not_found');

    const badDelete = await api.http().delete('/v1/domains/0190a4e8-0000-7000-8000-000000000000').query({ removeMailboxes: 'maybe' }).set(api.admin);
    expect(badDelete.status).toBe(400);
    expect(fieldsOf(badDelete.body)).toContain('removeMailboxes');
  });

  it('publishes MX, SPF, DKIM and DMARC records, and the DKIM record holds the public half of the key pair', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const res = await api.http().get(`/v1/domains/${domain.id}/dns-records`).set(api.admin);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toMatch(/PRIVATE KEY/);
    const byPurpose = Object.fromEntries(res.body.records.map((r: { purpose: string }) => [r.purpose, r]));
    expect(res.body.records.map((r: { purpose: string }) => r.purpose)).toEqual(['mx', 'spf', 'dkim', 'dmarc']);

    expect(byPurpose.mx).toMatchObject({ type: 'MX', name: domain.name, value: 'mail.postbode.test', priority: 10, ttl: 3600 });
    expect(byPurpose.mx.zoneFileLine).toBe(`${domain.name}. 3600 IN MX 10 mail.postbode.test.`);
    expect(byPurpose.spf).toMatchObject({ type: 'TXT', name: domain.name, priority: null });
    expect(byPurpose.spf.value).toMatch(/^v=spf1 .*mx.* -all$/);
    expect(byPurpose.dmarc).toMatchObject({ type: 'TXT', name: `_dmarc.${domain.name}` });
    expect(byPurpose.dmarc.value).toMatch(/^v=DMARC1; p=(quarantine|reject)/);

    const dkim = byPurpose.dkim;
    expect(dkim.name).toBe(`${domain.dkimSelector}._domainkey.${domain.name}`);
    const m = /^v=DKIM1; k=rsa; p=([A-Za-z0-9+/=]+)$/.exec(dkim.value);
    expect(m).not.toBeNull();
    const published = createPublicKey({ key: Buffer.from(m![1], 'base64'), format: 'der', type: 'spki' });
    expect(published.export({ type: 'spki', format: 'pem' })).toBe(domain.dkimPublicKey);
    expect(published.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // the strings for zone files: each at most 255 characters, together the value
    expect(dkim.strings.length).toBeGreaterThan(1);
    for (const s of dkim.strings) expect(s.length).toBeLessThanOrEqual(255);
    expect(dkim.strings.join('')).toBe(dkim.value);
    expect(dkim.zoneFileLine).toBe(`${dkim.name}. 3600 IN TXT ${dkim.strings.map((s: string) => `"${s}"`).join(' ')}`);
    expect(res.body.zoneFile.trim().split('\n')).toHaveLength(4);

    // the private key kept on the server signs what the published key verifies
    const [row] = await api.db.query('SELECT dkim_private_key FROM domains WHERE id = $1', [domain.id]);
    expect(row.dkim_private_key).toContain('-----BEGIN PRIVATE KEY-----'); // PKCS#8
    const signature = sign('sha256', Buffer.from('hello'), createPrivateKey(row.dkim_private_key));
    expect(verify('sha256', Buffer.from('hello'), published, signature)).toBe(true);
  });

  it('refuses to delete a domain with mailboxes or aliases unless asked to remove them', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const mailbox = await createMailbox(api, domain.id);
    const alias = await api.http().post('/v1/aliases').set(api.admin).send({ address: `info@${domain.name}`, targets: [mailbox.address] });
    expect(alias.status).toBe(201);

    const refused = await api.http().delete(`/v1/domains/${domain.id}`).set(api.admin);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'domain_has_mailboxes', details: { mailboxes: 1, aliases: 1 } });
    expect((await api.http().get(`/v1/mailboxes/${mailbox.id}`).set(api.admin)).status).toBe(200);

    expect((await api.http().delete(`/v1/domains/${domain.id}`).query({ removeMailboxes: 'true' }).set(api.admin)).status).toBe(204);
    expect((await api.http().get(`/v1/domains/${domain.id}`).set(api.admin)).status).toBe(404);
    expect((await api.http().get(`/v1/mailboxes/${mailbox.id}`).set(api.admin)).status).toBe(404);
    expect((await api.http().get(`/v1/aliases/${alias.body.id}`).set(api.admin)).status).toBe(404);

    const events = await api.http().get('/v1/events').query({ targetId: domain.id, action: 'domain.' }).set(api.admin);
    const removal = events.body.items.find((e: { action: string }) => e.action === 'domain.contents_removed');
    expect(removal).toMatchObject({ before: { mailboxCount: 1, aliasCount: 1 }, after: { mailboxCount: 0, aliasCount: 0 } });
    expect(events.body.items.at(-1).action).toBe('domain.deleted');
  });

  it('refuses limits below what the domain already uses', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id, { defaultQuotaBytes: 1000 });
    await createMailbox(api, domain.id);
    await createMailbox(api, domain.id);
    const got = await api.http().get(`/v1/domains/${domain.id}`).set(api.admin);
    expect(got.body).toMatchObject({ mailboxCount: 2, allocatedQuotaBytes: 2000 });

    const fewer = await api.http().patch(`/v1/domains/${domain.id}`).set(api.admin).send({ maxMailboxes: 1 });
    expect(fewer.status).toBe(422);
    expect(fewer.body.error).toMatchObject({ code: 'domain_limit_below_usage', details: { limit: 'maxMailboxes', requested: 1, current: 2 } });
    const smaller = await api.http().patch(`/v1/domains/${domain.id}`).set(api.admin).send({ storageBytes: 1999 });
    expect(smaller.status).toBe(422);
    expect(smaller.body.error).toMatchObject({ code: 'domain_limit_below_usage', details: { limit: 'storageBytes', requested: 1999, current: 2000 } });
    expect((await api.http().patch(`/v1/domains/${domain.id}`).set(api.admin).send({ maxMailboxes: 2, storageBytes: 2000 })).status).toBe(200);
  });

  it('pages through a customer’s domains with limit and cursor, in creation order', async () => {
    const customer = await createCustomer(api);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createDomain(api, customer.id)).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api.http().get('/v1/domains').query({ customerId: customer.id, limit: 2, ...(cursor ? { cursor } : {}) }).set(api.admin);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((d: { id: string }) => d.id));
      cursor = res.body.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
    expect((await api.http().get('/v1/domains').query({ limit: 0 }).set(api.admin)).status).toBe(400);
    expect((await api.http().get('/v1/domains').query({ cursor: 'x' }).set(api.admin)).status).toBe(400);
  });

  it('refuses every write without the domains:write scope', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const reader = await keyWith(api, ['domains:read', 'mailboxes:write']);
    expect((await api.http().get(`/v1/domains/${domain.id}`).set(reader)).status).toBe(200);
    const writes = [
      api.http().post('/v1/domains').set(reader).send({ customerId: customer.id, name: domainName() }),
      api.http().patch(`/v1/domains/${domain.id}`).set(reader).send({ defaultQuotaBytes: 5 }),
      api.http().delete(`/v1/domains/${domain.id}`).set(reader),
    ];
    for (const res of await Promise.all(writes)) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('insufficient_scope');
    }
    const none = await keyWith(api, ['customers:read']);
    expect((await api.http().get('/v1/domains').set(none)).status).toBe(403);
    expect((await api.http().get(`/v1/domains/${domain.id}/dns-records`).set(none)).status).toBe(403);
  });

  it('keeps a customer-bound key to its own customer’s domains', async () => {
    const mine = await createCustomer(api);
    const theirs = await createCustomer(api);
    const other = await createDomain(api, theirs.id);
    const key = await keyWith(api, ['domains:write'], mine.id);

    const own = await api.http().post('/v1/domains').set(key).send({ customerId: mine.id, name: domainName() });
    expect(own.status).toBe(201);
    const intoOther = await api.http().post('/v1/domains').set(key).send({ customerId: theirs.id, name: domainName() });
    expect(intoOther.status).toBe(404);
    expect(intoOther.body.error.code).toBe('customer_not_found');

    for (const res of [
      await api.http().get(`/v1/domains/${other.id}`).set(key),
      await api.http().get(`/v1/domains/${other.id}/dns-records`).set(key),
      await api.http().patch(`/v1/domains/${other.id}`).set(key).send({ defaultQuotaBytes: 10 }),
      await api.http().delete(`/v1/domains/${other.id}`).set(key),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('domain_not_found');
    }
    const listed = await api.http().get('/v1/domains').query({ limit: 200 }).set(key);
    expect(listed.body.items.map((d: { id: string }) => d.id)).toEqual([own.body.id]);
    expect((await api.http().get('/v1/domains').query({ customerId: theirs.id }).set(key)).body.items).toEqual([]);
    expect((await api.http().get('/v1/domains').query({ name: other.name }).set(key)).body.items).toEqual([]);
    expect((await api.http().get(`/v1/domains/${other.id}`).set(api.admin)).status).toBe(200);

    // the limits are what the ISP sells: a customer's own key cannot set them
    const raise = await api.http().patch(`/v1/domains/${own.body.id}`).set(key).send({ maxMailboxes: 1000 });
    expect(raise.status).toBe(403);
    expect(raise.body.error.code).toBe('customer_bound_key');
    expect((await api.http().patch(`/v1/domains/${own.body.id}`).set(key).send({ defaultQuotaBytes: 1234 })).body.defaultQuotaBytes).toBe(1234);
    expect((await api.http().delete(`/v1/domains/${own.body.id}`).set(key)).status).toBe(204);
  });
});
