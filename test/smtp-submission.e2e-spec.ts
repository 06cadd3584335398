import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAlias, makeCustomer, makeDomain, makeMailbox, storedMessages, TestDomain, TestMailbox } from './support/mail-fixtures';
import { authPlain, RawSmtp, randomLoopback, rfc5322, smtpClient, startTestMailServer, swaks, TestMailServer } from './support/smtp';

async function sendError(p: Promise<unknown>): Promise<{ responseCode?: number; response?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { responseCode?: number; response?: string };
  }
  throw new Error('expected the SMTP transaction to fail');
}

describe('SMTP submission: authenticated users sending mail', () => {
  let mail: TestMailServer;
  let domain: TestDomain;
  let alice: TestMailbox;
  let bob: TestMailbox;

  beforeAll(async () => {
    mail = await startTestMailServer({ INSECURE_AUTH: 'never', AUTH_MAX_FAILURES: '3', AUTH_MAX_FAILURES_PER_IP: '4', AUTH_LOCKOUT_SECONDS: '60' });
    domain = await makeDomain(mail.db);
    alice = await makeMailbox(mail.db, domain, 'alice');
    bob = await makeMailbox(mail.db, domain, 'bob');
    await makeAlias(mail.db, domain, 'sales', [alice.address]);
  });
  afterAll(async () => mail?.close());

  it('offers AUTH only after STARTTLS, refuses it (and mail) before', async () => {
    const { client } = await RawSmtp.connect(mail.submission);
    const ehlo = await client.cmd('EHLO client.test');
    expect(ehlo.text).toContain('STARTTLS');
    expect(ehlo.text).not.toMatch(/AUTH/);
    expect((await client.cmd(`AUTH PLAIN ${authPlain(alice.address, alice.password)}`)).text).toMatch(/^530 5\.7\.0 Must issue a STARTTLS command first/);
    expect((await client.cmd(`MAIL FROM:<${alice.address}>`)).text).toMatch(/^530 5\.7\.0 /);
    await client.starttls();
    const secureEhlo = await client.cmd('EHLO client.test');
    expect(secureEhlo.text).toMatch(/AUTH PLAIN LOGIN/);
    expect(secureEhlo.text).not.toContain('STARTTLS');
    expect((await client.cmd(`MAIL FROM:<${alice.address}>`)).text).toMatch(/^530 5\.7\.0 Authentication required/);
    expect((await client.cmd(`AUTH PLAIN ${authPlain(alice.address, alice.password)}`)).text).toMatch(/^235 /);
    expect((await client.cmd(`MAIL FROM:<${alice.address}>`)).code).toBe(250);
    client.close();
  });

  it('allows plaintext AUTH from loopback only when INSECURE_AUTH=loopback', async () => {
    const lenient = await startTestMailServer({ INSECURE_AUTH: 'loopback', SMTP_PORT: 'off', SMTPS_PORT: 'off' });
    try {
      const { client } = await RawSmtp.connect(lenient.submission);
      expect((await client.cmd('EHLO client.test')).text).toMatch(/AUTH PLAIN LOGIN/);
      expect((await client.cmd(`AUTH PLAIN ${authPlain(alice.address, alice.password)}`)).text).toMatch(/^235 /);
      client.close();
    } finally {
      await lenient.close();
    }
  });

  it('logs in with PLAIN and LOGIN and delivers to a local mailbox (Received says ESMTPSA)', async () => {
    for (const method of ['PLAIN', 'LOGIN']) {
      const t = smtpClient(mail.submission, { auth: { user: alice.address, pass: alice.password } });
      (t.options as { authMethod?: string }).authMethod = method;
      const info = await t.sendMail({ envelope: { from: alice.address, to: [bob.address] }, raw: rfc5322({ from: alice.address, to: bob.address, subject: `by ${method}` }) });
      expect(info.response).toMatch(/^250 2\.6\.0 /);
      t.close();
    }
    const got = await storedMessages(mail.db, bob.id);
    expect(got.map((m) => m.subject)).toEqual(expect.arrayContaining(['by PLAIN', 'by LOGIN']));
    expect(got.find((m) => m.subject === 'by LOGIN')!.raw).toMatch(/with ESMTPSA id/);
  });

  it('implicit TLS (SMTPS port) works the same', async () => {
    const t = smtpClient(mail.smtps, { secure: true, auth: { user: alice.address, pass: alice.password } });
    await t.sendMail({ envelope: { from: alice.address, to: [bob.address] }, raw: rfc5322({ from: alice.address, to: bob.address, subject: 'over smtps' }) });
    t.close();
    expect((await storedMessages(mail.db, bob.id)).some((m) => m.subject === 'over smtps')).toBe(true);
  });

  it('answers wrong credentials with 535 5.7.8, the same for an unknown user', async () => {
    const localAddress = randomLoopback();
    for (const auth of [{ user: alice.address, pass: 'wrong password' }, { user: `nobody@${domain.name}`, pass: 'whatever' }]) {
      const err = await sendError(smtpClient(mail.submission, { auth, localAddress }).verify());
      expect(err.responseCode).toBe(535);
      expect(err.response).toMatch(/^535 5\.7\.8 Authentication credentials invalid/);
    }
  });

  it('refuses a disabled mailbox and a suspended customer after a correct password (535 5.7.1)', async () => {
    const disabled = await makeMailbox(mail.db, domain, 'disabled', { status: 'disabled' });
    const suspendedDomain = await makeDomain(mail.db, await makeCustomer(mail.db, 'suspended'));
    const suspended = await makeMailbox(mail.db, suspendedDomain, 'user');
    const e1 = await sendError(smtpClient(mail.submission, { auth: { user: disabled.address, pass: disabled.password } }).verify());
    expect(e1.response).toMatch(/^535 5\.7\.1 Mailbox disabled/);
    const e2 = await sendError(smtpClient(mail.submission, { auth: { user: suspended.address, pass: suspended.password } }).verify());
    expect(e2.response).toMatch(/^535 5\.7\.1 Account suspended/);
  });

  it('accepts only the user\'s own address or its aliases as sender (553 5.7.1 otherwise)', async () => {
    const { client } = await RawSmtp.connect(mail.smtps, { tls: true });
    await client.cmd('EHLO client.test');
    expect((await client.cmd(`AUTH PLAIN ${authPlain(alice.address, alice.password)}`)).code).toBe(235);
    expect((await client.cmd(`MAIL FROM:<${bob.address}>`)).text).toMatch(/^553 5\.7\.1 Sender address/);
    expect((await client.cmd('MAIL FROM:<>')).text).toMatch(/^553 5\.7\.1 /);
    expect((await client.cmd('MAIL FROM:<ceo@bank.example>')).text).toMatch(/^553 5\.7\.1 /);
    expect((await client.cmd(`MAIL FROM:<Sales@${domain.name.toUpperCase()}>`)).code).toBe(250); // an alias of alice
    await client.cmd('RSET');
    expect((await client.cmd(`MAIL FROM:<${alice.address}>`)).code).toBe(250);
    client.close();
  });

  it('slows down failed logins and locks the user out, correct password included (454 4.7.0)', async () => {
    const victim = await makeMailbox(mail.db, domain, 'victim');
    const attacker = randomLoopback();
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      const err = await sendError(smtpClient(mail.submission, { auth: { user: victim.address, pass: `guess ${i}` }, localAddress: attacker }).verify());
      expect(err.responseCode).toBe(535);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(250 + 500 + 1000 - 50); // 250 ms, 500 ms, 1 s
    const locked = await sendError(smtpClient(mail.submission, { auth: { user: victim.address, pass: victim.password }, localAddress: randomLoopback() }).verify());
    expect(locked.response).toMatch(/^454 4\.7\.0 Too many failed logins; try again in \d+ seconds/);
    const [row] = await mail.db.query(`SELECT failures, locked_until > now() AS locked FROM auth_failures WHERE key = $1`, [`user:${victim.address}`]);
    expect(row).toEqual({ failures: 3, locked: true });
  });

  it('locks out a client address that tries many users, and only that address', async () => {
    const attacker = randomLoopback();
    for (let i = 0; i < 4; i++) {
      await sendError(smtpClient(mail.submission, { auth: { user: `guess${i}@${domain.name}`, pass: 'x' }, localAddress: attacker }).verify());
    }
    const fromAttacker = await sendError(smtpClient(mail.submission, { auth: { user: bob.address, pass: bob.password }, localAddress: attacker }).verify());
    expect(fromAttacker.response).toMatch(/^454 4\.7\.0 /);
    await expect(smtpClient(mail.submission, { auth: { user: bob.address, pass: bob.password }, localAddress: randomLoopback() }).verify()).resolves.toBe(true);
  });

  it('works with swaks over STARTTLS with AUTH', async () => {
    const r = await swaks([
      '--server', `127.0.0.1:${mail.submission}`, '--tls', '--auth', 'LOGIN', '--auth-user', alice.address, '--auth-password', alice.password,
      '--from', alice.address, '--to', bob.address, '--header', 'Subject: swaks submission',
    ]);
    expect(r.output).toMatch(/<~  235 /);
    expect(r.output).toMatch(/<~  250 2\.6\.0 Ok: queued as/);
    expect((await storedMessages(mail.db, bob.id)).some((m) => m.subject === 'swaks submission')).toBe(true);
  });
});
