import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERIFIED_LOGINS } from '../apps/mail-server/src/tokens';
import { hashMailboxPassword } from '../libs/core/src/mailboxes/credentials';
import { VerifiedLogins } from '../libs/core/src/mailboxes/verified-logins';
import { makeDomain, makeMailbox } from './support/mail-fixtures';
import { RawPop3 } from './support/pop3';
import { freePort, randomLoopback, smtpClient, startTestMailServer, TestMailServer } from './support/smtp';

/**
 * The process's memory of verified passwords (README "Verified logins"): a
 * second login skips argon2id, and nothing else about logging in changes.
 * Each case reads the cache's own hit counter, so it shows the cache was (or
 * was not) what answered, without timing anything.
 */
describe('verified logins: argon2id once, then remembered, never trusted beyond the stored hash', () => {
  let mail: TestMailServer;
  let pop3: number;
  let imap: number;
  let verified: VerifiedLogins;
  // failed logins also count per client address, and other test files fail logins from 127.0.0.1 too
  const source = randomLoopback();
  beforeAll(async () => {
    [pop3, imap] = [await freePort(), await freePort()];
    mail = await startTestMailServer({ POP3_PORT: String(pop3), POP3S_PORT: 'off', IMAP_PORT: String(imap), IMAPS_PORT: 'off', AUTH_MAX_FAILURES: '3' });
    verified = mail.server.app.get(VERIFIED_LOGINS);
  });
  afterAll(async () => mail?.close());

  async function pop3Login(user: string, password: string): Promise<string> {
    const { client, login } = await RawPop3.login(pop3, user, password, source);
    if (login.startsWith('+OK')) await client.quit();
    else client.destroy();
    return login;
  }

  async function imapLogin(user: string, password: string): Promise<boolean> {
    const client = new ImapFlow({ host: '127.0.0.1', port: imap, secure: false, doSTARTTLS: false, auth: { user, pass: password }, logger: false });
    try {
      await client.connect();
      await client.logout();
      return true;
    } catch {
      return false;
    }
  }

  it('one argon2id check serves the next POP3, SMTP AUTH and IMAP logins of the same password', async () => {
    const box = await makeMailbox(mail.db, await makeDomain(mail.db), 'poller');
    const before = verified.stats.hits;
    expect(await pop3Login(box.address, box.password)).toMatch(/^\+OK/);
    expect(verified.stats.hits).toBe(before); // the first login ran argon2id
    expect(await pop3Login(box.address, box.password)).toMatch(/^\+OK/);
    await smtpClient(mail.submission, { auth: { user: box.address, pass: box.password } }).verify();
    expect(await imapLogin(box.address, box.password)).toBe(true);
    expect(verified.stats.hits).toBe(before + 3);
  });

  it('a changed password (stored hash replaced, no change notice sent) stops the old one at once', async () => {
    const box = await makeMailbox(mail.db, await makeDomain(mail.db), 'changer');
    expect(await pop3Login(box.address, box.password)).toMatch(/^\+OK/);
    const newPassword = 'a new password, longer';
    await mail.db.query('UPDATE mailboxes SET password_hash = $2 WHERE id = $1', [box.id, await hashMailboxPassword(newPassword)]);
    const hits = verified.stats.hits;
    expect(await pop3Login(box.address, box.password)).toMatch(/^-ERR \[AUTH\]/);
    expect(await pop3Login(box.address, newPassword)).toMatch(/^\+OK/);
    expect(verified.stats.hits).toBe(hits);
    expect(await pop3Login(box.address, newPassword)).toMatch(/^\+OK/);
    expect(verified.stats.hits).toBe(hits + 1);
  });

  it('a disabled mailbox is refused with its remembered password', async () => {
    const box = await makeMailbox(mail.db, await makeDomain(mail.db), 'disabled');
    expect(await pop3Login(box.address, box.password)).toMatch(/^\+OK/);
    await mail.db.query(`UPDATE mailboxes SET status = 'disabled' WHERE id = $1`, [box.id]);
    expect(await pop3Login(box.address, box.password)).toMatch(/^-ERR \[AUTH\] mailbox disabled/);
    await expect(smtpClient(mail.submission, { auth: { user: box.address, pass: box.password } }).verify()).rejects.toThrow(/535 5\.7\.1/);
  });

  it('wrong passwords are still counted while a right one is remembered, and lockout refuses the right one too', async () => {
    const box = await makeMailbox(mail.db, await makeDomain(mail.db), 'guessed');
    expect(await pop3Login(box.address, box.password)).toMatch(/^\+OK/);
    for (let i = 0; i < 3; i++) expect(await pop3Login(box.address, `guess number ${i}`)).toMatch(/^-ERR \[AUTH\]/);
    const [row] = await mail.db.query(`SELECT failures, locked_until > now() AS locked FROM auth_failures WHERE key = $1`, [`user:${box.address}`]);
    expect(row).toMatchObject({ failures: 3, locked: true });
    const hits = verified.stats.hits;
    const locked = await pop3Login(box.address, box.password);
    expect(locked).toMatch(/^-ERR \[SYS\/TEMP\] too many failed logins/);
    expect(verified.stats.hits).toBe(hits); // refused before the password was looked at
    await mail.db.query('DELETE FROM auth_failures WHERE key = $1', [`user:${box.address}`]);
  });
});
