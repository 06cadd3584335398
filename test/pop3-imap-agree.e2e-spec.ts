import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDomain, makeMailbox, storedMessages, TestDomain, TestMailbox } from './support/mail-fixtures';
import { poplib, RawPop3 } from './support/pop3';
import { freePort, smtpClient, startTestMailServer, TestMailServer } from './support/smtp';

/**
 * POP3 and IMAP on one mailbox, with real clients on the real server and
 * store: they list the same messages under the same identities and sizes,
 * hand out the same bytes, and what one deletes the other sees gone.
 *
 * What a POP3 session open during an IMAP EXPUNGE does: its maildrop stays
 * as it was at login (numbers, sizes and UIDLs do not move). RETR/TOP of the
 * expunged message serves it if this session already read it ahead (the
 * message's own bytes, as at login), and otherwise answers "-ERR message n is
 * no longer there"; DELE of it at QUIT removes nothing more. Never other
 * bytes, and the session goes on.
 */
describe('POP3 and IMAP agree on the same mailbox', () => {
  let mail: TestMailServer;
  let pop3: number;
  let domain: TestDomain;
  const imapClients: ImapFlow[] = [];
  const pop3Clients: RawPop3[] = [];

  const imapPort = () => mail.server.imapPorts.find((p) => p.kind === 'imap')!.port;

  const imap = async (box: TestMailbox) => {
    const c = new ImapFlow({ host: '127.0.0.1', port: imapPort(), secure: false, auth: { user: box.address, pass: box.password }, tls: { rejectUnauthorized: false }, logger: false, disableAutoIdle: true });
    await c.connect();
    imapClients.push(c);
    return c;
  };

  const pop3Session = async (box: TestMailbox) => {
    const s = await RawPop3.login(pop3, box.address, box.password);
    pop3Clients.push(s.client);
    return s;
  };

  /** Through the MX, as mail arrives: one plain, one with lines that need dot-stuffing, one 8-bit. */
  const deliver = async (box: TestMailbox, messages: string[]) => {
    const transport = smtpClient(mail.mx, { ignoreTLS: true });
    for (const raw of messages) await transport.sendMail({ envelope: { from: 'sender@remote.test', to: [box.address] }, raw });
    transport.close();
  };
  const message = (subject: string, body: string) =>
    `From: <sender@remote.test>\r\nTo: <someone@example.test>\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}.${Date.now()}@remote.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body}`;
  const threeMessages = () => [
    message('plain', 'Hello from SMTP.\r\n'),
    message('dots', '.starts with a dot\r\n..two dots\r\n.\r\nand a line that is one dot above\r\n'),
    message('eight bit', 'Grüße aus Köln, 8-bit: naïve café ✓\r\n'),
  ];

  const usage = async (box: TestMailbox) => {
    const [row] = await mail.db.query('SELECT used_bytes, message_count FROM mailboxes WHERE id = $1', [box.id]);
    return { usedBytes: Number(row.used_bytes), messageCount: Number(row.message_count) };
  };

  beforeAll(async () => {
    pop3 = await freePort();
    mail = await startTestMailServer({ POP3_PORT: String(pop3), POP3S_PORT: 'off' });
    domain = await makeDomain(mail.db);
  });

  afterAll(async () => {
    for (const c of pop3Clients) c.destroy();
    for (const c of imapClients) await c.logout().catch(() => c.close());
    await mail?.close();
  });

  it('UIDL is UIDVALIDITY.UID, LIST sizes are RFC822.SIZE, and RETR gives the bytes of BODY[]', async () => {
    const box = await makeMailbox(mail.db, domain, 'agree');
    await deliver(box, threeMessages());

    const c = await imap(box);
    const folder = await c.mailboxOpen('INBOX');
    const fetched: Array<{ uid: number; size: number; source: Buffer }> = [];
    for await (const m of c.fetch('1:*', { uid: true, size: true, source: true })) fetched.push({ uid: m.uid, size: m.size!, source: m.source! });
    expect(fetched).toHaveLength(3);

    // a real POP3 client: poplib (it undoes the dot-stuffing; the lines joined again are the message)
    const out = await poplib(pop3, box.address, box.password, `
out['stat'] = p.stat()
out['list'] = [l.decode() for l in p.list()[1]]
out['uidl'] = [l.decode() for l in p.uidl()[1]]
out['retr'] = []
for i in range(1, out['stat'][0] + 1):
    resp, lines, octets = p.retr(i)
    out['retr'].append({'resp': resp.decode(), 'octets': octets, 'raw': base64.b64encode(b'\\r\\n'.join(lines) + b'\\r\\n').decode()})
p.quit()`);

    expect(out.stat).toEqual([3, fetched.reduce((n, m) => n + m.size, 0)]);
    expect(out.uidl).toEqual(fetched.map((m, i) => `${i + 1} ${folder.uidValidity}.${m.uid}`));
    expect(out.list).toEqual(fetched.map((m, i) => `${i + 1} ${m.size}`));
    fetched.forEach((m, i) => {
      expect(m.source.length).toBe(m.size);
      expect(out.retr[i].resp).toBe(`+OK ${m.size} octets`);
      expect(Buffer.from(out.retr[i].raw, 'base64').equals(m.source)).toBe(true);
    });
    // the same bytes again over a raw socket: nothing lost to a client's line handling
    const { client } = await pop3Session(box);
    for (let i = 0; i < 3; i++) expect((await client.multi(`RETR ${i + 1}`)).body!.equals(fetched[i].source)).toBe(true);
    expect(await client.quit()).toMatch(/^\+OK .*\(0 message\(s\) deleted\)/);

    // and what the store holds; reading over POP3 sets no IMAP flag (no \Seen)
    const stored = await storedMessages(mail.db, box.id);
    expect(stored.map((s) => [s.uid, s.size, s.raw])).toEqual(fetched.map((m) => [m.uid, m.size, m.source.toString('latin1')]));
    expect(stored.map((s) => s.flags)).toEqual([[], [], []]);
  });

  it('DELE and QUIT over POP3: an open IMAP session gets the EXPUNGE, the message is gone, usage drops', async () => {
    const box = await makeMailbox(mail.db, domain, 'popdel');
    await deliver(box, threeMessages());
    const before = await usage(box);
    expect(before.messageCount).toBe(3);

    const c = await imap(box);
    await c.mailboxOpen('INBOX');
    const uidsBefore: number[] = [];
    for await (const m of c.fetch('1:*', { uid: true, size: true })) uidsBefore.push(m.uid);
    const expunged: number[] = [];
    c.on('expunge', (ev: { seq: number }) => expunged.push(ev.seq));

    const { client } = await pop3Session(box);
    const [, size2] = (await client.command('LIST 2')).split(' ').slice(1).map(Number);
    expect(await client.command('DELE 2')).toMatch(/^\+OK/);
    // not yet: DELE only marks
    expect((await storedMessages(mail.db, box.id)).map((s) => s.uid)).toEqual(uidsBefore);
    expect(await client.quit()).toMatch(/^\+OK .*\(1 message\(s\) deleted\)/);

    await c.noop();
    for (let i = 0; i < 20 && expunged.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await c.noop();
    }
    expect(expunged).toEqual([2]);
    expect(c.mailbox && c.mailbox.exists).toBe(2);
    const uidsAfter: number[] = [];
    for await (const m of c.fetch('1:*', { uid: true })) uidsAfter.push(m.uid);
    expect(uidsAfter).toEqual([uidsBefore[0], uidsBefore[2]]);

    expect(await usage(box)).toEqual({ usedBytes: before.usedBytes - size2, messageCount: 2 });
    const quota = await c.getQuota('INBOX');
    expect(quota && quota.storage?.usage).toBe(Math.ceil((before.usedBytes - size2) / 1024) * 1024);
    // a fresh IMAP session agrees
    const fresh = await imap(box);
    expect(await fresh.status('INBOX', { messages: true })).toMatchObject({ messages: 2 });
  });

  it('IMAP \\Deleted + EXPUNGE is not offered to the next POP3 session; \\Deleted alone still is', async () => {
    const box = await makeMailbox(mail.db, domain, 'imapdel');
    await deliver(box, threeMessages());
    const c = await imap(box);
    const folder = await c.mailboxOpen('INBOX');
    const uids: number[] = [];
    for await (const m of c.fetch('1:*', { uid: true })) uids.push(m.uid);

    // flagged \Deleted but not expunged: POP3 knows nothing of flags, the message is still there
    await c.messageFlagsAdd(String(uids[0]), ['\\Deleted'], { uid: true });
    const flaggedOnly = await poplib(pop3, box.address, box.password, `out['uidl'] = [l.decode() for l in p.uidl()[1]]\np.quit()`);
    expect(flaggedOnly.uidl).toEqual(uids.map((u, i) => `${i + 1} ${folder.uidValidity}.${u}`));

    // EXPUNGE (UID EXPUNGE of that message): the next POP3 session does not list it, and numbers from 1 again
    await c.messageDelete(String(uids[0]), { uid: true });
    const out = await poplib(pop3, box.address, box.password, `
out['stat'] = p.stat()
out['uidl'] = [l.decode() for l in p.uidl()[1]]
out['list'] = [l.decode() for l in p.list()[1]]
out['first'] = base64.b64encode(b'\\r\\n'.join(p.retr(1)[1]) + b'\\r\\n').decode()
p.quit()`);
    const stored = await storedMessages(mail.db, box.id);
    expect(stored.map((s) => s.uid)).toEqual([uids[1], uids[2]]);
    expect(out.stat).toEqual([2, stored[0].size + stored[1].size]);
    expect(out.uidl).toEqual([`1 ${folder.uidValidity}.${uids[1]}`, `2 ${folder.uidValidity}.${uids[2]}`]);
    expect(out.list).toEqual([`1 ${stored[0].size}`, `2 ${stored[1].size}`]);
    expect(Buffer.from(out.first, 'base64').toString('latin1')).toBe(stored[0].raw);
    expect(await usage(box)).toEqual({ usedBytes: stored[0].size + stored[1].size, messageCount: 2 });
  });

  it('a POP3 session open while IMAP expunges keeps its snapshot: -ERR for what it had not read, the right bytes for what it had, never a crash', async () => {
    const box = await makeMailbox(mail.db, domain, 'snapshot');
    await deliver(box, [...threeMessages(), message('fourth', 'Four.\r\n'), message('fifth', 'Five.\r\n')]);
    const c = await imap(box);
    const folder = await c.mailboxOpen('INBOX');
    const source: Buffer[] = [];
    const uids: number[] = [];
    for await (const m of c.fetch('1:*', { uid: true, source: true })) {
      uids.push(m.uid);
      source.push(m.source!);
    }

    // Session A logs in and reads nothing yet. IMAP then expunges message 2 and 4.
    const a = await pop3Session(box);
    expect(a.login).toMatch(/has 5 message\(s\)/);
    const listBefore = await a.client.multi('LIST');
    const uidlBefore = await a.client.multi('UIDL');
    await c.messageDelete(`${uids[1]},${uids[3]}`, { uid: true });
    expect((await storedMessages(mail.db, box.id)).map((s) => s.uid)).toEqual([uids[0], uids[2], uids[4]]);

    // the snapshot: same count, numbers, sizes and UIDLs as at login
    expect(await a.client.command('STAT')).toBe(`+OK 5 ${source.reduce((n, s) => n + s.length, 0)}`);
    expect((await a.client.multi('LIST')).body!.equals(listBefore.body!)).toBe(true);
    expect((await a.client.multi('UIDL')).body!.equals(uidlBefore.body!)).toBe(true);
    expect(await a.client.command('UIDL 2')).toBe(`+OK 2 ${folder.uidValidity}.${uids[1]}`);

    // RETR 2: not read before the expunge, gone from the store -> -ERR, and the session goes on
    expect((await a.client.multi('RETR 2')).status).toBe('-ERR message 2 is no longer there: another session removed it');
    expect((await a.client.multi('TOP 2 0')).status).toMatch(/^-ERR message 2 is no longer there/);
    expect(await a.client.command('NOOP')).toBe('+OK');
    // the others: their own bytes
    for (const n of [1, 3, 5]) expect((await a.client.multi(`RETR ${n}`)).body!.equals(source[n - 1])).toBe(true);

    // Session B (after A quits) reads message 1, which reads ahead the rest; IMAP then expunges message 3
    // (store UID uids[4] is B's 3rd): B still serves it from what it read at its login, byte for byte
    expect(await a.client.command('DELE 2')).toMatch(/^\+OK/); // already expunged by IMAP: QUIT removes nothing more
    expect(await a.client.quit()).toMatch(/^\+OK/);
    expect(await usage(box)).toEqual({ usedBytes: source[0].length + source[2].length + source[4].length, messageCount: 3 });
    const b = await pop3Session(box);
    expect(b.login).toMatch(/has 3 message\(s\)/);
    expect((await b.client.multi('RETR 1')).body!.equals(source[0])).toBe(true);
    await c.messageDelete(String(uids[4]), { uid: true });
    expect((await b.client.multi('RETR 3')).body!.equals(source[4])).toBe(true);
    expect(await b.client.command('UIDL 3')).toBe(`+OK 3 ${folder.uidValidity}.${uids[4]}`);
    // a message delivered during B's session is not in its maildrop, but IMAP sees it at once
    await deliver(box, [message('late', 'Arrived during the POP3 session.\r\n')]);
    expect(await b.client.command('STAT')).toMatch(/^\+OK 3 /);
    expect(await b.client.command('RETR 4')).toMatch(/^-ERR no message 4/);
    await c.noop();
    expect(c.mailbox && c.mailbox.exists).toBe(3);
    // DELE of the one IMAP took and of message 1: QUIT removes what is left of them, usage follows the store
    expect(await b.client.command('DELE 3')).toMatch(/^\+OK/);
    expect(await b.client.command('DELE 1')).toMatch(/^\+OK/);
    expect(await b.client.quit()).toMatch(/^\+OK .*\(2 message\(s\) deleted\)/);
    const left = await storedMessages(mail.db, box.id);
    expect(left.map((s) => s.subject)).toEqual(['eight bit', 'late']);
    expect(await usage(box)).toEqual({ usedBytes: left[0].size + left[1].size, messageCount: 2 });

    // the next POP3 session sees exactly what IMAP sees
    const out = await poplib(pop3, box.address, box.password, `out['uidl'] = [l.decode() for l in p.uidl()[1]]\np.quit()`);
    const imapUids: number[] = [];
    await c.noop();
    for await (const m of c.fetch('1:*', { uid: true })) imapUids.push(m.uid);
    expect(out.uidl).toEqual(imapUids.map((u, i) => `${i + 1} ${folder.uidValidity}.${u}`));
  });
});
