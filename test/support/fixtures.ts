import { DataSource } from 'typeorm';
import { expect } from 'vitest';
import { Customer, Domain, Mailbox } from '../../libs/core/src/entities';
import { bearer, TestApi, unique } from './api';

/** Data every resource test needs, made through the API itself (no shortcuts into the database). */

export const PASSWORD = 'correct horse battery staple';

export async function createCustomer(api: TestApi): Promise<{ id: string }> {
  const res = await api.http().post('/v1/customers').set(api.admin).send({ name: unique('Customer '), contactEmail: 'admin@customer.example' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A unique domain name under .example (tests share one database). */
export function domainName(prefix = 'd'): string {
  return `${unique(prefix).toLowerCase()}.example`;
}

export async function createDomain(api: TestApi, customerId: string, extra: Record<string, unknown> = {}): Promise<{ id: string; name: string } & Record<string, unknown>> {
  const res = await api.http().post('/v1/domains').set(api.admin).send({ customerId, name: domainName(), ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function createMailbox(
  api: TestApi,
  domainId: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; address: string } & Record<string, unknown>> {
  const res = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId, localPart: unique('u'), password: PASSWORD, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** An API key with these scopes, optionally bound to a customer; returns its Authorization header. */
export async function keyWith(api: TestApi, scopes: string[], customerId?: string): Promise<{ Authorization: string }> {
  const res = await api.http().post('/v1/api-keys').set(api.admin).send({ name: unique('key '), scopes, ...(customerId ? { customerId } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return bearer(res.body.key);
}

/** The fields named in a validation error. */
export function fieldsOf(body: { error: { details: { field: string }[] | null } }): string[] {
  return (body.error.details ?? []).map((d) => d.field);
}

/** A syntactically valid argon2id PHC string; nobody logs in with it in these tests. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZHVtbXloYXNoZHVtbXloYXNoZHVtbXloYXNoMDA';

export interface MailboxFixture {
  customer: Customer;
  domain: Domain;
  mailbox: Mailbox;
}

/**
 * A customer with one domain and one mailbox, inserted straight through
 * TypeORM, for tests about agreements that do not need real passwords.
 */
export async function createMailboxFixture(db: DataSource, opts: { customerId?: string } = {}): Promise<MailboxFixture> {
  return db.transaction(async (m) => {
    const customer = opts.customerId
      ? await m.findOneByOrFail(Customer, { id: opts.customerId })
      : await m.save(m.create(Customer, { name: unique('Fixture '), contactEmail: 'admin@fixture.example', externalRef: null, status: 'active', suspendedReason: null, suspendedAt: null }));
    const domain = await m.save(
      m.create(Domain, {
        customerId: customer.id,
        name: `${unique('d').toLowerCase()}.example`,
        maxMailboxes: null,
        storageBytes: null,
        defaultQuotaBytes: 1024 * 1024,
        dkimSelector: 'pb1',
        dkimPrivateKey: 'not-a-real-key',
        dkimPublicKey: 'not-a-real-key',
      }),
    );
    const mailbox = await m.save(
      m.create(Mailbox, {
        domainId: domain.id,
        customerId: customer.id,
        localPart: 'jan',
        address: `jan@${domain.name}`,
        passwordHash: DUMMY_HASH,
        passwordChangedAt: new Date(),
        displayName: null,
        quotaBytes: 1024 * 1024,
      }),
    );
    return { customer, domain, mailbox };
  });
}

/** Publishes a fresh agreement version through the API and returns it. */
export async function publishVersion(
  api: TestApi,
  limits = { messagesPerHour: 100, recipientsPerDay: 1000, recipientsPerMessage: 50 },
  text = '# No spam\r\n\r\nYou will **not** send spam.\r\n',
) {
  const draft = await api
    .http()
    .post('/v1/agreement-versions')
    .set(api.admin)
    .send({ title: unique('Terms '), text, limits });
  if (draft.status !== 201) throw new Error(`draft: ${draft.status} ${JSON.stringify(draft.body)}`);
  const published = await api.http().post(`/v1/agreement-versions/${draft.body.id}/publish`).set(api.admin).send();
  if (published.status !== 200) throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
  return published.body as { id: string; sha256: string; text: string; number: number; limits: typeof limits };
}

/** Invites the customer to sign `versionId` and signs through the public signing routes. */
export async function signAgreement(api: TestApi, customerId: string, version: { id: string; sha256: string }) {
  const invite = await api.http().post(`/v1/customers/${customerId}/agreement-invitations`).set(api.admin).send({ versionId: version.id });
  if (invite.status !== 201) throw new Error(`invite: ${invite.status} ${JSON.stringify(invite.body)}`);
  const signed = await api
    .http()
    .post(`/v1/signing/${invite.body.token}`)
    .send({ fullName: 'Jan de Vries', email: 'jan@fixture.example', accept: true, versionSha256: version.sha256 });
  if (signed.status !== 201) throw new Error(`sign: ${signed.status} ${JSON.stringify(signed.body)}`);
  return { token: invite.body.token as string, agreement: signed.body.agreement as { id: string; status: string } };
}
