import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi, unique } from './support/api';
import { publishVersion, signAgreement } from './support/fixtures';
import { makeAlias, makeDomain, makeMailbox, notifyChange, TestMailbox } from './support/mail-fixtures';
import { authPlain, RawSmtp, randomLoopback, rfc5322, smtpClient, startTestMailServer, TestMailServer } from './support/smtp';

/**
 * The relay decision table (libs/core/src/relay/relay-decision.spec.ts) over
 * the wire: real agreements signed through the API, a real mail server, raw
 * SMTP sessions. Every customer here is new, so the cases do not meet.
 */

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The NOTIFY travels PostgreSQL -> the mail server's LISTEN connection. */
const noticeTravels = () => pause(150);

describe('SMTP relay: the relay decision enforced on every recipient', () => {
  let mail: TestMailServer;
  let api: TestApi;
  let version: { id: string; sha256: string };
  let remote: string;

  beforeAll(async () => {
    [mail, api] = await Promise.all([startTestMailServer(), startApi()]);
    version = await publishVersion(api, { messagesPerHour: 100, recipientsPerDay: 1000, recipientsPerMessage: 50 });
    remote = `${unique('far')}.example`.toLowerCase();
  });
  afterAll(async () => {
    await mail?.close();
    await api?.close();
  });

  /** A new customer with one domain and one mailbox; with `signed`, an active agreement too. */
  async function user(opts: { signed?: boolean | { id: string; sha256: string } } = {}): Promise<TestMailbox & { domain: string; agreementId: string | null }> {
    const domain = await makeDomain(mail.db);
    const box = await makeMailbox(mail.db, domain, 'jan');
    let agreementId: string | null = null;
    if (opts.signed) agreementId = (await signAgreement(api, domain.customerId, opts.signed === true ? version : opts.signed)).agreement.id;
    return { ...box, domain: domain.name, agreementId };
  }

  /** Logs in over implicit TLS and runs MAIL FROM; answers the session and the MAIL reply. */
  async function loggedIn(box: TestMailbox, from = box.address) {
    const { client } = await RawSmtp.connect(mail.smtps, { tls: true });
    await client.cmd('EHLO client.test');
    expect((await client.cmd(`AUTH PLAIN ${authPlain(box.address, box.password)}`)).code).toBe(235);
    const mailFrom = await client.cmd(`MAIL FROM:<${from}>`);
    return { client, mailFrom: mailFrom.text };
  }

  /** One RCPT in a fresh session: the reply text. */
  async function rcpt(box: TestMailbox, to: string, from = box.address): Promise<string> {
    const { client, mailFrom } = await loggedIn(box, from);
    if (!mailFrom.startsWith('250')) {
      client.close();
      return mailFrom;
    }
    const r = await client.cmd(`RCPT TO:<${to}>`);
    client.close();
    return r.text;
  }

  async function send(box: TestMailbox, to: string[], subject = 'relayed'): Promise<string> {
    const t = smtpClient(mail.smtps, { secure: true, auth: { user: box.address, pass: box.password } });
    try {
      const messageId = `${unique('m')}@client.test`;
      await t.sendMail({ envelope: { from: box.address, to }, raw: rfc5322({ from: box.address, to: to[0], subject, messageId }) });
      return messageId;
    } finally {
      t.close();
    }
  }

  const queued = (messageId: string) =>
    mail.db.query(
      `SELECT o.source, o.mailbox_id, o.customer_id, r.recipient, r.status
         FROM outbound_messages o JOIN outbound_recipients r ON r.outbound_message_id = o.id JOIN messages m ON m.id = o.message_id
        WHERE m.message_id_header = $1 ORDER BY r.recipient`,
      [messageId],
    );

  const usage = async (mailboxId: string) => {
    const [row] = await mail.db.query(`SELECT coalesce(sum(messages), 0)::int AS messages, coalesce(sum(recipients), 0)::int AS recipients FROM relay_usage WHERE mailbox_id = $1`, [mailboxId]);
    return row;
  };

  it('unauthenticated: submission wants AUTH (530 5.7.0), MX refuses relaying (554 5.7.1)', async () => {
    const { client } = await RawSmtp.connect(mail.smtps, { tls: true });
    await client.cmd('EHLO client.test');
    expect((await client.cmd('MAIL FROM:<someone@elsewhere.example>')).text).toMatch(/^530 5\.7\.0 /);
    client.close();
    const mx = await RawSmtp.connect(mail.mx);
    await mx.client.cmd('EHLO client.test');
    await mx.client.cmd('MAIL FROM:<someone@elsewhere.example>');
    expect((await mx.client.cmd(`RCPT TO:<friend@${remote}>`)).text).toMatch(/^554 5\.7\.1 Relay access denied/);
    mx.client.close();
  });

  it('authenticated without an agreement: 550 5.7.1 (not signed); local mail needs none', async () => {
    const jan = await user();
    expect(await rcpt(jan, `friend@${remote}`)).toMatch(/^550 5\.7\.1 Relay denied: your organisation has not signed the anti-spam agreement/);
    expect(await rcpt(jan, jan.address)).toMatch(/^250 /);
  });

  it('after signing: accepted, queued in the same transaction, counted in relay_usage', async () => {
    const jan = await user();
    expect(await rcpt(jan, `friend@${remote}`)).toMatch(/^550 5\.7\.1 /); // cached as "no agreement"...
    await signAgreement(api, jan.customerId, version);
    await noticeTravels();
    expect(await rcpt(jan, `friend@${remote}`)).toMatch(/^250 /); // ...and dropped by the agreement notice
    const messageId = await send(jan, [`Friend@${remote.toUpperCase()}`, `other@${remote}.`, jan.address]);
    expect(await queued(messageId)).toEqual([
      { source: 'submission', mailbox_id: jan.id, customer_id: jan.customerId, recipient: `Friend@${remote}`, status: 'queued' },
      { source: 'submission', mailbox_id: jan.id, customer_id: jan.customerId, recipient: `other@${remote}`, status: 'queued' },
    ]);
    expect(await usage(jan.id)).toEqual({ messages: 1, recipients: 2 });
    // the API explains the same numbers
    const permission = await api.http().get(`/v1/mailboxes/${jan.id}/relay-permission`).set(api.admin);
    expect(permission.body).toMatchObject({ allowed: true, usage: { messagesThisHour: 1, recipientsLast24Hours: 2 } });
  });

  it('keeps DSN parameters with relayed mail, and the local copies go in the same transaction', async () => {
    const jan = await user({ signed: true });
    const bob = await makeMailbox(mail.db, { id: jan.domainId, name: jan.domain, customerId: jan.customerId }, 'bob');
    const t = smtpClient(mail.smtps, { secure: true, auth: { user: jan.address, pass: jan.password } });
    const messageId = `${unique('dsn')}@client.test`;
    await t.sendMail({
      envelope: { from: jan.address, to: [`friend@${remote}`, bob.address] },
      raw: rfc5322({ from: jan.address, to: `friend@${remote}`, messageId }),
      dsn: { ret: 'HDRS', envid: 'env-1', notify: ['FAILURE', 'DELAY'], orcpt: `rfc822;friend@${remote}` },
    });
    t.close();
    const [row] = await mail.db.query(
      `SELECT o.dsn_ret, o.dsn_envid, r.dsn_notify, r.dsn_orcpt FROM outbound_messages o JOIN outbound_recipients r ON r.outbound_message_id = o.id
         JOIN messages m ON m.id = o.message_id WHERE m.message_id_header = $1`,
      [messageId],
    );
    expect(row).toEqual({ dsn_ret: 'HDRS', dsn_envid: 'env-1', dsn_notify: ['FAILURE', 'DELAY'], dsn_orcpt: `rfc822;friend@${remote}` });
    const local = await mail.db.query(`SELECT mm.mailbox_id FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id WHERE m.message_id_header = $1`, [messageId]);
    expect(local).toEqual([{ mailbox_id: bob.id }]);
  });

  it('a suspended agreement: 550 5.7.1 suspended; reinstated: accepted again', async () => {
    const jan = await user({ signed: true });
    expect(await rcpt(jan, `friend@${remote}`)).toMatch(/^250 /);
    await api.http().post(`/v1/agreements/${jan.agreementId}/suspend`).set(api.admin).send({ reason: 'complaints' }).expect(200);
    await noticeTravels();
    expect(await rcpt(jan, `friend@${remote}`)).toMatch(/^550 5\.7\.1 Relay denied: your organisation's anti-spam agreement is suspended/);
    await api.http().post(`/v1/agreements/${jan.agreementId}/reinstate`).set(api.admin).send({}).expect(200);
    await noticeTravels();
    expect(await rcpt(jan, `friend@${remote}`)).toMatch(/^250 /);
  });

  it('revoking through the API refuses the very next attempt, in an open session too, without a restart', async () => {
    const jan = await user({ signed: true });
    const { client } = await loggedIn(jan);
    expect((await client.cmd(`RCPT TO:<first@${remote}>`)).code).toBe(250);
    await api.http().post(`/v1/agreements/${jan.agreementId}/revoke`).set(api.admin).send({ reason: 'spam run' }).expect(200);
    await noticeTravels();
    expect((await client.cmd(`RCPT TO:<second@${remote}>`)).text).toMatch(/^550 5\.7\.1 Relay denied: your organisation's anti-spam agreement was revoked/);
    client.close();
    expect(await rcpt(jan, `friend@${remote}`)).toMatch(/^550 5\.7\.1 .*revoked/);
  });

  it('a suspended customer: the open session cannot send at all (550 5.7.1), new logins are refused', async () => {
    const jan = await user({ signed: true });
    const { client, mailFrom } = await loggedIn(jan);
    expect(mailFrom).toMatch(/^250 /);
    await client.cmd('RSET');
    await api.http().post(`/v1/customers/${jan.customerId}/suspend`).set(api.admin).send({ reason: 'unpaid' }).expect(200);
    await noticeTravels();
    expect((await client.cmd(`MAIL FROM:<${jan.address}>`)).text).toMatch(/^550 5\.7\.1 Sending refused: your organisation's account is suspended/);
    client.close();
    const login = await smtpClient(mail.smtps, { secure: true, auth: { user: jan.address, pass: jan.password } }).verify().catch((e) => e.response);
    expect(login).toMatch(/^535 5\.7\.1 Account suspended/);
  });

  it('a disabled mailbox: the open session cannot send (550 5.7.1)', async () => {
    const jan = await user({ signed: true });
    const { client } = await loggedIn(jan);
    await client.cmd('RSET');
    await api.http().patch(`/v1/mailboxes/${jan.id}`).set(api.admin).send({ status: 'disabled' }).expect(200);
    await noticeTravels();
    expect((await client.cmd(`MAIL FROM:<${jan.address}>`)).text).toMatch(/^550 5\.7\.1 Sending refused: this mailbox is disabled/);
    client.close();
  });

  it('a sender the user does not own: 553 5.7.1; its own aliases and +tags are fine', async () => {
    const jan = await user({ signed: true });
    await makeAlias(mail.db, { id: jan.domainId, name: jan.domain, customerId: jan.customerId }, 'sales', [jan.address]);
    await notifyChange(mail.db, 'alias', jan.id);
    await noticeTravels();
    expect(await rcpt(jan, `friend@${remote}`, `ceo@${remote}`)).toMatch(/^553 5\.7\.1 Sender address rejected/);
    expect(await rcpt(jan, `friend@${remote}`, `someone@${jan.domain}`)).toMatch(/^553 5\.7\.1 /);
    expect(await rcpt(jan, `friend@${remote}`, `Sales@${jan.domain}`)).toMatch(/^250 /);
    expect(await rcpt(jan, `friend@${remote}`, jan.address.replace('@', '+news@'))).toMatch(/^250 /);
  });

  it('relay blocked for one mailbox by staff: 550 5.7.1; local mail still goes, the rest of the customer still relays', async () => {
    const jan = await user({ signed: true });
    const piet = await makeMailbox(mail.db, { id: jan.domainId, name: jan.domain, customerId: jan.customerId }, 'piet');
    await api.http().post(`/v1/mailboxes/${jan.id}/relay-block`).set(api.admin).send({ reason: 'compromised password' }).expect(200);
    await noticeTravels();
    expect(await rcpt(jan, `friend@${remote}`)).toMatch(/^550 5\.7\.1 Relay denied: sending to other domains is blocked for this mailbox/);
    expect(await rcpt(jan, piet.address)).toMatch(/^250 /);
    expect(await rcpt(piet, `friend@${remote}`)).toMatch(/^250 /);
  });

  it('limits: recipients per message 452 4.5.3, messages per hour 451 4.7.1, counted per accepted message', async () => {
    const tight = await publishVersion(api, { messagesPerHour: 2, recipientsPerDay: 1000, recipientsPerMessage: 2 });
    const jan = await user({ signed: tight });
    const { client } = await loggedIn(jan);
    expect((await client.cmd(`RCPT TO:<a@${remote}>`)).code).toBe(250);
    expect((await client.cmd(`RCPT TO:<b@${remote}>`)).code).toBe(250);
    expect((await client.cmd(`RCPT TO:<c@${remote}>`)).text).toMatch(/^452 4\.5\.3 Too many recipients: at most 2 per message/);
    expect((await client.cmd(`RCPT TO:<${jan.address}>`)).code).toBe(250); // local recipients are not limited
    client.close(); // nothing sent: nothing counted
    expect(await usage(jan.id)).toEqual({ messages: 0, recipients: 0 });

    await send(jan, [`a@${remote}`, `b@${remote}`]);
    await send(jan, [`c@${remote}`]);
    expect(await usage(jan.id)).toEqual({ messages: 2, recipients: 3 });
    expect(await rcpt(jan, `d@${remote}`)).toMatch(/^451 4\.7\.1 Sending limit reached: 2 messages per hour/);
    expect(await rcpt(jan, jan.address)).toMatch(/^250 /);
  });

  it('recipients per day: 451 4.7.1 once the day is used up', async () => {
    const daily = await publishVersion(api, { messagesPerHour: 100, recipientsPerDay: 2, recipientsPerMessage: 50 });
    const jan = await user({ signed: daily });
    await send(jan, [`a@${remote}`, `b@${remote}`]);
    expect(await rcpt(jan, `c@${remote}`)).toMatch(/^451 4\.7\.1 Sending limit reached: 2 recipients per day/);
  });

  it('addresses that carry their own routing are never relayed, even for a user who may relay', async () => {
    const jan = await user({ signed: true });
    const { client } = await loggedIn(jan);
    for (const to of [`user%${remote}@${jan.domain}`, `${remote}!user@${jan.domain}`, `@${jan.domain}:user@${remote}`, `user%${remote}@${remote}`]) {
      expect((await client.cmd(`RCPT TO:<${to}>`)).text, to).toMatch(/^550 5\.7\.1 Relay denied: addresses that carry their own routing/);
    }
    expect((await client.cmd('RCPT TO:<user@[192.0.2.1]>')).text).toMatch(/^550 5\.7\.1 Relay denied: addresses at an IP literal/);
    // smtp-server refuses a quoted local part holding an @ as syntax before our policy runs
    expect((await client.cmd(`RCPT TO:<"user@${remote}"@${jan.domain}>`)).text).toMatch(/^(501|550 5\.7\.1) /);
    expect((await client.cmd('DATA')).code).toBe(503);
    client.close();
    expect(await mail.db.query(`SELECT 1 FROM outbound_recipients r JOIN outbound_messages o ON o.id = r.outbound_message_id WHERE o.mailbox_id = $1`, [jan.id])).toEqual([]);
  });

  it("an agreement's client networks relay without AUTH on MX, as the customer's own domains only", async () => {
    const jan = await user({ signed: true });
    const server = randomLoopback();
    const mxFrom = async (from: string, localAddress: string) => {
      const { client } = await RawSmtp.connect(mail.mx, { localAddress });
      await client.cmd('EHLO mail.customer.test');
      await client.cmd(`MAIL FROM:<${from}>`);
      const reply = (await client.cmd(`RCPT TO:<friend@${remote}>`)).text;
      client.close();
      return reply;
    };
    expect(await mxFrom(`billing@${jan.domain}`, server)).toMatch(/^554 5\.7\.1 /);
    await api.http().put(`/v1/agreements/${jan.agreementId}/client-networks`).set(api.admin).send({ clientNetworks: [`${server}/32`] }).expect(200);
    await noticeTravels();
    expect(await mxFrom(`billing@${jan.domain}`, server)).toMatch(/^250 /);
    expect(await mxFrom(`billing@${remote}`, server)).toMatch(/^553 5\.7\.1 /);
    expect(await mxFrom(`billing@${jan.domain}`, randomLoopback())).toMatch(/^554 5\.7\.1 /);

    const t = smtpClient(mail.mx, { localAddress: server, ignoreTLS: true });
    const messageId = `${unique('net')}@client.test`;
    await t.sendMail({ envelope: { from: `billing@${jan.domain}`, to: [`friend@${remote}`] }, raw: rfc5322({ from: `billing@${jan.domain}`, to: `friend@${remote}`, messageId }) });
    t.close();
    expect(await queued(messageId)).toEqual([{ source: 'submission', mailbox_id: null, customer_id: jan.customerId, recipient: `friend@${remote}`, status: 'queued' }]);
    const [row] = await mail.db.query(`SELECT messages, recipients FROM relay_usage WHERE subject_key = $1`, [`network:${jan.customerId}`]);
    expect(row).toEqual({ messages: 1, recipients: 1 });

    await api.http().post(`/v1/agreements/${jan.agreementId}/suspend`).set(api.admin).send({ reason: 'open relay on their side' }).expect(200);
    await noticeTravels();
    expect(await mxFrom(`billing@${jan.domain}`, server)).toMatch(/^550 5\.7\.1 .*suspended/);
  });
});
