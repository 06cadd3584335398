import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeListener } from '../apps/mail-server/src/accounts/change-listener';
import { startApi, TestApi } from './support/api';
import { makeAlias, makeDomain, makeMailbox, notifyChange, TestDomain } from './support/mail-fixtures';
import { authPlain, RawSmtp, smtpClient, startTestMailServer, TestMailServer } from './support/smtp';

/**
 * The mail server caches accounts; a change made elsewhere (the API, or SQL
 * plus pg_notify as the API does) must be seen by the very next SMTP attempt.
 */
describe('account changes reach the mail server at once', () => {
  let mail: TestMailServer;
  let api: TestApi;
  let domain: TestDomain;

  beforeAll(async () => {
    mail = await startTestMailServer();
    api = await startApi();
    domain = await makeDomain(mail.db);
  });
  afterAll(async () => {
    await mail?.close();
    await api?.close();
  });

  async function rcpt(port: number, address: string): Promise<string> {
    const { client } = await RawSmtp.connect(port);
    await client.cmd('EHLO client.test');
    await client.cmd('MAIL FROM:<a@elsewhere.example>');
    const r = await client.cmd(`RCPT TO:<${address}>`);
    client.close();
    return r.text;
  }

  const login = (user: string, pass: string) => smtpClient(mail.smtps, { secure: true, auth: { user, pass } }).verify().then(() => 'ok', (e) => String(e.response));

  it('a disabled mailbox is refused by the next RCPT, and an enabled one accepted again', async () => {
    const box = await makeMailbox(mail.db, domain, 'toggle');
    expect(await rcpt(mail.mx, box.address)).toMatch(/^250 /); // now cached
    // a change made without telling anyone stays unseen while cached: the cache is real
    await mail.db.query(`UPDATE mailboxes SET status = 'disabled' WHERE id = $1`, [box.id]);
    expect(await rcpt(mail.mx, box.address)).toMatch(/^250 /);
    await notifyChange(mail.db, 'mailbox', box.id);
    expect(await rcpt(mail.mx, box.address)).toMatch(/^550 5\.2\.1 /);
    await mail.db.query(`UPDATE mailboxes SET status = 'active' WHERE id = $1`, [box.id]);
    await notifyChange(mail.db, 'mailbox', box.id);
    expect(await rcpt(mail.mx, box.address)).toMatch(/^250 /);
    // a new alias replaces a cached "no such user"
    expect(await rcpt(mail.mx, `newalias@${domain.name}`)).toMatch(/^550 5\.1\.1 /);
    const alias = await makeAlias(mail.db, domain, 'newalias', [box.address]);
    await notifyChange(mail.db, 'alias', alias.id);
    expect(await rcpt(mail.mx, `newalias@${domain.name}`)).toMatch(/^250 /);
  });

  it('a changed password works at the next login and the old one no longer does', async () => {
    const box = await makeMailbox(mail.db, domain, 'pwchange');
    expect(await login(box.address, box.password)).toBe('ok');
    await mail.db.query(`UPDATE mailboxes SET password_hash = $2, password_changed_at = now() WHERE id = $1`, [box.id, await hash('the new password')]);
    await notifyChange(mail.db, 'mailbox', box.id);
    expect(await login(box.address, box.password)).toMatch(/^535 5\.7\.8 /);
    expect(await login(box.address, 'the new password')).toBe('ok');
  });

  it('a password changed through the API: the old one fails at the very next login, the new one works', async () => {
    const box = await makeMailbox(mail.db, domain, 'apipw');
    expect(await login(box.address, box.password)).toBe('ok');
    const changed = await api.http().post(`/v1/mailboxes/${box.id}/password`).set(api.admin).send({ password: 'a brand new passphrase' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(204);
    expect(await login(box.address, box.password)).toMatch(/^535 5\.7\.8 /);
    expect(await login(box.address, 'a brand new passphrase')).toBe('ok');
  });

  it('suspending the customer through the API blocks the next login and the next message of an open session', async () => {
    const d = await makeDomain(mail.db);
    const box = await makeMailbox(mail.db, d, 'tenant');
    const { client } = await RawSmtp.connect(mail.smtps, { tls: true });
    await client.cmd('EHLO client.test');
    expect((await client.cmd(`AUTH PLAIN ${authPlain(box.address, box.password)}`)).code).toBe(235);
    expect((await client.cmd(`MAIL FROM:<${box.address}>`)).code).toBe(250);
    await client.cmd('RSET');

    const res = await api.http().post(`/v1/customers/${d.customerId}/suspend`).set(api.admin).send({ reason: 'unpaid invoice' });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100)); // the notice travels PostgreSQL -> LISTEN connection

    expect((await client.cmd(`MAIL FROM:<${box.address}>`)).text).toMatch(/^550 5\.7\.1 Sending refused: your organisation's account is suspended/);
    client.close();
    expect(await login(box.address, box.password)).toMatch(/^535 5\.7\.1 Account suspended/);

    await api.http().post(`/v1/customers/${d.customerId}/reactivate`).set(api.admin).send().expect(200);
    expect(await login(box.address, box.password)).toBe('ok');
  });

  it('disabling the mailbox of an open, logged-in session stops its next message (550 5.7.1)', async () => {
    const box = await makeMailbox(mail.db, domain, 'midsession');
    const { client } = await RawSmtp.connect(mail.smtps, { tls: true });
    await client.cmd('EHLO client.test');
    expect((await client.cmd(`AUTH PLAIN ${authPlain(box.address, box.password)}`)).code).toBe(235);
    expect((await client.cmd(`MAIL FROM:<${box.address}>`)).code).toBe(250);
    await client.cmd('RSET');
    await mail.db.query(`UPDATE mailboxes SET status = 'disabled' WHERE id = $1`, [box.id]);
    await notifyChange(mail.db, 'mailbox', box.id);
    await new Promise((r) => setTimeout(r, 100)); // the notice travels PostgreSQL -> LISTEN connection
    expect((await client.cmd(`MAIL FROM:<${box.address}>`)).text).toMatch(/^550 5\.7\.1 Sending refused: this mailbox is disabled/);
    client.close();
  });

  it('when the LISTEN connection drops, nothing stale is served and it comes back by itself', async () => {
    const listener = mail.server.app.get(ChangeListener);
    const box = await makeMailbox(mail.db, domain, 'dropped');
    expect(await login(box.address, box.password)).toBe('ok'); // cached
    await mail.db.query('SELECT pg_terminate_backend($1)', [listener.backendPid]);
    // changed while nobody listens: the notice is lost
    await mail.db.query(`UPDATE mailboxes SET status = 'disabled' WHERE id = $1`, [box.id]);
    await notifyChange(mail.db, 'mailbox', box.id);
    expect(await login(box.address, box.password)).toMatch(/^535 5\.7\.1 Mailbox disabled/);
    for (let i = 0; i < 100 && !listener.connected; i++) await new Promise((r) => setTimeout(r, 100));
    expect(listener.connected).toBe(true);
    await mail.db.query(`UPDATE mailboxes SET status = 'active' WHERE id = $1`, [box.id]);
    await notifyChange(mail.db, 'mailbox', box.id);
    expect(await login(box.address, box.password)).toBe('ok');
  });
});
