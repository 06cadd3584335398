import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Alias } from '../libs/core/src/entities';
import { changeAgreementStatus } from '../libs/core/src/agreements/agreement-lifecycle';
import { loadClientNetworkSubject, loadRecipientFacts, loadRelaySubject } from '../libs/core/src/relay/relay-subject';
import { loadRelayUsage, recordRelayUsage } from '../libs/core/src/relay/relay-usage';
import { bearer, startApi, TestApi, unique } from './support/api';
import { createMailboxFixture, publishVersion, signAgreement } from './support/fixtures';

describe('agreements', () => {
  let api: TestApi;
  let version: Awaited<ReturnType<typeof publishVersion>>;

  beforeAll(async () => {
    api = await startApi();
    version = await publishVersion(api, { messagesPerHour: 3, recipientsPerDay: 100, recipientsPerMessage: 10 });
  });
  afterAll(async () => api?.close());

  async function key(scopes: string[], customerId?: string) {
    const res = await api.http().post('/v1/api-keys').set(api.admin).send({ name: unique('key'), scopes, ...(customerId ? { customerId } : {}) });
    expect(res.status).toBe(201);
    return bearer(res.body.key);
  }

  const permission = async (mailboxId: string, auth = api.admin) => {
    const res = await api.http().get(`/v1/mailboxes/${mailboxId}/relay-permission`).set(auth);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('walks every transition, each an event with actor and reason', async () => {
    const { customer } = await createMailboxFixture(api.db);
    const { agreement } = await signAgreement(api, customer.id, version);
    const base = `/v1/agreements/${agreement.id}`;

    expect((await api.http().post(`${base}/suspend`).set(api.admin).send({})).status).toBe(400); // reason required
    const suspended = await api.http().post(`${base}/suspend`).set(api.admin).send({ reason: 'Spam complaints' });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ status: 'suspended', statusReason: 'Spam complaints', statusChangedBy: { type: 'api_key' } });
    expect((await api.http().post(`${base}/suspend`).set(api.admin).send({ reason: 'again' })).body.error.code).toBe('agreement_already_suspended');

    const reinstated = await api.http().post(`${base}/reinstate`).set(api.admin).send({ reason: 'Cleaned up' });
    expect(reinstated.body).toMatchObject({ status: 'active', statusReason: 'Cleaned up' });
    expect((await api.http().post(`${base}/reinstate`).set(api.admin).send({})).body.error.code).toBe('agreement_already_active');

    const revoked = await api.http().post(`${base}/revoke`).set(api.admin).send({ reason: 'Repeated abuse' });
    expect(revoked.body).toMatchObject({ status: 'revoked', statusReason: 'Repeated abuse' });
    for (const [path, body, code] of [
      ['revoke', { reason: 'x' }, 'agreement_already_revoked'],
      ['reinstate', {}, 'agreement_revoked'],
      ['suspend', { reason: 'x' }, 'agreement_revoked'],
    ] as const) {
      const res = await api.http().post(`${base}/${path}`).set(api.admin).send(body);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe(code);
    }
    expect((await api.http().patch(`${base}/limits`).set(api.admin).send({ messagesPerHour: 5 })).body.error.code).toBe('agreement_not_current');

    const events = await api.http().get('/v1/events').query({ targetId: agreement.id }).set(api.admin);
    const transitions = events.body.items.filter((e: { action: string }) => e.action !== 'agreement.signed');
    expect(transitions.map((e: { action: string }) => e.action)).toEqual(['agreement.suspended', 'agreement.reinstated', 'agreement.revoked']);
    expect(transitions.map((e: { after: { reason: string } }) => e.after.reason)).toEqual(['Spam complaints', 'Cleaned up', 'Repeated abuse']);
    expect(transitions.every((e: { actorType: string; actorId: string; before: object }) => e.actorType === 'api_key' && e.actorId && e.before)).toBe(true);

    // revoked is final: only a new signature brings the customer back
    const fresh = await signAgreement(api, customer.id, version);
    expect(fresh.agreement.status).toBe('active');
    expect((await api.http().get(base).set(api.admin)).body.status).toBe('revoked');
  });

  it('lets a customer-bound key read its own agreement but never change it', async () => {
    const mine = await createMailboxFixture(api.db);
    const other = await createMailboxFixture(api.db);
    const { agreement } = await signAgreement(api, mine.customer.id, version);
    const { agreement: theirs } = await signAgreement(api, other.customer.id, version);
    const portal = await key(['agreements:read', 'agreements:write', 'mailboxes:read', 'mailboxes:write'], mine.customer.id);

    expect((await api.http().get(`/v1/agreements/${agreement.id}`).set(portal)).status).toBe(200);
    expect((await api.http().get(`/v1/agreements/${agreement.id}/receipt`).set(portal)).status).toBe(200);
    expect((await api.http().get(`/v1/agreements/${theirs.id}`).set(portal)).status).toBe(404);
    expect((await api.http().get(`/v1/agreements/${theirs.id}/receipt`).set(portal)).status).toBe(404);
    const listed = await api.http().get('/v1/agreements').query({ limit: 200 }).set(portal);
    expect(listed.body.items.map((a: { id: string }) => a.id)).toEqual([agreement.id]);

    await api.http().post(`/v1/agreements/${agreement.id}/suspend`).set(api.admin).send({ reason: 'Spam run' }).expect(200);
    const reinstate = await api.http().post(`/v1/agreements/${agreement.id}/reinstate`).set(portal).send({ reason: 'we promise' });
    expect(reinstate.status).toBe(403);
    expect(reinstate.body.error.code).toBe('customer_bound_key');
    for (const [method, path, body] of [
      ['post', 'suspend', { reason: 'x' }],
      ['post', 'revoke', { reason: 'x' }],
      ['patch', 'limits', { messagesPerHour: 100000 }],
      ['put', 'client-networks', { clientNetworks: ['192.0.2.0/24'] }],
    ] as const) {
      expect((await api.http()[method](`/v1/agreements/${agreement.id}/${path}`).set(portal).send(body)).status).toBe(403);
    }
    expect((await api.http().get(`/v1/agreements/${agreement.id}`).set(api.admin)).body.status).toBe('suspended');
    const block = await api.http().post(`/v1/mailboxes/${mine.mailbox.id}/relay-block`).set(portal).send({ reason: 'x' });
    expect(block.status).toBe(403);
    // its own relay permission it may read; another customer's mailbox does not exist for it
    expect((await permission(mine.mailbox.id, portal)).reason).toBe('agreement_suspended');
    expect((await api.http().get(`/v1/mailboxes/${other.mailbox.id}/relay-permission`).set(portal)).status).toBe(404);
  });

  it('lets billing suspend, reinstate and change limits, but not revoke', async () => {
    const { customer } = await createMailboxFixture(api.db);
    const { agreement } = await signAgreement(api, customer.id, version);
    const billing = await key(['billing']);
    const base = `/v1/agreements/${agreement.id}`;
    expect((await api.http().post(`${base}/suspend`).set(billing).send({ reason: 'Invoice unpaid' })).status).toBe(200);
    expect((await api.http().post(`${base}/reinstate`).set(billing).send({})).body).toMatchObject({ status: 'active', statusReason: null });
    const limits = await api.http().patch(`${base}/limits`).set(billing).send({ recipientsPerDay: 5000 });
    expect(limits.status).toBe(200);
    expect(limits.body.limits).toEqual({ messagesPerHour: 3, recipientsPerDay: 5000, recipientsPerMessage: 10 });
    expect((await api.http().patch(`${base}/limits`).set(billing).send({})).status).toBe(400);
    expect((await api.http().patch(`${base}/limits`).set(billing).send({ messagesPerHour: 0 })).status).toBe(400);
    expect((await api.http().post(`${base}/revoke`).set(billing).send({ reason: 'x' })).status).toBe(403);
    expect((await api.http().put(`${base}/client-networks`).set(billing).send({ clientNetworks: [] })).status).toBe(403);
    const reader = await key(['agreements:read']);
    expect((await api.http().post(`${base}/suspend`).set(reader).send({ reason: 'x' })).status).toBe(403);
    const events = await api.http().get('/v1/events').query({ targetId: agreement.id, action: 'agreement.limits_changed' }).set(api.admin);
    expect(events.body.items[0]).toMatchObject({ before: { limits: { recipientsPerDay: 100 } }, after: { limits: { recipientsPerDay: 5000 } } });
  });

  it('filters the list by customer and status', async () => {
    const a = await createMailboxFixture(api.db);
    const { agreement } = await signAgreement(api, a.customer.id, version);
    await api.http().post(`/v1/agreements/${agreement.id}/suspend`).set(api.admin).send({ reason: 'x' }).expect(200);
    const suspended = await api.http().get('/v1/agreements').query({ customerId: a.customer.id, status: 'suspended' }).set(api.admin);
    expect(suspended.body.items.map((x: { id: string }) => x.id)).toEqual([agreement.id]);
    expect((await api.http().get('/v1/agreements').query({ customerId: a.customer.id, status: 'active' }).set(api.admin)).body.items).toEqual([]);
    expect((await api.http().get('/v1/agreements').query({ status: 'bogus' }).set(api.admin)).status).toBe(400);
  });

  it('keeps client networks canonical and refuses bad ones, naming the entry', async () => {
    const { customer } = await createMailboxFixture(api.db);
    const { agreement } = await signAgreement(api, customer.id, version);
    const ok = await api.http().put(`/v1/agreements/${agreement.id}/client-networks`).set(api.admin).send({ clientNetworks: ['198.51.100.77/28', '2001:DB8:20::1/48', '198.51.100.64/28'] });
    expect(ok.status).toBe(200);
    expect(ok.body.clientNetworks).toEqual(['198.51.100.64/28', '2001:db8:20::/48']);
    const bad = await api.http().put(`/v1/agreements/${agreement.id}/client-networks`).set(api.admin).send({ clientNetworks: ['192.0.2.0/24', '0.0.0.0/0'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('clientNetworks[1]');
  });

  describe('relay permission', () => {
    it('follows the agreement: none, signed, suspended, blocked, revoked', async () => {
      const { customer, mailbox } = await createMailboxFixture(api.db);
      const changes = new Client({ connectionString: inject('databaseUrl') });
      const notes: { kind: string; id: string }[] = [];
      await changes.connect();
      changes.on('notification', (n) => notes.push(JSON.parse(n.payload ?? '{}')));
      await changes.query('LISTEN postbode_changes');
      try {
        const before = await permission(mailbox.id);
        expect(before).toMatchObject({
          mailboxId: mailbox.id,
          address: mailbox.address,
          allowed: false,
          code: 550,
          enhancedCode: '5.7.1',
          reason: 'no_agreement',
          limits: null,
          agreementId: null,
          usage: { messagesThisHour: 0, recipientsLast24Hours: 0 },
        });
        expect(before.message).toMatch(/not signed/);

        const { agreement } = await signAgreement(api, customer.id, version);
        expect(await permission(mailbox.id)).toMatchObject({ allowed: true, code: null, enhancedCode: null, reason: null, limits: version.limits, agreementId: agreement.id });

        await api.http().post(`/v1/agreements/${agreement.id}/suspend`).set(api.admin).send({ reason: 'Spam' }).expect(200);
        expect(await permission(mailbox.id)).toMatchObject({ allowed: false, code: 550, enhancedCode: '5.7.1', reason: 'agreement_suspended' });
        await api.http().post(`/v1/agreements/${agreement.id}/reinstate`).set(api.admin).send({}).expect(200);
        expect((await permission(mailbox.id)).allowed).toBe(true);

        const blocked = await api.http().post(`/v1/mailboxes/${mailbox.id}/relay-block`).set(api.admin).send({ reason: 'Leaked password' });
        expect(blocked.status).toBe(200);
        expect(blocked.body).toMatchObject({ relayBlocked: true, relayBlockedReason: 'Leaked password' });
        expect((await api.http().post(`/v1/mailboxes/${mailbox.id}/relay-block`).set(api.admin).send({ reason: 'again' })).body.error.code).toBe('relay_already_blocked');
        expect(await permission(mailbox.id)).toMatchObject({ allowed: false, code: 550, reason: 'relay_blocked' });
        expect((await api.http().get(`/v1/agreements/${agreement.id}`).set(api.admin)).body.status).toBe('active'); // the agreement is untouched
        const unblocked = await api.http().delete(`/v1/mailboxes/${mailbox.id}/relay-block`).set(api.admin);
        expect(unblocked.body).toMatchObject({ relayBlocked: false, relayBlockedReason: null, relayBlockedAt: null });
        expect((await api.http().delete(`/v1/mailboxes/${mailbox.id}/relay-block`).set(api.admin)).body.error.code).toBe('relay_not_blocked');
        expect((await permission(mailbox.id)).allowed).toBe(true);

        await api.http().post(`/v1/customers/${customer.id}/suspend`).set(api.admin).send({ reason: 'unpaid' }).expect(200);
        expect((await permission(mailbox.id)).reason).toBe('customer_suspended');
        await api.http().post(`/v1/customers/${customer.id}/reactivate`).set(api.admin).send().expect(200);

        await api.http().post(`/v1/agreements/${agreement.id}/revoke`).set(api.admin).send({ reason: 'Abuse' }).expect(200);
        expect(await permission(mailbox.id)).toMatchObject({ allowed: false, code: 550, reason: 'agreement_revoked' });

        const events = await api.http().get('/v1/events').query({ targetId: mailbox.id }).set(api.admin);
        expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['mailbox.relay_blocked', 'mailbox.relay_unblocked']);
        await new Promise((r) => setTimeout(r, 100));
        expect(notes).toEqual(expect.arrayContaining([{ kind: 'mailbox', id: mailbox.id }, { kind: 'agreement', id: agreement.id, customerId: customer.id }]));
      } finally {
        await changes.end();
      }
    });

    it('counts usage against the limits', async () => {
      const { customer, mailbox } = await createMailboxFixture(api.db);
      await signAgreement(api, customer.id, version);
      const subject = (await loadRelaySubject(api.db.manager, { mailboxId: mailbox.id }))!;
      await recordRelayUsage(api.db.manager, subject, { messages: 2, recipients: 7 });
      await recordRelayUsage(api.db.manager, subject, { messages: 1, recipients: 1 }, new Date(Date.now() - 3 * 3_600_000)); // an earlier hour
      await recordRelayUsage(api.db.manager, subject, { messages: 5, recipients: 50 }, new Date(Date.now() - 25 * 3_600_000)); // too old to count
      expect(await loadRelayUsage(api.db.manager, subject)).toEqual({ messagesThisHour: 2, recipientsLast24Hours: 8 });
      expect(await permission(mailbox.id)).toMatchObject({ allowed: true, usage: { messagesThisHour: 2, recipientsLast24Hours: 8 } });
      await recordRelayUsage(api.db.manager, subject, { messages: 1, recipients: 1 });
      expect(await permission(mailbox.id)).toMatchObject({ allowed: false, code: 451, enhancedCode: '4.7.1', reason: 'messages_per_hour', usage: { messagesThisHour: 3 } });
    });

    it('answers 404 for unknown mailboxes and needs a scope', async () => {
      expect((await api.http().get('/v1/mailboxes/0190a4e8-0000-7000-8000-000000000000/relay-permission').set(api.admin)).status).toBe(404);
      expect((await api.http().post('/v1/mailboxes/0190a4e8-0000-7000-8000-000000000000/relay-block').set(api.admin).send({ reason: 'x' })).status).toBe(404);
      const { mailbox } = await createMailboxFixture(api.db);
      expect((await api.http().get(`/v1/mailboxes/${mailbox.id}/relay-permission`).set(await key(['customers:read']))).status).toBe(403);
      expect((await api.http().post(`/v1/mailboxes/${mailbox.id}/relay-block`).set(await key(['mailboxes:write'])).send({ reason: 'staff' })).status).toBe(200);
      expect((await api.http().post(`/v1/mailboxes/${mailbox.id}/relay-block`).set(api.admin).send({})).status).toBe(400);
    });
  });

  describe('loaders the mail server shares', () => {
    it('load the subject by address, the recipient facts and client-network subjects', async () => {
      const { customer, domain, mailbox } = await createMailboxFixture(api.db);
      const { agreement } = await signAgreement(api, customer.id, version);
      await api.db.getRepository(Alias).save(api.db.getRepository(Alias).create({ domainId: domain.id, customerId: customer.id, address: `sales@${domain.name}`, targets: [mailbox.address] }));
      const m = api.db.manager;

      const byAddress = await loadRelaySubject(m, { address: `JAN@${domain.name.toUpperCase()}.` });
      expect(byAddress).toMatchObject({
        kind: 'mailbox',
        mailboxId: mailbox.id,
        customerStatus: 'active',
        mailboxStatus: 'active',
        relayBlocked: false,
        agreement: { id: agreement.id, status: 'active', limits: version.limits },
      });
      expect([...byAddress!.ownedAddresses].sort()).toEqual([mailbox.address, `sales@${domain.name}`].sort());
      expect(await loadRelaySubject(m, { address: `nobody@${domain.name}` })).toBeNull();

      expect(await loadRecipientFacts(m, `Jan@${domain.name}.`)).toEqual({ recipientDomainHosted: true, localRecipient: 'deliverable' });
      expect(await loadRecipientFacts(m, `jan+tag@${domain.name}`)).toEqual({ recipientDomainHosted: true, localRecipient: 'deliverable' });
      expect(await loadRecipientFacts(m, `sales@${domain.name}`)).toEqual({ recipientDomainHosted: true, localRecipient: 'deliverable' });
      expect(await loadRecipientFacts(m, `nobody@${domain.name}`)).toEqual({ recipientDomainHosted: true, localRecipient: 'unknown' });
      expect(await loadRecipientFacts(m, 'someone@remote.example')).toEqual({ recipientDomainHosted: false, localRecipient: null });
      expect(await loadRecipientFacts(m, `someone%remote.example@${domain.name}`)).toEqual({ recipientDomainHosted: false, localRecipient: null });
      await api.db.query('UPDATE mailboxes SET used_bytes = quota_bytes WHERE id = $1', [mailbox.id]);
      expect((await loadRecipientFacts(m, mailbox.address)).localRecipient).toBe('over_quota');
      await api.db.query(`UPDATE mailboxes SET status = 'disabled' WHERE id = $1`, [mailbox.id]);
      expect((await loadRecipientFacts(m, mailbox.address)).localRecipient).toBe('disabled');

      // a /32 of a documentation range of its own, so parallel tests do not collide
      const ip = `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
      await api.http().put(`/v1/agreements/${agreement.id}/client-networks`).set(api.admin).send({ clientNetworks: [`${ip}/32`] }).expect(200);
      const net = await loadClientNetworkSubject(m, `::ffff:${ip}`);
      expect(net).toMatchObject({ kind: 'client_network', customerId: customer.id, ownedDomains: [domain.name], agreement: { id: agreement.id } });
      expect(await loadClientNetworkSubject(m, 'garbage')).toBeNull();

      // the transition the mail server will use for automatic suspension
      await api.db.transaction((tx) => changeAgreementStatus(tx, { type: 'system', id: null }, agreement.id, 'suspend', 'limits broken'));
      expect((await loadRelaySubject(m, { mailboxId: mailbox.id }))!.agreement!.status).toBe('suspended');
      const events = await api.http().get('/v1/events').query({ targetId: agreement.id, action: 'agreement.suspended' }).set(api.admin);
      expect(events.body.items[0]).toMatchObject({ actorType: 'system', after: { reason: 'limits broken', statusChangedBy: { type: 'system', id: null } } });
    });
  });
});
