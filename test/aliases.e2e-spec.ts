import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseDirectory } from '../libs/core/src/aliases/directory';
import { expandAddress } from '../libs/core/src/aliases/resolve';
import { startApi, TestApi, unique } from './support/api';
import { createCustomer, createDomain, createMailbox, domainName, fieldsOf, keyWith } from './support/fixtures';

describe('aliases', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  const post = (body: object) => api.http().post('/v1/aliases').set(api.admin).send(body);

  it('creates, reads, lists, updates and deletes an alias that the mail server can expand', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const anna = await createMailbox(api, domain.id);
    const jan = await createMailbox(api, domain.id);
    const created = await post({ address: `Sales@${domain.name.toUpperCase()}`, targets: [anna.address.toUpperCase(), 'Boss@Elsewhere.Example.', anna.address] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      domainId: domain.id,
      customerId: customer.id,
      address: `sales@${domain.name}`,
      catchAll: false,
      targets: [anna.address, 'boss@elsewhere.example'],
    });
    const id = created.body.id;
    expect((await api.http().get(`/v1/aliases/${id}`).set(api.admin)).body).toEqual(created.body);
    expect((await api.http().get('/v1/aliases').query({ domainId: domain.id }).set(api.admin)).body.items.map((a: { id: string }) => a.id)).toEqual([id]);
    expect((await api.http().get('/v1/aliases').query({ target: 'BOSS@elsewhere.example' }).set(api.admin)).body.items.map((a: { id: string }) => a.id)).toContain(id);
    expect((await api.http().get('/v1/aliases').query({ customerId: customer.id, q: 'SAL' }).set(api.admin)).body.items.map((a: { id: string }) => a.id)).toEqual([id]);

    const expansion = await expandAddress(databaseDirectory(api.db), `sales+news@${domain.name}`);
    expect(expansion.mailboxes.map((m) => m.id)).toEqual([anna.id]);
    expect(expansion.external).toEqual(['boss@elsewhere.example']);

    const patched = await api.http().patch(`/v1/aliases/${id}`).set(api.admin).send({ targets: [jan.address] });
    expect(patched.status).toBe(200);
    expect(patched.body.targets).toEqual([jan.address]);
    const events = await api.http().get('/v1/events').query({ targetId: id }).set(api.admin);
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['alias.created', 'alias.updated']);

    expect((await api.http().delete(`/v1/aliases/${id}`).set(api.admin)).status).toBe(204);
    expect((await api.http().get(`/v1/aliases/${id}`).set(api.admin)).status).toBe(404);
  });

  it('names every bad field', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const mailbox = await createMailbox(api, domain.id);
    const empty = await post({ address: 5, targets: [], extra: true });
    expect(empty.status).toBe(400);
    expect(fieldsOf(empty.body)).toEqual(expect.arrayContaining(['address', 'targets', 'extra']));
    const tooMany = await post({ address: `x@${domain.name}`, targets: Array.from({ length: 101 }, (_, i) => `u${i}@far.example`) });
    expect(fieldsOf(tooMany.body)).toEqual(['targets']);

    for (const address of ['no-at-sign', `a..b@${domain.name}`, `a+b@${domain.name}`, 'x@not_a_domain', `@${domain.name}`]) {
      const bad = await post({ address, targets: [mailbox.address] });
      expect(bad.status, address).toBe(400);
      expect(fieldsOf(bad.body), address).toEqual(['address']);
    }
    const badTarget = await post({ address: `t@${domain.name}`, targets: [mailbox.address, 'not an address'] });
    expect(badTarget.status).toBe(400);
    expect(fieldsOf(badTarget.body)).toEqual(['targets[1]']);
    const catchAllTarget = await post({ address: `t@${domain.name}`, targets: [`*@${domain.name}`] });
    expect(fieldsOf(catchAllTarget.body)).toEqual(['targets[0]']);
  });

  it('accepts only hosted domains for the address and existing local targets', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const mailbox = await createMailbox(api, domain.id);
    const notHosted = await post({ address: `x@${domainName('nothosted')}`, targets: [mailbox.address] });
    expect(notHosted.status).toBe(422);
    expect(notHosted.body.error).toMatchObject({ code: 'domain_not_hosted', details: { field: 'address' } });

    const unknownTarget = await post({ address: `x@${domain.name}`, targets: [mailbox.address, `ghost@${domain.name}`] });
    expect(unknownTarget.status).toBe(422);
    expect(unknownTarget.body.error).toMatchObject({ code: 'alias_target_unknown', details: { field: 'targets[1]', target: `ghost@${domain.name}` } });
    expect(unknownTarget.body.error.message).toContain(`ghost@${domain.name}`);

    // a subaddress of a mailbox, another alias, and any address once the domain has a catch-all
    expect((await post({ address: `plus@${domain.name}`, targets: [mailbox.address.replace('@', '+tag@')] })).status).toBe(201);
    expect((await post({ address: `chain@${domain.name}`, targets: [`plus@${domain.name}`] })).status).toBe(201);
    const catchAll = await post({ address: `*@${domain.name}`, targets: [mailbox.address] });
    expect(catchAll.status).toBe(201);
    expect(catchAll.body).toMatchObject({ address: `*@${domain.name}`, catchAll: true });
    expect((await post({ address: `x@${domain.name}`, targets: [`ghost@${domain.name}`] })).status).toBe(201);

    const dup = await post({ address: `X@${domain.name}`, targets: [mailbox.address] });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'address_taken', details: { takenBy: 'alias' } });
    const mailboxClash = await post({ address: mailbox.address, targets: ['someone@far.example'] });
    expect(mailboxClash.status).toBe(409);
    expect(mailboxClash.body.error).toMatchObject({ code: 'address_taken', details: { field: 'address', takenBy: 'mailbox' } });
  });

  it('stores IDNA alias addresses and targets in punycode', async () => {
    const customer = await createCustomer(api);
    const zone = unique('z').toLowerCase();
    const domain = await api.http().post('/v1/domains').set(api.admin).send({ customerId: customer.id, name: `bücher.${zone}.example` });
    const mailbox = await createMailbox(api, domain.body.id, { localPart: 'kasse' });
    const alias = await post({ address: `Info@Bücher.${zone}.example`, targets: [`Kasse@BÜCHER.${zone}.example`, 'x@müller.example'] });
    expect(alias.status).toBe(201);
    expect(alias.body.address).toBe(`info@xn--bcher-kva.${zone}.example`);
    expect(alias.body.targets).toEqual([mailbox.address, 'x@xn--mller-kva.example']);
  });

  it('refuses loops: direct, self, three hops, across domains and through a catch-all', async () => {
    const customer = await createCustomer(api);
    const d = await createDomain(api, customer.id);
    const e = await createDomain(api, customer.id);
    const m = await createMailbox(api, d.id);
    const at = (local: string, dom = d) => `${local}@${dom.name}`;

    // direct: a → b, then b → a
    const b = await post({ address: at('b'), targets: [m.address] });
    expect((await post({ address: at('a'), targets: [at('b')] })).status).toBe(201);
    const direct = await api.http().patch(`/v1/aliases/${b.body.id}`).set(api.admin).send({ targets: [at('a')] });
    expect(direct.status).toBe(422);
    expect(direct.body.error).toMatchObject({ code: 'alias_loop', details: { chain: [at('b'), at('a'), at('b')] } });
    expect((await api.http().get(`/v1/aliases/${b.body.id}`).set(api.admin)).body.targets).toEqual([m.address]);

    // self
    const self = await post({ address: at('self'), targets: [m.address, at('self')] });
    expect(self.status).toBe(422);
    expect(self.body.error.details.chain).toEqual([at('self'), at('self')]);

    // three hops, across two domains: h1@d → h2@e → h3@d → h1@d
    const h1 = await post({ address: at('h1'), targets: [m.address] });
    expect((await post({ address: at('h2', e), targets: [at('h1')] })).status).toBe(201);
    expect((await post({ address: at('h3'), targets: [at('h2', e)] })).status).toBe(201);
    const threeHop = await api.http().patch(`/v1/aliases/${h1.body.id}`).set(api.admin).send({ targets: [m.address, at('h3')] });
    expect(threeHop.status).toBe(422);
    expect(threeHop.body.error).toMatchObject({ code: 'alias_loop', details: { chain: [at('h1'), at('h3'), at('h2', e), at('h1')] } });
    expect(threeHop.body.error.message).toContain(' → ');

    // through a catch-all: *@e → ghost@e, and ghost@e is nothing but the catch-all itself
    const viaCatchAll = await post({ address: `*@${e.name}`, targets: [at('ghost', e)] });
    expect(viaCatchAll.status).toBe(422);
    expect(viaCatchAll.body.error.details.chain).toEqual([`*@${e.name}`, at('ghost', e), `*@${e.name}`]);

    // through a catch-all of another domain: *@e → x@d, x@d → y@e (which falls to *@e)
    expect((await post({ address: `*@${e.name}`, targets: [m.address] })).status).toBe(201);
    const x = await post({ address: at('x'), targets: [at('y', e)] });
    expect(x.status).toBe(201);
    const caList = await api.http().get('/v1/aliases').query({ domainId: e.id, q: '*' }).set(api.admin);
    const catchAllId = caList.body.items.find((a: { address: string }) => a.address === `*@${e.name}`).id;
    const closing = await api.http().patch(`/v1/aliases/${catchAllId}`).set(api.admin).send({ targets: [at('x')] });
    expect(closing.status).toBe(422);
    expect(closing.body.error.details.chain).toEqual([`*@${e.name}`, at('x'), at('y', e), `*@${e.name}`]);
  });

  it('refuses a deletion that would make an address fall into a looping catch-all', async () => {
    const customer = await createCustomer(api);
    const d = await createDomain(api, customer.id);
    const m = await createMailbox(api, d.id);
    // *@d → m; deleting m would send m's mail to *@d, which forwards it to m: a loop
    expect((await post({ address: `*@${d.name}`, targets: [m.address] })).status).toBe(201);
    const refused = await api.http().delete(`/v1/mailboxes/${m.id}`).set(api.admin);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'alias_loop', details: { chain: [`*@${d.name}`, m.address, `*@${d.name}`] } });
    expect((await api.http().get(`/v1/mailboxes/${m.id}`).set(api.admin)).status).toBe(200);

    // the same for an alias: *@d → fwd@d → m, then *@d → fwd; deleting fwd closes the loop
    const fwd = await post({ address: `fwd@${d.name}`, targets: [m.address] });
    const catchAll = (await api.http().get('/v1/aliases').query({ domainId: d.id }).set(api.admin)).body.items.find((a: { catchAll: boolean }) => a.catchAll);
    expect((await api.http().patch(`/v1/aliases/${catchAll.id}`).set(api.admin).send({ targets: [`fwd@${d.name}`] })).status).toBe(200);
    expect((await api.http().delete(`/v1/aliases/${fwd.body.id}`).set(api.admin)).status).toBe(422);
    // without the catch-all both go
    expect((await api.http().delete(`/v1/aliases/${catchAll.id}`).set(api.admin)).status).toBe(204);
    expect((await api.http().delete(`/v1/aliases/${fwd.body.id}`).set(api.admin)).status).toBe(204);
    expect((await api.http().delete(`/v1/mailboxes/${m.id}`).set(api.admin)).status).toBe(204);
  });

  it('pages with limit and cursor', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post({ address: `list${i}@${domain.name}`, targets: [`t${i}@far.example`] })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await api.http().get('/v1/aliases').query({ domainId: domain.id, limit: 2, ...(cursor ? { cursor } : {}) }).set(api.admin);
      seen.push(...res.body.items.map((a: { id: string }) => a.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it('refuses every write without the aliases:write scope', async () => {
    const customer = await createCustomer(api);
    const domain = await createDomain(api, customer.id);
    const alias = await post({ address: `scoped@${domain.name}`, targets: ['a@far.example'] });
    const reader = await keyWith(api, ['aliases:read', 'mailboxes:write', 'domains:write']);
    expect((await api.http().get(`/v1/aliases/${alias.body.id}`).set(reader)).status).toBe(200);
    for (const res of [
      await api.http().post('/v1/aliases').set(reader).send({ address: `new@${domain.name}`, targets: ['a@far.example'] }),
      await api.http().patch(`/v1/aliases/${alias.body.id}`).set(reader).send({ targets: ['b@far.example'] }),
      await api.http().delete(`/v1/aliases/${alias.body.id}`).set(reader),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('insufficient_scope');
    }
    expect((await api.http().get('/v1/aliases').set(await keyWith(api, ['mailboxes:read']))).status).toBe(403);
  });

  it('keeps a customer-bound key to its own customer’s aliases', async () => {
    const mine = await createCustomer(api);
    const theirs = await createCustomer(api);
    const myDomain = await createDomain(api, mine.id);
    const theirDomain = await createDomain(api, theirs.id);
    const other = await post({ address: `theirs@${theirDomain.name}`, targets: ['a@far.example'] });
    const key = await keyWith(api, ['aliases:write'], mine.id);

    const own = await api.http().post('/v1/aliases').set(key).send({ address: `mine@${myDomain.name}`, targets: ['a@far.example'] });
    expect(own.status).toBe(201);
    const intoOther = await api.http().post('/v1/aliases').set(key).send({ address: `sneaky@${theirDomain.name}`, targets: ['a@far.example'] });
    expect(intoOther.status).toBe(422);
    expect(intoOther.body.error.code).toBe('domain_not_hosted');

    for (const res of [
      await api.http().get(`/v1/aliases/${other.body.id}`).set(key),
      await api.http().patch(`/v1/aliases/${other.body.id}`).set(key).send({ targets: ['me@far.example'] }),
      await api.http().delete(`/v1/aliases/${other.body.id}`).set(key),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('alias_not_found');
    }
    expect((await api.http().get('/v1/aliases').query({ limit: 200 }).set(key)).body.items.map((a: { id: string }) => a.id)).toEqual([own.body.id]);
    expect((await api.http().get('/v1/aliases').query({ domainId: theirDomain.id }).set(key)).body.items).toEqual([]);
    expect((await api.http().get('/v1/aliases').query({ customerId: theirs.id }).set(key)).body.items).toEqual([]);
    expect((await api.http().get(`/v1/aliases/${other.body.id}`).set(api.admin)).body.targets).toEqual(['a@far.example']);
  });
});
