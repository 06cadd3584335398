import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startApi, TestApi, unique } from './support/api';
import { publishVersion } from './support/fixtures';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('agreement versions and signing', () => {
  let api: TestApi;
  let version: Awaited<ReturnType<typeof publishVersion>>;

  beforeAll(async () => {
    api = await startApi({ PUBLIC_URL: 'https://mail.isp.example' });
    version = await publishVersion(api);
  });
  afterAll(async () => api?.close());

  async function newCustomer(name = 'Bakkerij de Vries'): Promise<string> {
    const res = await api.http().post('/v1/customers').set(api.admin).send({ name, contactEmail: 'admin@bakkerij.example' });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function invite(customerId: string, body: object = { versionId: version.id }) {
    const res = await api.http().post(`/v1/customers/${customerId}/agreement-invitations`).set(api.admin).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; token: string; signingUrl: string; expiresAt: string; versionId: string };
  }

  const signBody = (over: object = {}) => ({ fullName: 'Jan de Vries', email: 'jan@bakkerij.example', accept: true, versionSha256: version.sha256, ...over });

  describe('versions', () => {
    it('keeps drafts editable and published versions fixed, hashed and numbered', async () => {
      const draft = await api
        .http()
        .post('/v1/agreement-versions')
        .set(api.admin)
        .send({ title: 'Draft terms', text: 'Line one\r\nLine two', limits: { messagesPerHour: 10, recipientsPerDay: 20, recipientsPerMessage: 5 } });
      expect(draft.status).toBe(201);
      expect(draft.body).toMatchObject({ status: 'draft', number: null, sha256: null, text: 'Line one\nLine two', limits: { messagesPerHour: 10 } });
      const id = draft.body.id;

      const edited = await api.http().patch(`/v1/agreement-versions/${id}`).set(api.admin).send({ text: 'Final words', limits: { messagesPerHour: 11, recipientsPerDay: 20, recipientsPerMessage: 5 } });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ text: 'Final words', limits: { messagesPerHour: 11 } });

      const published = await api.http().post(`/v1/agreement-versions/${id}/publish`).set(api.admin).send();
      expect(published.status).toBe(200);
      expect(published.body.status).toBe('published');
      expect(published.body.sha256).toBe(sha256('Final words'));
      expect(published.body.number).toBeGreaterThan(version.number);
      expect(published.body.publishedAt).toBeTruthy();

      const patch = await api.http().patch(`/v1/agreement-versions/${id}`).set(api.admin).send({ title: 'Sneaky change' });
      expect(patch.status).toBe(409);
      expect(patch.body.error.code).toBe('agreement_version_published');
      expect((await api.http().delete(`/v1/agreement-versions/${id}`).set(api.admin)).status).toBe(409);
      expect((await api.http().post(`/v1/agreement-versions/${id}/publish`).set(api.admin).send()).body.error.code).toBe('agreement_version_already_published');
      expect((await api.http().get(`/v1/agreement-versions/${id}`).set(api.admin)).body.title).toBe('Draft terms');

      const current = await api.http().get('/v1/agreement-versions/current').set(api.admin);
      expect(current.status).toBe(200);
      expect(current.body.status).toBe('published');
      expect(current.body.number).toBeGreaterThanOrEqual(published.body.number);

      const listed = await api.http().get('/v1/agreement-versions').query({ status: 'published', limit: 200 }).set(api.admin);
      expect(listed.body.items.every((v: { status: string }) => v.status === 'published')).toBe(true);
    });

    it('lets a draft be deleted and hides drafts from customer-bound keys', async () => {
      const draft = await api.http().post('/v1/agreement-versions').set(api.admin).send({ title: 'Scratch', text: 'x', limits: { messagesPerHour: 1, recipientsPerDay: 1, recipientsPerMessage: 1 } });
      const customerId = await newCustomer();
      const key = await api.http().post('/v1/api-keys').set(api.admin).send({ name: 'portal', scopes: ['agreements:write'], customerId });
      const portal = bearer(key.body.key);
      expect((await api.http().get(`/v1/agreement-versions/${draft.body.id}`).set(portal)).status).toBe(404);
      expect((await api.http().get(`/v1/agreement-versions/${version.id}`).set(portal)).status).toBe(200);
      const write = await api.http().post('/v1/agreement-versions').set(portal).send({ title: 'Mine', text: 'y', limits: { messagesPerHour: 1, recipientsPerDay: 1, recipientsPerMessage: 1 } });
      expect(write.status).toBe(403);
      expect((await api.http().delete(`/v1/agreement-versions/${draft.body.id}`).set(api.admin)).status).toBe(204);
      expect((await api.http().get(`/v1/agreement-versions/${draft.body.id}`).set(api.admin)).status).toBe(404);
    });

    it('names bad fields', async () => {
      const res = await api.http().post('/v1/agreement-versions').set(api.admin).send({ title: '', text: 'x', limits: { messagesPerHour: 0, recipientsPerDay: 'many' } });
      expect(res.status).toBe(400);
      const fields = res.body.error.details.map((d: { field: string }) => d.field);
      expect(fields).toEqual(expect.arrayContaining(['title', 'limits.messagesPerHour', 'limits.recipientsPerDay', 'limits.recipientsPerMessage']));
    });
  });

  describe('signing', () => {
    it('invites, shows the terms, signs with evidence, refuses reuse and hands out the receipt', async () => {
      const customerId = await newCustomer('Bakkerij de Vries');
      const inv = await invite(customerId);
      expect(inv.signingUrl).toBe(`https://mail.isp.example/sign/${inv.token}`);
      const days = (new Date(inv.expiresAt).getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(13.9);
      expect(days).toBeLessThanOrEqual(14);
      const stored = await api.db.query('SELECT token_hash FROM agreement_invitations WHERE id = $1', [inv.id]);
      expect(stored[0].token_hash).toBe(sha256(inv.token));

      const page = await api.http().get(`/v1/signing/${inv.token}`);
      expect(page.status).toBe(200);
      expect(page.body.customerName).toBe('Bakkerij de Vries');
      expect(page.body.version).toMatchObject({ id: version.id, text: version.text, sha256: version.sha256 });
      expect(page.body.version.text).toBe('# No spam\n\nYou will **not** send spam.\n');
      expect(sha256(page.body.version.text)).toBe(page.body.version.sha256);
      expect(page.body.version.html).toContain('<strong>not</strong>');

      const refused = [
        [{ accept: false }, 400],
        [{ accept: 'true' }, 400],
        [{ fullName: '   ' }, 400],
        [{ fullName: 'Jan\nEvil: yes' }, 400],
        [{ email: 'not-an-email' }, 400],
        [{ versionSha256: 'abc' }, 400],
        [{ versionSha256: sha256('some other text') }, 409],
      ] as const;
      for (const [over, status] of refused) {
        const res = await api.http().post(`/v1/signing/${inv.token}`).send(signBody(over));
        expect(res.status, JSON.stringify(over)).toBe(status);
      }
      const mismatch = await api.http().post(`/v1/signing/${inv.token}`).send(signBody({ versionSha256: sha256('x') }));
      expect(mismatch.body.error.code).toBe('version_mismatch');

      const signed = await api.http().post(`/v1/signing/${inv.token}`).set('User-Agent', 'Firefox/140 test').send(signBody({ fullName: '  Jan de Vries ' }));
      expect(signed.status).toBe(201);
      const agreement = signed.body.agreement;
      expect(agreement).toMatchObject({
        customerId,
        versionId: version.id,
        invitationId: inv.id,
        status: 'active',
        signerName: 'Jan de Vries',
        signerEmail: 'jan@bakkerij.example',
        signerUserAgent: 'Firefox/140 test',
        textSha256: version.sha256,
        limits: version.limits,
        statusChangedBy: { type: 'signer', id: inv.id },
      });
      expect(agreement.signerIp).toBe('127.0.0.1');
      expect(Math.abs(new Date(agreement.signedAt).getTime() - Date.now())).toBeLessThan(60_000);
      expect(signed.body.receiptUrl).toBe(`https://mail.isp.example/v1/signing/${inv.token}/receipt`);

      // one signature per link
      const again = await api.http().post(`/v1/signing/${inv.token}`).send(signBody());
      expect(again.status).toBe(410);
      expect(again.body.error.code).toBe('signing_link_used');
      expect(again.body.error.message).toMatch(/already used/);
      expect((await api.http().get(`/v1/signing/${inv.token}`)).body.error.code).toBe('signing_link_used');

      // the receipt, through the link and through the API
      const receipt = await api.http().get(`/v1/signing/${inv.token}/receipt`);
      expect(receipt.status).toBe(200);
      expect(receipt.headers['content-type']).toMatch(/^text\/markdown/);
      for (const part of ['Jan de Vries <jan@bakkerij.example>', 'Bakkerij de Vries', version.sha256, '127.0.0.1', 'Firefox/140 test', agreement.id]) {
        expect(receipt.text).toContain(part);
      }
      const verbatim = /-----BEGIN AGREEMENT TEXT-----\n([\s\S]*)\n-----END AGREEMENT TEXT-----/.exec(receipt.text);
      expect(verbatim && sha256(verbatim[1])).toBe(version.sha256);
      const viaApi = await api.http().get(`/v1/agreements/${agreement.id}/receipt`).set(api.admin);
      expect(viaApi.status).toBe(200);
      expect(viaApi.text).toBe(receipt.text);

      const events = await api.http().get('/v1/events').query({ customerId, limit: 50 }).set(api.admin);
      const actions = events.body.items.map((e: { action: string }) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['agreement_invitation.created', 'agreement.signed']));
      expect(JSON.stringify(events.body.items)).not.toContain(inv.token);
      const signedEvent = events.body.items.find((e: { action: string }) => e.action === 'agreement.signed');
      expect(signedEvent).toMatchObject({ actorType: 'signer', actorId: inv.id, targetId: agreement.id });
    });

    it('refuses an expired link and one replaced by a newer invitation', async () => {
      const customerId = await newCustomer();
      const first = await invite(customerId, { versionId: version.id, expiresInDays: 3 });
      const days = (new Date(first.expiresAt).getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(2.9);
      expect(days).toBeLessThanOrEqual(3);

      const second = await invite(customerId);
      const replaced = await api.http().get(`/v1/signing/${first.token}`);
      expect(replaced.status).toBe(410);
      expect(replaced.body.error.code).toBe('signing_link_replaced');
      expect((await api.http().post(`/v1/signing/${first.token}`).send(signBody())).status).toBe(410);
      expect((await api.http().get(`/v1/signing/${second.token}`)).status).toBe(200);

      await api.db.query(`UPDATE agreement_invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [second.id]);
      const expired = await api.http().get(`/v1/signing/${second.token}`);
      expect(expired.status).toBe(410);
      expect(expired.body.error.code).toBe('signing_link_expired');
      expect(expired.body.error.message).toMatch(/expired/);
      const late = await api.http().post(`/v1/signing/${second.token}`).send(signBody());
      expect(late.body.error.code).toBe('signing_link_expired');
      expect((await api.http().get(`/v1/signing/${second.token}/receipt`)).body.error.code).toBe('signing_link_not_used');
    });

    it('answers unknown links with 404 and a plain message', async () => {
      for (const token of ['A'.repeat(43), 'short', 'x'.repeat(300)]) {
        const res = await api.http().get(`/v1/signing/${token}`);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('signing_link_unknown');
        expect(res.body.error.message).toMatch(/not valid/);
        expect((await api.http().post(`/v1/signing/${token}`).send(signBody())).status).toBe(404);
        expect((await api.http().get(`/v1/signing/${token}/receipt`)).status).toBe(404);
      }
    });

    it('replaces an active agreement when a newer version is signed (old one superseded)', async () => {
      const customerId = await newCustomer();
      const firstInv = await invite(customerId);
      const first = (await api.http().post(`/v1/signing/${firstInv.token}`).send(signBody())).body.agreement;
      await api.http().put(`/v1/agreements/${first.id}/client-networks`).set(api.admin).send({ clientNetworks: ['192.0.2.0/28'] }).expect(200);

      const v2 = await publishVersion(api, { messagesPerHour: 7, recipientsPerDay: 70, recipientsPerMessage: 7 }, 'Version two: still no spam, and now in **bold**.');
      const secondInv = await invite(customerId, { versionId: v2.id });
      const signed = await api.http().post(`/v1/signing/${secondInv.token}`).send(signBody({ versionSha256: version.sha256 }));
      expect(signed.status).toBe(409); // the hash of another version
      const second = (await api.http().post(`/v1/signing/${secondInv.token}`).send(signBody({ versionSha256: v2.sha256 }))).body.agreement;
      expect(second).toMatchObject({ status: 'active', versionId: v2.id, limits: v2.limits, clientNetworks: ['192.0.2.0/28'] });

      const old = await api.http().get(`/v1/agreements/${first.id}`).set(api.admin);
      expect(old.body).toMatchObject({ status: 'superseded', supersededById: second.id });
      const current = await api.http().get('/v1/agreements').query({ customerId, status: 'active' }).set(api.admin);
      expect(current.body.items.map((a: { id: string }) => a.id)).toEqual([second.id]);
      const events = await api.http().get('/v1/events').query({ targetId: first.id }).set(api.admin);
      expect(events.body.items.map((e: { action: string }) => e.action)).toContain('agreement.superseded');
    });

    it('does not let a new signature lift a suspension', async () => {
      const customerId = await newCustomer();
      const inv = await invite(customerId);
      const first = (await api.http().post(`/v1/signing/${inv.token}`).send(signBody())).body.agreement;
      const open = await invite(customerId); // made before the suspension
      await api.http().post(`/v1/agreements/${first.id}/suspend`).set(api.admin).send({ reason: 'spam complaints' }).expect(200);

      const sign = await api.http().post(`/v1/signing/${open.token}`).send(signBody());
      expect(sign.status).toBe(409);
      expect(sign.body.error.code).toBe('agreement_suspended');
      const again = await api.http().post(`/v1/customers/${customerId}/agreement-invitations`).set(api.admin).send({ versionId: version.id });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('agreement_suspended');
      expect((await api.http().get(`/v1/agreements/${first.id}`).set(api.admin)).body.status).toBe('suspended');
    });

    it('lets only staff and billing invite', async () => {
      const customerId = await newCustomer();
      const bound = await api.http().post('/v1/api-keys').set(api.admin).send({ name: 'portal', scopes: ['agreements:write'], customerId });
      const res = await api.http().post(`/v1/customers/${customerId}/agreement-invitations`).set(bearer(bound.body.key)).send({});
      expect(res.status).toBe(403);
      const reader = await api.http().post('/v1/api-keys').set(api.admin).send({ name: 'reader', scopes: ['agreements:read'] });
      expect((await api.http().post(`/v1/customers/${customerId}/agreement-invitations`).set(bearer(reader.body.key)).send({})).status).toBe(403);
      const billing = await api.http().post('/v1/api-keys').set(api.admin).send({ name: unique('billing'), scopes: ['billing'] });
      expect((await api.http().post(`/v1/customers/${customerId}/agreement-invitations`).set(bearer(billing.body.key)).send({})).status).toBe(201);

      for (const body of [{ expiresInDays: 0 }, { expiresInDays: 91 }, { versionId: 'nope' }, { extra: 1 }]) {
        expect((await api.http().post(`/v1/customers/${customerId}/agreement-invitations`).set(api.admin).send(body)).status).toBe(400);
      }
      const draft = await api.http().post('/v1/agreement-versions').set(api.admin).send({ title: 'Unpublished', text: 'x', limits: { messagesPerHour: 1, recipientsPerDay: 1, recipientsPerMessage: 1 } });
      const unpublished = await api.http().post(`/v1/customers/${customerId}/agreement-invitations`).set(api.admin).send({ versionId: draft.body.id });
      expect(unpublished.status).toBe(400);
      expect(unpublished.body.error.details[0].field).toBe('versionId');
      expect((await api.http().post('/v1/customers/0190a4e8-0000-7000-8000-000000000000/agreement-invitations').set(api.admin).send({})).status).toBe(404);
    });
  });
});
