import { DataSource } from 'typeorm';
import { Customer, Domain, Mailbox } from '../../libs/core/src/entities';
import { TestApi, unique } from './api';

/** A syntactically valid argon2id PHC string; nobody logs in with it in these tests. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZHVtbXloYXNoZHVtbXloYXNoZHVtbXloYXNoMDA';

export interface MailboxFixture {
  customer: Customer;
  domain: Domain;
  mailbox: Mailbox;
}

/**
 * A customer with one domain and one mailbox, inserted straight through
 * TypeORM: the domain and mailbox API lives on another branch.
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
