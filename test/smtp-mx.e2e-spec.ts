import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unique } from './support/api';
import { makeAlias, makeDomain, makeMailbox, storedMessages, TestDomain, TestMailbox } from './support/mail-fixtures';
import { RawSmtp, rfc5322, smtpClient, startTestMailServer, swaks, TestMailServer } from './support/smtp';

describe('SMTP MX: receiving mail for hosted domains', () => {
  let mail: TestMailServer;
  let domain: TestDomain;
  let alice: TestMailbox;
  let bob: TestMailbox;

  beforeAll(async () => {
    mail = await startTestMailServer({ MAX_MESSAGE_BYTES: String(64 * 1024), MAX_RECIPIENTS: '5' });
    domain = await makeDomain(mail.db);
    alice = await makeMailbox(mail.db, domain, 'alice');
    bob = await makeMailbox(mail.db, domain, 'Bob');
  });
  afterAll(async () => mail?.close());

  async function session(): Promise<RawSmtp> {
    const { client, greeting } = await RawSmtp.connect(mail.mx);
    expect(greeting.text).toMatch(/^220 mx\.postbode\.test ESMTP/);
    expect((await client.cmd('EHLO client.test')).code).toBe(250);
    return client;
  }

  it('greets with the host name and advertises SIZE, DSN, ENHANCEDSTATUSCODES, PIPELINING; no AUTH', async () => {
    const { client } = await RawSmtp.connect(mail.mx);
    const ehlo = await client.cmd('EHLO client.test');
    expect(ehlo.text).toContain(`SIZE ${64 * 1024}`);
    expect(ehlo.text).toContain('DSN');
    expect(ehlo.text).toContain('ENHANCEDSTATUSCODES');
    expect(ehlo.text).toContain('PIPELINING');
    expect(ehlo.text).not.toMatch(/AUTH/);
    expect((await client.cmd('AUTH PLAIN AGFAYg==')).text).toMatch(/^502 5\.5\.1 /);
    client.close();
  });

  it('refuses a client that talks before the greeting (early talker)', async () => {
    const socket = connect({ host: '127.0.0.1', port: mail.mx });
    socket.write('EHLO bot.example\r\nMAIL FROM:<spam@bot.example>\r\n');
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(reply).toMatch(/^421 .*You talk too soon/);
  });

  it('stores a message once, in INBOX, with a Received header, growing UIDs and the mailbox counters', async () => {
    const before = await mail.db.query('SELECT used_bytes, message_count FROM mailboxes WHERE id = $1', [alice.id]);
    const t = smtpClient(mail.mx);
    for (const n of [1, 2]) {
      const info = await t.sendMail({
        envelope: { from: 'sender@elsewhere.example', to: [alice.address] },
        raw: rfc5322({ from: 'sender@elsewhere.example', to: alice.address, subject: `hello ${n}`, messageId: `mx-${n}-${alice.id}@client.test` }),
      });
      expect(info.response).toMatch(/^250 2\.6\.0 Ok: queued as [0-9a-f-]{36}$/);
    }
    t.close();
    const inbox = await storedMessages(mail.db, alice.id);
    expect(inbox.map((m) => m.uid)).toEqual([1, 2]);
    expect(inbox.map((m) => m.subject)).toEqual(['hello 1', 'hello 2']);
    expect(inbox[0].raw).toMatch(/^Received: from [^\r\n]+\[127\.0\.0\.1\]\)\r\n\tby mx\.postbode\.test \(Postbode\) with ESMTPS id [^\r\n]+\r\n\t\(using TLSv1\.[23] with cipher [A-Z0-9_]+\)\r\n/); // nodemailer uses STARTTLS when offered
    expect(inbox[0].raw).toContain(`for <${alice.address}>;`);
    expect(inbox[0].raw).toContain('\r\n\r\nHello.\r\n');
    const folders = await mail.db.query('SELECT name, special_use, uid_next, uid_validity FROM folders WHERE mailbox_id = $1 ORDER BY name', [alice.id]);
    expect(folders.map((f: { name: string }) => f.name)).toEqual(['Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    expect(folders.find((f: { name: string }) => f.name === 'INBOX').uid_next).toBe('3');
    expect(folders.find((f: { name: string }) => f.name === 'Sent').special_use).toBe('\\Sent');
    const after = await mail.db.query('SELECT used_bytes, message_count FROM mailboxes WHERE id = $1', [alice.id]);
    expect(Number(after[0].used_bytes) - Number(before[0].used_bytes)).toBe(inbox[0].size + inbox[1].size);
    expect(after[0].message_count - before[0].message_count).toBe(2);
  });

  it('stores the raw message once for several local recipients', async () => {
    const t = smtpClient(mail.mx);
    const messageId = `shared-${alice.id}@client.test`;
    await t.sendMail({ envelope: { from: 'x@elsewhere.example', to: [alice.address, bob.address] }, raw: rfc5322({ from: 'x@elsewhere.example', to: 'list@x', messageId }) });
    t.close();
    const rows = await mail.db.query(
      `SELECT m.id, count(mm.id)::int AS copies, bool_and(m.raw NOT LIKE '%for <%') AS no_for
         FROM messages m JOIN mailbox_messages mm ON mm.message_id = m.id WHERE m.message_id_header = $1 GROUP BY m.id`,
      [messageId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].copies).toBe(2);
    expect(rows[0].no_for).toBe(true); // the Received header names no recipient when there are several
  });

  it('is case-insensitive and accepts one trailing dot on the domain', async () => {
    const c = await session();
    expect((await c.cmd('MAIL FROM:<a@elsewhere.example>')).code).toBe(250);
    expect((await c.cmd(`RCPT TO:<ALICE@${domain.name.toUpperCase()}.>`)).code).toBe(250);
    expect((await c.cmd(`RCPT TO:<bob@${domain.name}>`)).code).toBe(250);
    c.close();
  });

  it('refuses unknown users with 550 5.1.1 at RCPT, and disabled mailboxes with 550 5.2.1', async () => {
    const disabled = await makeMailbox(mail.db, domain, 'gone', { status: 'disabled' });
    const c = await session();
    await c.cmd('MAIL FROM:<a@elsewhere.example>');
    expect((await c.cmd(`RCPT TO:<nobody@${domain.name}>`)).text).toMatch(/^550 5\.1\.1 /);
    expect((await c.cmd(`RCPT TO:<${disabled.address}>`)).text).toMatch(/^550 5\.2\.1 /);
    expect((await c.cmd(`RCPT TO:<${alice.address}>`)).code).toBe(250); // the session goes on
    c.close();
  });

  it('refuses a full mailbox with 552 5.2.2, and a declared SIZE that would not fit', async () => {
    const full = await makeMailbox(mail.db, domain, 'full', { quotaBytes: 1000, usedBytes: 1000 });
    const nearly = await makeMailbox(mail.db, domain, 'nearly', { quotaBytes: 1000, usedBytes: 900 });
    const c = await session();
    await c.cmd('MAIL FROM:<a@elsewhere.example>');
    expect((await c.cmd(`RCPT TO:<${full.address}>`)).text).toMatch(/^552 5\.2\.2 /);
    expect((await c.cmd(`RCPT TO:<${nearly.address}>`)).code).toBe(250);
    await c.cmd('RSET');
    await c.cmd('MAIL FROM:<a@elsewhere.example> SIZE=500');
    expect((await c.cmd(`RCPT TO:<${nearly.address}>`)).text).toMatch(/^552 5\.2\.2 /);
    c.close();
  });

  it('stores a message that crosses the quota instead of losing it, and records the crossing', async () => {
    const nearly = await makeMailbox(mail.db, domain, 'brim', { quotaBytes: 1000, usedBytes: 900 });
    const t = smtpClient(mail.mx);
    await t.sendMail({ envelope: { from: 'a@elsewhere.example', to: [nearly.address] }, raw: rfc5322({ from: 'a@elsewhere.example', to: nearly.address, body: 'x'.repeat(500) }) });
    t.close();
    expect(await storedMessages(mail.db, nearly.id)).toHaveLength(1);
    const events = await mail.db.query(`SELECT action FROM events WHERE target_id = $1`, [nearly.id]);
    expect(events.map((e: { action: string }) => e.action)).toEqual(['mailbox.quota_exceeded']);
    const c = await session();
    await c.cmd('MAIL FROM:<a@elsewhere.example>');
    expect((await c.cmd(`RCPT TO:<${nearly.address}>`)).text).toMatch(/^552 5\.2\.2 /);
    c.close();
  });

  it('expands aliases (to mailboxes, other aliases and external addresses), the catch-all and +subaddresses; loops end', async () => {
    const d = await makeDomain(mail.db);
    const carol = await makeMailbox(mail.db, d, 'carol');
    const dave = await makeMailbox(mail.db, d, 'dave');
    await makeAlias(mail.db, d, 'team', [carol.address, `crew@${d.name}`, 'Partner@Remote.Example']);
    await makeAlias(mail.db, d, 'crew', [dave.address, `team@${d.name}`]); // a loop back to team
    await makeAlias(mail.db, d, '*', [dave.address]);
    const t = smtpClient(mail.mx);
    const messageId = `alias-${d.id}@client.test`;
    await t.sendMail({ envelope: { from: 'ext@elsewhere.example', to: [`team@${d.name}`] }, raw: rfc5322({ from: 'ext@elsewhere.example', to: `team@${d.name}`, messageId }) });
    await t.sendMail({ envelope: { from: 'ext@elsewhere.example', to: [`whoever@${d.name}`, `carol+news@${d.name}`] }, raw: rfc5322({ from: 'ext@elsewhere.example', to: 'x', subject: 'catch' }) });
    t.close();
    expect((await storedMessages(mail.db, carol.id)).map((m) => m.subject)).toEqual(['test', 'catch']);
    expect((await storedMessages(mail.db, dave.id)).map((m) => m.subject)).toEqual(['test', 'catch']);
    const queued = await mail.db.query(
      `SELECT o.source, o.envelope_from, r.recipient, r.status FROM outbound_messages o
         JOIN outbound_recipients r ON r.outbound_message_id = o.id JOIN messages m ON m.id = o.message_id
        WHERE m.message_id_header = $1`,
      [messageId],
    );
    expect(queued).toEqual([{ source: 'forward', envelope_from: 'ext@elsewhere.example', recipient: 'partner@remote.example', status: 'queued' }]);
  });

  it('refuses relaying (554 5.7.1), and addresses that carry their own routing never reach anywhere (550 5.7.1)', async () => {
    const remote = `${unique('remote')}.example`.toLowerCase();
    const c = await session();
    await c.cmd('MAIL FROM:<a@elsewhere.example>');
    for (const rcpt of [`someone@${remote}`, `someone@${remote}.`, `SomeOne@${remote.toUpperCase()}`]) {
      expect((await c.cmd(`RCPT TO:<${rcpt}>`)).text, rcpt).toMatch(/^554 5\.7\.1 Relay access denied/);
    }
    // routing in the address is refused by the relay decision whoever sends it, even when it names our domain
    for (const rcpt of [`someone%${remote}@${domain.name}`, `${remote}!someone@${domain.name}`, `@${domain.name}:someone@${remote}`]) {
      expect((await c.cmd(`RCPT TO:<${rcpt}>`)).text, rcpt).toMatch(/^550 5\.7\.1 Relay denied: addresses that carry their own routing/);
    }
    expect((await c.cmd('RCPT TO:<user@[192.0.2.1]>')).text).toMatch(/^550 5\.7\.1 Relay denied: addresses at an IP literal/);
    // a quoted local part with an @ is refused as syntax before any policy runs
    expect((await c.cmd(`RCPT TO:<"someone@${remote}"@${domain.name}>`)).text).toMatch(/^501 /);
    expect((await c.cmd('DATA')).code).toBe(503); // nothing was accepted
    c.close();
    expect(await mail.db.query(`SELECT 1 FROM outbound_recipients WHERE recipient LIKE $1`, [`%${remote}%`])).toEqual([]);
  });

  it('enforces SIZE: declared too big at MAIL, and an oversized body after DATA (552 5.3.4)', async () => {
    const c = await session();
    expect((await c.cmd(`MAIL FROM:<a@elsewhere.example> SIZE=${64 * 1024 + 1}`)).text).toMatch(/^552 5\.3\.4 /);
    await c.cmd('MAIL FROM:<a@elsewhere.example>');
    await c.cmd(`RCPT TO:<${bob.address}>`);
    expect((await c.cmd('DATA')).code).toBe(354);
    c.write(`Subject: big\r\n\r\n${'y'.repeat(998)}\r\n`.repeat(70) + '.\r\n');
    expect((await c.read()).text).toMatch(/^552 5\.3\.4 /);
    expect((await c.cmd('NOOP')).code).toBe(250);
    c.close();
    expect((await storedMessages(mail.db, bob.id)).some((m) => m.subject === 'big')).toBe(false);
  });

  it('answers more recipients than the limit with 452 4.5.3', async () => {
    const c = await session();
    await c.cmd('MAIL FROM:<a@elsewhere.example>');
    for (let i = 0; i < 5; i++) expect((await c.cmd(`RCPT TO:<alice+${i}@${domain.name}>`)).code).toBe(250);
    expect((await c.cmd(`RCPT TO:<alice+6@${domain.name}>`)).text).toMatch(/^452 4\.5\.3 /);
    c.close();
  });

  it('refuses over-long command lines and survives garbage', async () => {
    const c = await session();
    expect((await c.cmd(`MAIL FROM:<${'a'.repeat(3000)}@elsewhere.example>`)).text).toMatch(/^500 5\.5\.2 Line too long/);
    expect((await c.cmd('\x00\x01\xff\xfe garbage')).code).toBe(500);
    expect((await c.cmd('HELLO?')).code).toBe(500);
    expect((await c.cmd('MAIL FROM:<<<>>>')).code).toBe(501);
    expect((await c.cmd('RCPT TO:<x@y>')).code).toBe(503);
    expect((await c.cmd('DATA')).code).toBe(503);
    // and a whole transaction still works afterwards
    expect((await c.cmd('MAIL FROM:<a@elsewhere.example>')).code).toBe(250);
    expect((await c.cmd(`RCPT TO:<${bob.address}>`)).code).toBe(250);
    expect((await c.cmd('DATA')).code).toBe(354);
    expect((await c.cmd('Subject: after garbage\r\n\r\nstill here\r\n.')).code).toBe(250);
    expect((await c.cmd('QUIT')).code).toBe(221);
    expect((await storedMessages(mail.db, bob.id)).some((m) => m.subject === 'after garbage')).toBe(true);
  });

  it('accepts mail from swaks', async () => {
    const r = await swaks(['--server', `127.0.0.1:${mail.mx}`, '--from', 'swaks@elsewhere.example', '--to', alice.address, '--header', 'Subject: via swaks', '--body', 'swaks body']);
    expect(r.output).toMatch(/<-  250 2\.6\.0 Ok: queued as/);
    expect(r.code).toBe(0);
    expect((await storedMessages(mail.db, alice.id)).some((m) => m.subject === 'via swaks' && m.raw.includes('swaks body'))).toBe(true);
  });
});
