import type { Response } from 'supertest';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkMailboxCredentials, verifyMailboxPassword } from '../libs/core/src/mailboxes/credentials';
import { startApi, TestApi, unique } from './support/api';
import { createCustomer, createDomain, createMailbox, fieldsOf, keyWith, PASSWORD } from './support/fixtures';

describe('mailboxes', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  it('creates, reads, lists, updates and deletes a mailbox, keeping the domain’s usage', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id, { defaultQuotaBytes: 5_000_000 });
    const local = unique('Anna.De.Vries');
    const created = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: domain.id, localPart: local, password: PASSWORD, displayName: ' Anna ' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      domainId: domain.id,
      customerId: customer.id,
      localPart: local,
      address: `${local.toLowerCase()}@${domain.name}`,
      displayName: 'Anna',
      quotaBytes: 5_000_000,
      usedBytes: 0,
      messageCount: 0,
      status: 'active',
    });
    expect(Object.keys(created.body)).not.toEqual(expect.arrayContaining(['password']));
    expect(Object.keys(created.body).some((k) => /password(Hash)?$/i.test(k))).toBe(false);
    const id = created.body.id;

    expect((await api.http().get(`/v1/mailboxes/${id}`).set(api.admin)).body).toEqual(created.body);
    const listed = await api.http().get('/v1/mailboxes').query({ domainId: domain.id }).set(api.admin);
    expect(listed.body.items.map((m: { id: string }) => m.id)).toEqual([id]);
    const byAddress = await api.http().get('/v1/mailboxes').query({ address: `${local.toUpperCase()}@${domain.name.toUpperCase()}` }).set(api.admin);
    expect(byAddress.body.items.map((m: { id: string }) => m.id)).toEqual([id]);
    expect((await api.http().get(`/v1/domains/${domain.id}`).set(api.admin)).body).toMatchObject({ mailboxCount: 1, allocatedQuotaBytes: 5_000_000 });

    const patched = await api.http().patch(`/v1/mailboxes/${id}`).set(api.admin).send({ displayName: 'Anna de Vries', quotaBytes: 7_000_000 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ displayName: 'Anna de Vries', quotaBytes: 7_000_000, status: 'active' });
    expect((await api.http().get(`/v1/domains/${domain.id}`).set(api.admin)).body.allocatedQuotaBytes).toBe(7_000_000);
    const disabled = await api.http().patch(`/v1/mailboxes/${id}`).set(api.admin).send({ status: 'disabled', displayName: null });
    expect(disabled.body).toMatchObject({ status: 'disabled', displayName: null });
    expect((await api.http().get('/v1/mailboxes').query({ domainId: domain.id, status: 'active' }).set(api.admin)).body.items).toEqual([]);
    expect((await api.http().get('/v1/mailboxes').query({ domainId: domain.id, status: 'disabled' }).set(api.admin)).body.items).toHaveLength(1);

    const events = await api.http().get('/v1/events').query({ targetId: id }).set(api.admin);
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['mailbox.created', 'mailbox.updated', 'mailbox.disabled']);

    expect((await api.http().delete(`/v1/mailboxes/${id}`).set(api.admin)).status).toBe(204);
    expect((await api.http().get(`/v1/mailboxes/${id}`).set(api.admin)).status).toBe(404);
    expect((await api.http().get(`/v1/domains/${domain.id}`).set(api.admin)).body).toMatchObject({ mailboxCount: 0, allocatedQuotaBytes: 0 });
  });

  it('names every bad field and explains a bad local part', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const res = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: 'x', localPart: 'a..b', quotaBytes: -1, status: 'active' });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(expect.arrayContaining(['domainId', 'localPart', 'password', 'quotaBytes', 'status']));
    expect(res.body.error.details.find((d: { field: string }) => d.field === 'localPart').message).toMatch(/dots/);

    const cases: [string, RegExp][] = [
      ['with space', /letters, digits/],
      ['a+tag', /no %, !, \+/],
      ['a%b', /no %/],
      ['.start', /dots/],
      ['x'.repeat(65), /64 octets/],
      ['"quoted"', /quoting/],
      ['', /empty/],
    ];
    for (const [localPart, why] of cases) {
      const bad = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: domain.id, localPart, password: PASSWORD });
      expect(bad.status, localPart).toBe(400);
      const detail = bad.body.error.details.find((d: { field: string }) => d.field === 'localPart');
      expect(detail?.message, localPart).toMatch(why);
    }

    const short = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: domain.id, localPart: 'shorty', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.details).toEqual([{ field: 'password', message: `must be at least ${api.config.passwordMinLength} characters long` }]);
    const long = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: domain.id, localPart: 'longy', password: 'x'.repeat(1025) });
    expect(fieldsOf(long.body)).toEqual(['password']);
    const newline = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: domain.id, localPart: 'nl', password: 'abcdefghij\r\nk' });
    expect(fieldsOf(newline.body)).toEqual(['password']);
    expect(JSON.stringify([short.body, long.body, newline.body])).not.toContain('abcdefghij');

    const noDomain = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: '0190a4e8-0000-7000-8000-000000000000', localPart: 'x', password: PASSWORD });
    expect(noDomain.status).toBe(404);
    expect(noDomain.body.error.code).toBe('domain_not_found');
    const badPatch = await api.http().patch('/v1/mailboxes/0190a4e8-0000-7000-8000-000000000000').set(api.admin).send({ status: 'gone', password: 'x' });
    expect(badPatch.status).toBe(400);
    expect(fieldsOf(badPatch.body)).toEqual(expect.arrayContaining(['status', 'password']));
  });

  it('keeps addresses unique across case and across aliases', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const local = unique('Jan');
    await createMailbox(api, domain.id, { localPart: local });
    const dup = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: domain.id, localPart: local.toUpperCase(), password: PASSWORD });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'address_taken', details: { field: 'localPart', takenBy: 'mailbox' } });

    const target = await createMailbox(api, domain.id);
    const alias = await api.http().post('/v1/aliases').set(api.admin).send({ address: `sales@${domain.name}`, targets: [target.address] });
    expect(alias.status).toBe(201);
    const clash = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: domain.id, localPart: 'Sales', password: PASSWORD });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({ code: 'address_taken', details: { takenBy: 'alias' } });
  });

  it('enforces maxMailboxes and storageBytes with errors that name the limit', async () => {
    const customer = await createCustomer(api);
    const counted = await createDomain(api, customer.id, { maxMailboxes: 2 });
    await createMailbox(api, counted.id);
    await createMailbox(api, counted.id);
    const third = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: counted.id, localPart: 'third', password: PASSWORD });
    expect(third.status).toBe(422);
    expect(third.body.error).toMatchObject({ code: 'domain_mailbox_limit_reached', details: { limit: 'maxMailboxes', max: 2, current: 2 } });
    expect(third.body.error.message).toMatch(/maxMailboxes/);

    const sized = await createDomain(api, customer.id, { storageBytes: 3000, defaultQuotaBytes: 1000 });
    const a = await createMailbox(api, sized.id);
    await createMailbox(api, sized.id, { quotaBytes: 1500 });
    const tooBig = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: sized.id, localPart: 'big', password: PASSWORD, quotaBytes: 501 });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.error).toMatchObject({ code: 'domain_storage_limit_exceeded', details: { limit: 'storageBytes', max: 3000, current: 2500, requested: 501 } });
    expect(tooBig.body.error.message).toMatch(/storageBytes/);
    expect((await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: sized.id, localPart: 'fits', password: PASSWORD, quotaBytes: 500 })).status).toBe(201);

    const grow = await api.http().patch(`/v1/mailboxes/${a.id}`).set(api.admin).send({ quotaBytes: 1001 });
    expect(grow.status).toBe(422);
    expect(grow.body.error.details).toMatchObject({ limit: 'storageBytes', max: 3000, current: 3000, requested: 1 });
    expect((await api.http().patch(`/v1/mailboxes/${a.id}`).set(api.admin).send({ quotaBytes: 400 })).status).toBe(200);
    expect((await api.http().get(`/v1/domains/${sized.id}`).set(api.admin)).body).toMatchObject({ mailboxCount: 3, allocatedQuotaBytes: 2400 });
  });

  it('never lets concurrent creates overshoot maxMailboxes', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id, { maxMailboxes: 3 });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: domain.id, localPart: `race${i}`, password: PASSWORD })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 422).every((r) => r.body.error.code === 'domain_mailbox_limit_reached')).toBe(true);
    expect(results.filter((r) => r.status === 422)).toHaveLength(5);
    const [{ n }] = await api.db.query('SELECT count(*)::int AS n FROM mailboxes WHERE domain_id = $1', [domain.id]);
    expect(n).toBe(3);
    expect((await api.http().get(`/v1/domains/${domain.id}`).set(api.admin)).body.mailboxCount).toBe(3);
  });

  it('changes the password as its own action and never shows a password or its hash', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const first = `first-${unique()}`;
    const second = `second-${unique()}`;
    const created = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId: domain.id, localPart: 'secret', password: first });
    expect(created.status).toBe(201);
    const id = created.body.id;

    const [stored] = await api.db.query('SELECT password_hash FROM mailboxes WHERE id = $1', [id]);
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyMailboxPassword(api.db, created.body.address, first)).toMatchObject({ id });

    const changed = await api.http().post(`/v1/mailboxes/${id}/password`).set(api.admin).send({ password: second });
    expect(changed.status).toBe(204);
    expect(changed.text).toBe('');
    const after = await api.http().get(`/v1/mailboxes/${id}`).set(api.admin);
    expect(new Date(after.body.passwordChangedAt).getTime()).toBeGreaterThan(new Date(created.body.passwordChangedAt).getTime());
    expect(await verifyMailboxPassword(api.db, created.body.address, first)).toBeNull();
    const verified = await verifyMailboxPassword(api.db, created.body.address.toUpperCase(), second);
    expect(verified).toMatchObject({ id, address: created.body.address });
    expect(verified).not.toHaveProperty('passwordHash');
    const tooShort = await api.http().post(`/v1/mailboxes/${id}/password`).set(api.admin).send({ password: 'short' });
    expect(tooShort.status).toBe(400);
    expect(fieldsOf(tooShort.body)).toEqual(['password']);

    const patched = await api.http().patch(`/v1/mailboxes/${id}`).set(api.admin).send({ displayName: 'Secret' });
    const listed = await api.http().get('/v1/mailboxes').query({ domainId: domain.id }).set(api.admin);
    const events = await api.http().get('/v1/events').query({ targetId: id }).set(api.admin);
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['mailbox.created', 'mailbox.password_changed', 'mailbox.updated']);
    const changedEvent = events.body.items[1];
    expect(Object.keys(changedEvent.after)).toEqual(['passwordChangedAt']);
    const everything = JSON.stringify([created.body, after.body, patched.body, listed.body, events.body]);
    for (const secret of [first, second, stored.password_hash, '$argon2']) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/passwordHash/);
  });

  it('checks credentials: unknown, wrong, disabled and suspended are told apart only with the right password', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const mailbox = await createMailbox(api, domain.id);
    expect(await checkMailboxCredentials(api.db, `nobody@${domain.name}`, PASSWORD)).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(await checkMailboxCredentials(api.db, 'not an address', PASSWORD)).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(await checkMailboxCredentials(api.db, mailbox.address, 'wrong password!')).toEqual({ ok: false, reason: 'invalid_credentials' });
    await api.http().patch(`/v1/mailboxes/${mailbox.id}`).set(api.admin).send({ status: 'disabled' }).expect(200);
    expect(await checkMailboxCredentials(api.db, mailbox.address, 'wrong password!')).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(await checkMailboxCredentials(api.db, mailbox.address, PASSWORD)).toMatchObject({ ok: false, reason: 'mailbox_disabled' });
    expect(await verifyMailboxPassword(api.db, mailbox.address, PASSWORD)).toBeNull();
    await api.http().patch(`/v1/mailboxes/${mailbox.id}`).set(api.admin).send({ status: 'active' }).expect(200);
    await api.http().post(`/v1/customers/${customer.id}/suspend`).set(api.admin).send({ reason: 'unpaid' }).expect(200);
    expect(await checkMailboxCredentials(api.db, mailbox.address, PASSWORD)).toMatchObject({ ok: false, reason: 'customer_suspended' });
    await api.http().post(`/v1/customers/${customer.id}/reactivate`).set(api.admin).send().expect(200);
    expect(await checkMailboxCredentials(api.db, mailbox.address, PASSWORD)).toMatchObject({ ok: true, mailbox: { id: mailbox.id } });
  });

  it('tells mail servers about changes with NOTIFY postbode_changes', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const mailbox = await createMailbox(api, domain.id);
    const listener = new Client({ connectionString: inject('databaseUrl') });
    await listener.connect();
    const seen: { kind: string; id: string }[] = [];
    listener.on('notification', (n) => {
      const payload = JSON.parse(n.payload ?? '{}');
      if (payload.id === mailbox.id) seen.push(payload);
    });
    try {
      await listener.query('LISTEN postbode_changes');
      await api.http().patch(`/v1/mailboxes/${mailbox.id}`).set(api.admin).send({ status: 'disabled' }).expect(200);
      await api.http().post(`/v1/mailboxes/${mailbox.id}/password`).set(api.admin).send({ password: `${PASSWORD}!` }).expect(204);
      await api.http().delete(`/v1/mailboxes/${mailbox.id}`).set(api.admin).expect(204);
      await expect.poll(() => seen.length, { timeout: 5000 }).toBe(3);
      expect(seen.every((p) => p.kind === 'mailbox' && p.id === mailbox.id)).toBe(true);
    } finally {
      await listener.end();
    }
  });

  it('makes IDNA addresses and accepts logins in either form', async () => {
    const customer = await createCustomer(api);
    const zone = unique('z').toLowerCase();
    const domain = await api.http().post('/v1/domains').set(api.admin).send({ customerId: customer.id, name: `bücher.${zone}.example` });
    const mailbox = await createMailbox(api, domain.body.id, { localPart: 'Info' });
    expect(mailbox.address).toBe(`info@xn--bcher-kva.${zone}.example`);
    expect(await verifyMailboxPassword(api.db, `INFO@Bücher.${zone}.example`, PASSWORD)).toMatchObject({ id: mailbox.id });
    const found = await api.http().get('/v1/mailboxes').query({ address: `info@bücher.${zone}.example` }).set(api.admin);
    expect(found.body.items.map((m: { id: string }) => m.id)).toEqual([mailbox.id]);
  });

  it('pages with limit and cursor and searches addresses', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const ids: string[] = [];
    for (const local of ['alpha', 'alfred', 'bravo', 'charlie', 'delta']) ids.push((await createMailbox(api, domain.id, { localPart: local })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await api.http().get('/v1/mailboxes').query({ domainId: domain.id, limit: 2, ...(cursor ? { cursor } : {}) }).set(api.admin);
      seen.push(...res.body.items.map((m: { id: string }) => m.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
    const prefix = await api.http().get('/v1/mailboxes').query({ domainId: domain.id, q: 'ALPH' }).set(api.admin);
    expect(prefix.body.items.map((m: { localPart: string }) => m.localPart)).toEqual(['alpha']);
    const middle = await api.http().get('/v1/mailboxes').query({ customerId: customer.id, q: 'ARLI' }).set(api.admin);
    expect(middle.body.items.map((m: { localPart: string }) => m.localPart)).toEqual(['charlie']);
    const literal = await api.http().get('/v1/mailboxes').query({ domainId: domain.id, q: '%' }).set(api.admin);
    expect(literal.body.items).toEqual([]);
  });

  it('refuses every write without the mailboxes:write scope', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const mailbox = await createMailbox(api, domain.id);
    const reader = await keyWith(api, ['mailboxes:read', 'domains:write', 'aliases:write']);
    expect((await api.http().get(`/v1/mailboxes/${mailbox.id}`).set(reader)).status).toBe(200);
    for (const res of [
      await api.http().post('/v1/mailboxes').set(reader).send({ domainId: domain.id, localPart: 'nope', password: PASSWORD }),
      await api.http().patch(`/v1/mailboxes/${mailbox.id}`).set(reader).send({ status: 'disabled' }),
      await api.http().post(`/v1/mailboxes/${mailbox.id}/password`).set(reader).send({ password: `${PASSWORD}2` }),
      await api.http().delete(`/v1/mailboxes/${mailbox.id}`).set(reader),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('insufficient_scope');
    }
    const none = await keyWith(api, ['domains:read']);
    expect((await api.http().get('/v1/mailboxes').set(none)).status).toBe(403);
    expect((await api.http().get(`/v1/mailboxes/${mailbox.id}`).set(none)).status).toBe(403);
    expect((await api.http().get(`/v1/mailboxes/${mailbox.id}`).set(api.admin)).body.status).toBe('active');
  });

  it('keeps a customer-bound key to its own customer’s mailboxes', async () => {
    const mine = await createCustomer(api);
    const theirs = await createCustomer(api);
    const myDomain = await createDomain(api, mine.id);
    const theirDomain = await createDomain(api, theirs.id);
    const other = await createMailbox(api, theirDomain.id);
    const key = await keyWith(api, ['mailboxes:write'], mine.id);

    const own = await api.http().post('/v1/mailboxes').set(key).send({ domainId: myDomain.id, localPart: 'me', password: PASSWORD });
    expect(own.status).toBe(201);
    const intoOther = await api.http().post('/v1/mailboxes').set(key).send({ domainId: theirDomain.id, localPart: 'me', password: PASSWORD });
    expect(intoOther.status).toBe(404);
    expect(intoOther.body.error.code).toBe('domain_not_found');

    for (const res of [
      await api.http().get(`/v1/mailboxes/${other.id}`).set(key),
      await api.http().patch(`/v1/mailboxes/${other.id}`).set(key).send({ status: 'disabled' }),
      await api.http().post(`/v1/mailboxes/${other.id}/password`).set(key).send({ password: `${PASSWORD}x` }),
      await api.http().delete(`/v1/mailboxes/${other.id}`).set(key),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('mailbox_not_found');
    }
    expect((await api.http().get('/v1/mailboxes').query({ limit: 200 }).set(key)).body.items.map((m: { id: string }) => m.id)).toEqual([own.body.id]);
    expect((await api.http().get('/v1/mailboxes').query({ domainId: theirDomain.id }).set(key)).body.items).toEqual([]);
    expect((await api.http().get('/v1/mailboxes').query({ customerId: theirs.id }).set(key)).body.items).toEqual([]);
    expect((await api.http().get('/v1/mailboxes').query({ address: other.address }).set(key)).body.items).toEqual([]);
    // untouched
    const still = await api.http().get(`/v1/mailboxes/${other.id}`).set(api.admin);
    expect(still.body.status).toBe('active');
    expect(await verifyMailboxPassword(api.db, other.address, PASSWORD)).not.toBeNull();
  });
});
