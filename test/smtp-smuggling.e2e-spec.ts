import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDomain, makeMailbox, storedMessages, TestMailbox } from './support/mail-fixtures';
import { RawSmtp, SmtpResponse, startTestMailServer, TestMailServer } from './support/smtp';

/**
 * SMTP smuggling (CVE-2023-51764 and friends): only <CRLF>.<CRLF> may end
 * DATA. Every other "end of data" look-alike must stay inside the one
 * message, and what would have been smuggled commands stays text.
 */
const SEQUENCES: [string, string][] = [
  ['LF.LF', '\n.\n'],
  ['CR.CR', '\r.\r'],
  ['CR.LF', '\r.\n'],
  ['LF.CR', '\n.\r'],
  ['LF.CRLF', '\n.\r\n'],
  ['CRLF.LF', '\r\n.\n'],
  ['CR.CRLF', '\r.\r\n'],
  ['CRLF.CR', '\r\n.\r'],
  ['CRLF NUL.CRLF', '\r\n\x00.\r\n'],
];

describe('SMTP smuggling: only <CRLF>.<CRLF> ends DATA', () => {
  let mail: TestMailServer;
  let victim: TestMailbox;
  let target: TestMailbox;

  beforeAll(async () => {
    mail = await startTestMailServer();
    const domain = await makeDomain(mail.db);
    victim = await makeMailbox(mail.db, domain, 'victim');
    target = await makeMailbox(mail.db, domain, 'target');
  });
  afterAll(async () => mail?.close());

  it.each(SEQUENCES)('%s stays inside one message', async (name, sequence) => {
    const { client } = await RawSmtp.connect(mail.mx);
    await client.cmd('EHLO attacker.test');
    expect((await client.cmd('MAIL FROM:<attacker@elsewhere.example>')).code).toBe(250);
    expect((await client.cmd(`RCPT TO:<${victim.address}>`)).code).toBe(250);
    expect((await client.cmd('DATA')).code).toBe(354);
    const smuggled =
      `MAIL FROM:<admin@elsewhere.example>\r\nRCPT TO:<${target.address}>\r\nDATA\r\n` +
      `Subject: smuggled ${name}\r\n\r\nforged\r\n`;
    // the whole payload in one write, as an attacker pipelines it
    client.write(`Subject: carrier ${name}\r\n\r\nbefore${sequence}${smuggled}.\r\nQUIT\r\n`);
    const replies: SmtpResponse[] = [];
    for (;;) {
      try {
        replies.push(await client.read(5000));
      } catch {
        break; // closed after QUIT
      }
    }
    // exactly one message accepted, then QUIT: nothing was read as commands
    expect(replies.map((r) => r.code)).toEqual([250, 221]);

    const carried = (await storedMessages(mail.db, victim.id)).filter((m) => m.subject === `carrier ${name}`);
    expect(carried).toHaveLength(1);
    const raw = carried[0].raw;
    expect(raw).toContain('MAIL FROM:<admin@elsewhere.example>');
    expect(raw).toContain(`Subject: smuggled ${name}`);
    expect(raw).toContain('forged');
    // stored with CRLF line ends only, and no NUL: the look-alike is now an ordinary "." line
    expect(raw).not.toMatch(/\r(?!\n)|(?<!\r)\n|\x00/);
    expect(raw).toContain('before\r\n');
    expect((await storedMessages(mail.db, target.id)).filter((m) => m.subject?.startsWith('smuggled'))).toEqual([]);
  });
});
