import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawImapClient, rawSession, tagged } from './support/imap';
import { makeDomain, makeMailbox, storedMessages, TestDomain, TestMailbox } from './support/mail-fixtures';
import { rfc5322, smtpClient, startTestMailServer, TestMailServer } from './support/smtp';

/** imapflow answers `false` when nothing matched. */
function found<T>(value: T | false | undefined): T {
  if (value === false || value === undefined) throw new Error('imapflow found nothing');
  return value;
}

const imapPort = (mail: TestMailServer, kind: 'imap' | 'imaps') => found(mail.server.imapPorts.find((p) => p.kind === kind)).port;

/**
 * IMAP on the real mail server and the real PostgreSQL store: mail arrives by
 * SMTP (MX), is read and changed with real clients, and the store's rows say
 * the same. Two mail-server instances on one database stand for two
 * processes: what one session does, a session on the other sees.
 */
describe('IMAP on the PostgreSQL mail store', () => {
  let mail: TestMailServer;
  let other: TestMailServer;
  let domain: TestDomain;
  let alice: TestMailbox;
  const clients: ImapFlow[] = [];

  const deliver = async (to: TestMailbox, subject: string, body = 'Hello from SMTP.') => {
    const transport = smtpClient(mail.mx, { ignoreTLS: true });
    await transport.sendMail({ envelope: { from: 'sender@remote.test', to: [to.address] }, raw: rfc5322({ from: 'sender@remote.test', to: to.address, subject, body }) });
    transport.close();
  };

  const connect = async (server: TestMailServer, box: TestMailbox, opts: { secure?: boolean } = {}) => {
    const secure = opts.secure ?? false;
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: imapPort(server, secure ? 'imaps' : 'imap'),
      secure,
      auth: { user: box.address, pass: box.password },
      tls: { rejectUnauthorized: false },
      logger: false,
      disableAutoIdle: true,
    });
    await c.connect();
    clients.push(c);
    return c;
  };

  const mailboxUsage = async (box: TestMailbox) => {
    const rows = await mail.db.query('SELECT used_bytes, message_count FROM mailboxes WHERE id = $1', [box.id]);
    return { usedBytes: Number(rows[0].used_bytes), messageCount: rows[0].message_count };
  };

  beforeAll(async () => {
    mail = await startTestMailServer();
    other = await startTestMailServer({ SMTP_PORT: 'off', SUBMISSION_PORT: 'off', SMTPS_PORT: 'off' });
    domain = await makeDomain(mail.db);
    alice = await makeMailbox(mail.db, domain, 'alice');
    await deliver(alice, 'first message', 'The quick brown fox.');
    await deliver(alice, 'second message', 'Jumps over the lazy dog.');
    await deliver(alice, 'third message', 'Nothing else.');
  });

  afterAll(async () => {
    for (const c of clients) await c.logout().catch(() => c.close());
    await other?.close();
    await mail?.close();
  });

  it('listens on the IMAP and IMAPS ports and serves LIST with special-use folders over implicit TLS', async () => {
    expect(mail.server.imapPorts.map((p) => p.kind)).toEqual(['imap', 'imaps']);
    const c = await connect(mail, alice, { secure: true });
    const folders = await c.list();
    const byName = Object.fromEntries(folders.map((f) => [f.path, f.specialUse ?? null]));
    expect(byName).toMatchObject({ INBOX: '\\Inbox', Sent: '\\Sent', Drafts: '\\Drafts', Junk: '\\Junk', Trash: '\\Trash' });
  });

  it('refuses a wrong password with AUTHENTICATIONFAILED and counts the failure', async () => {
    const c = new ImapFlow({ host: '127.0.0.1', port: imapPort(mail, 'imap'), secure: false, auth: { user: alice.address, pass: 'wrong' }, tls: { rejectUnauthorized: false }, logger: false });
    await expect(c.connect()).rejects.toMatchObject({ authenticationFailed: true });
    const rows = await mail.db.query('SELECT failures FROM auth_failures WHERE key = $1', [`user:${alice.address}`]);
    expect(rows[0]?.failures).toBeGreaterThanOrEqual(1);
  });

  it('SELECT and FETCH show the delivered messages with the store UIDs, ENVELOPE, BODYSTRUCTURE and BODY[]', async () => {
    const stored = await storedMessages(mail.db, alice.id);
    const c = await connect(mail, alice);
    const box = await c.mailboxOpen('INBOX');
    expect(box.exists).toBe(stored.length);
    const fetched = [];
    for await (const msg of c.fetch('1:*', { uid: true, flags: true, envelope: true, bodyStructure: true, source: true, size: true })) fetched.push(msg);
    expect(fetched.map((m) => m.uid)).toEqual(stored.map((s) => s.uid));
    expect(fetched.map((m) => m.envelope?.subject)).toEqual(['first message', 'second message', 'third message']);
    expect(fetched[0].bodyStructure?.type).toBe('text/plain');
    expect(fetched[0].source?.toString('latin1')).toBe(stored[0].raw);
    expect(fetched[0].size).toBe(stored[0].size);
    // imapflow's source is BODY.PEEK[]: no \Seen
    expect((await storedMessages(mail.db, alice.id))[0].flags).toEqual([]);
    // the structure was stored at delivery
    const withStructure = await mail.db.query(
      `SELECT count(*)::int AS n FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id WHERE mm.mailbox_id = $1 AND m.imap_structure IS NOT NULL`,
      [alice.id],
    );
    expect(withStructure[0].n).toBe(stored.length);
  });

  it('computes the structure and the ENVELOPE/BODYSTRUCTURE texts on first FETCH for a message stored without them, and keeps them', async () => {
    const bob = await makeMailbox(mail.db, domain, 'bob-old');
    await deliver(bob, 'stored before the column');
    await mail.db.query(
      `UPDATE messages SET imap_structure = NULL, imap_envelope = NULL, imap_body_structure = NULL WHERE id IN (SELECT message_id FROM mailbox_messages WHERE mailbox_id = $1)`,
      [bob.id],
    );
    const c = await connect(mail, bob);
    await c.mailboxOpen('INBOX');
    const msg = found(await c.fetchOne('1', { envelope: true, bodyStructure: true }));
    expect(msg.envelope?.subject).toBe('stored before the column');
    expect(msg.bodyStructure?.type).toBe('text/plain');
    const rows = await mail.db.query(
      `SELECT m.imap_structure, m.imap_envelope, m.imap_body_structure FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id WHERE mm.mailbox_id = $1`,
      [bob.id],
    );
    expect(rows[0].imap_structure.envelope.subject).toBe('stored before the column');
    expect(rows[0].imap_envelope).toContain('"stored before the column"');
    expect(rows[0].imap_body_structure).toMatch(/^\("TEXT" "PLAIN" /);
  });

  it('SEARCH answers header keys in SQL and body keys from the message text', async () => {
    const c = await connect(mail, alice);
    await c.mailboxOpen('INBOX');
    const stored = await storedMessages(mail.db, alice.id);
    expect(await c.search({ subject: 'SECOND' }, { uid: true })).toEqual([stored[1].uid]);
    expect(await c.search({ body: 'lazy dog' }, { uid: true })).toEqual([stored[1].uid]);
    expect(await c.search({ from: 'sender@remote.test', not: { subject: 'third' } }, { uid: true })).toEqual([stored[0].uid, stored[1].uid]);
    expect(await c.search({ text: 'quick brown' }, { uid: true })).toEqual([stored[0].uid]);
    expect(await c.search({ header: { 'message-id': '@client.test' } }, { uid: true })).toEqual(stored.map((s) => s.uid));
  });

  it('SEARCH BODY, TEXT, BCC and HEADER run in SQL on the text stored at delivery: quoted-printable, base64, other charsets, HTML', async () => {
    const dave = await makeMailbox(mail.db, domain, 'dave-search');
    const head = (subject: string, type: string, encoding?: string) =>
      `From: <sender@remote.test>\r\nTo: <${dave.address}>\r\nBcc: hidden@remote.test\r\nX-Ticket: T-4711\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\nContent-Type: ${type}\r\n${encoding ? `Content-Transfer-Encoding: ${encoding}\r\n` : ''}\r\n`;
    const messages = [
      Buffer.from(head('qp', 'text/plain; charset=utf-8', 'quoted-printable') + 'Bitte die =C3=9Cberweisung pr=C3=BC=\r\nfen.\r\n'),
      Buffer.from(head('b64', 'text/plain; charset=utf-8', 'base64') + Buffer.from('Grüße aus Köln\r\n').toString('base64') + '\r\n'),
      Buffer.concat([Buffer.from(head('latin1', 'text/plain; charset=iso-8859-1', '8bit')), Buffer.from('Danke sch\xf6n, Stra\xdfe\r\n', 'latin1')]),
      Buffer.from(head('html', 'text/html; charset=utf-8') + '<p>Hidden <b>trea</b>sure &amp; more</p><script>var secret = 1;</script>\r\n'),
      Buffer.from(
        head('attachment', 'multipart/mixed; boundary="b"') +
          `--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('treasure map').toString('base64')}\r\n--b--\r\n`,
      ),
    ];
    const transport = smtpClient(mail.mx, { ignoreTLS: true });
    for (const raw of messages) await transport.sendMail({ envelope: { from: 'sender@remote.test', to: [dave.address] }, raw });
    transport.close();
    const uids = (await storedMessages(mail.db, dave.id)).map((s) => s.uid);
    const searchTextRows = () =>
      mail.db.query(
        `SELECT count(*) FILTER (WHERE m.search_body IS NOT NULL AND m.search_headers IS NOT NULL)::int AS n FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id WHERE mm.mailbox_id = $1`,
        [dave.id],
      );
    expect((await searchTextRows())[0].n).toBe(messages.length);

    const c = await connect(mail, dave);
    await c.mailboxOpen('INBOX');
    const forgetSearchText = () =>
      mail.db.query(`UPDATE messages SET search_body = NULL, search_headers = NULL WHERE id IN (SELECT message_id FROM mailbox_messages WHERE mailbox_id = $1)`, [dave.id]);
    const expectations = async (stored: boolean) => {
      const search = async (query: Record<string, unknown>) => {
        if (!stored) await forgetSearchText();
        return c.search(query, { uid: true });
      };
      expect(await search({ body: 'ÜBERWEISUNG prüfen' })).toEqual([uids[0]]);
      expect(await search({ body: 'grüsse' })).toEqual([]);
      expect(await search({ body: 'GRÜSSE'.replace('SS', 'ß') })).toEqual([uids[1]]);
      expect(await search({ text: 'köln' })).toEqual([uids[1]]);
      expect(await search({ body: 'schön, straße' })).toEqual([uids[2]]);
      expect(await search({ body: 'treasure & more' })).toEqual([uids[3]]);
      expect(await search({ body: 'secret' })).toEqual([]);
      expect(await search({ body: 'treasure' })).toEqual([uids[3]]); // not the base64 attachment of the fifth
      expect(await search({ not: { body: 'treasure' } })).toEqual(uids.filter((_, i) => i !== 3));
      expect(await search({ text: 'subject: b64' })).toEqual([uids[1]]);
      expect(await search({ or: [{ text: 'attached' }, { subject: 'qp' }] })).toEqual([uids[0], uids[4]]);
      expect(await search({ bcc: 'HIDDEN@' })).toEqual(uids);
      expect(await search({ header: { 'x-ticket': 't-47' } })).toEqual(uids);
      expect(await search({ header: { 'x-ticket': 'sender' } })).toEqual([]);
      expect(await search({ header: { 'x-other': '' } })).toEqual([]);
      expect(await search({ body: '50% off_' })).toEqual([]);
    };
    await expectations(true);

    // rows stored before the columns existed: decoded per message with the same answers, and the text is kept for next time
    await expectations(false);
    expect((await searchTextRows())[0].n).toBe(messages.length);
  });

  it('a SELECT after changes made on another process (kept folder state plus what changed) shows what the store holds', async () => {
    const erin = await makeMailbox(mail.db, domain, 'erin-reselect');
    for (const subject of ['one', 'two', 'three']) await deliver(erin, subject);
    const a = await connect(mail, erin);
    const b = await connect(other, erin);
    const view = async (c: ImapFlow, folder: string) => {
      await c.mailboxOpen('Sent'); // so the next open is a new SELECT
      const box = await c.mailboxOpen(folder);
      const messages = [];
      if (box.exists) for await (const msg of c.fetch('1:*', { uid: true, flags: true, size: true, internalDate: true })) messages.push(msg);
      return { exists: box.exists, uidValidity: box.uidValidity, uidNext: box.uidNext, messages: messages.map((m) => ({ uid: m.uid, flags: [...(m.flags ?? [])].sort(), size: m.size, date: m.internalDate })) };
    };
    const stored = async (folder: string) => (await storedMessages(mail.db, erin.id, folder)).map((s) => ({ uid: s.uid, flags: s.flags.filter((f) => f !== '\\Recent').sort() }));
    const shown = (v: Awaited<ReturnType<typeof view>>) => v.messages.map((m) => ({ uid: m.uid, flags: m.flags.filter((f) => f !== '\\Recent') }));

    const first = await view(a, 'INBOX');
    expect(shown(first)).toEqual(await stored('INBOX'));
    const [one, two] = first.messages;
    await b.mailboxOpen('INBOX');
    await b.messageFlagsAdd(String(one.uid), ['\\Flagged', 'Project'], { uid: true });
    await b.messageDelete(String(two.uid), { uid: true });
    await deliver(erin, 'four');
    const second = await view(a, 'INBOX');
    expect(second.exists).toBe(3);
    expect(shown(second)).toEqual(await stored('INBOX'));
    expect(second.messages[0]).toMatchObject({ uid: one.uid, size: one.size, date: one.date });
    expect(second.uidNext).toBe(first.uidNext! + 1);

    // a folder deleted and made again under the same name is read afresh (a new folder row)
    await b.mailboxCreate('Projects');
    await b.messageCopy('1:*', 'Projects');
    const projects = await view(a, 'Projects');
    expect(projects.exists).toBe(3);
    await b.mailboxDelete('Projects');
    await b.mailboxCreate('Projects');
    await b.messageCopy(String(one.uid), 'Projects', { uid: true });
    const again = await view(a, 'Projects');
    expect(shown(again)).toEqual(await stored('Projects'));
    expect(again.messages.map((m) => m.uid)).toEqual([1]);
  });

  it('flags stored by a session on one process reach a session on another, and the store', async () => {
    const a = await connect(mail, alice);
    const b = await connect(other, alice);
    await a.mailboxOpen('INBOX');
    await b.mailboxOpen('INBOX');
    const seen = new Promise<{ uid?: number; flags: Set<string> }>((resolve) => b.on('flags', (ev) => resolve(ev)));
    const stored = await storedMessages(mail.db, alice.id);
    await a.messageFlagsAdd(String(stored[2].uid), ['\\Flagged', 'Project'], { uid: true });
    await b.noop();
    const ev = await seen;
    expect(ev.uid).toBe(stored[2].uid);
    expect([...ev.flags]).toEqual(expect.arrayContaining(['\\Flagged', 'Project']));
    expect((await storedMessages(mail.db, alice.id))[2].flags).toEqual(expect.arrayContaining(['\\Flagged', 'Project']));
  });

  it('a message delivered while a client IDLEs on another process arrives within one second', async () => {
    const c = await connect(other, alice);
    const box = await c.mailboxOpen('INBOX');
    const before = box.exists;
    const arrived = new Promise<number>((resolve) => c.on('exists', (ev) => resolve(ev.count)));
    const idling = c.idle();
    await new Promise((r) => setTimeout(r, 100)); // IDLE is in place
    await deliver(alice, 'while idling');
    const sentAt = Date.now();
    const count = await Promise.race([arrived, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('no EXISTS within 1 s')), 1_000))]);
    expect(Date.now() - sentAt).toBeLessThan(1_000);
    expect(count).toBe(before + 1);
    await c.noop(); // ends IDLE
    await idling.catch(() => undefined);
  });

  it('COPY, MOVE, EXPUNGE and APPEND keep UIDs, usage and the stored bytes right', async () => {
    const carol = await makeMailbox(mail.db, domain, 'carol');
    await deliver(carol, 'keep me');
    await deliver(carol, 'move me');
    await deliver(carol, 'delete me');
    const c = await connect(mail, carol);
    await c.mailboxOpen('INBOX');
    const start = await mailboxUsage(carol);
    const inbox = await storedMessages(mail.db, carol.id);
    expect(start.messageCount).toBe(3);

    // COPY: a new UID in the target, the same bytes (one messages row), usage counts the copy
    const copied = found(await c.messageCopy(String(inbox[0].uid), 'Trash', { uid: true }));
    expect([...found(copied.uidMap).entries()]).toEqual([[inbox[0].uid, 1]]);
    const afterCopy = await mailboxUsage(carol);
    expect(afterCopy).toEqual({ usedBytes: start.usedBytes + inbox[0].size, messageCount: 4 });
    const sharing = await mail.db.query(`SELECT count(DISTINCT message_id)::int AS n FROM mailbox_messages WHERE mailbox_id = $1`, [carol.id]);
    expect(sharing[0].n).toBe(3);

    // MOVE: gone from INBOX (recorded as expunged), UID 2 in Trash, usage unchanged
    const moved = found(await c.messageMove(String(inbox[1].uid), 'Trash', { uid: true }));
    expect([...found(moved.uidMap).entries()]).toEqual([[inbox[1].uid, 2]]);
    expect(await mailboxUsage(carol)).toEqual(afterCopy);
    const expunged = await mail.db.query(
      `SELECT e.uid FROM expunged_messages e JOIN folders f ON f.id = e.folder_id WHERE f.mailbox_id = $1 AND f.name = 'INBOX'`,
      [carol.id],
    );
    expect(expunged.map((r: { uid: string }) => Number(r.uid))).toEqual([inbox[1].uid]);

    // EXPUNGE: the last copy of a message frees its bytes
    const doomedId = (await mail.db.query(`SELECT message_id FROM mailbox_messages mm JOIN folders f ON f.id = mm.folder_id WHERE f.mailbox_id = $1 AND f.name = 'INBOX' AND mm.uid = $2`, [carol.id, inbox[2].uid]))[0].message_id;
    expect(await c.messageDelete(String(inbox[2].uid), { uid: true })).toBe(true);
    expect(await mailboxUsage(carol)).toEqual({ usedBytes: afterCopy.usedBytes - inbox[2].size, messageCount: 3 });
    expect(await mail.db.query('SELECT id FROM messages WHERE id = $1', [doomedId])).toEqual([]);
    expect((await storedMessages(mail.db, carol.id)).map((s) => s.uid)).toEqual([inbox[0].uid]);

    // APPEND: stored through the delivery code with flags, a new UID and usage
    const raw = 'From: carol@example.test\r\nSubject: a draft\r\n\r\nDraft body.\r\n';
    const appended = found(await c.append('Drafts', raw, ['\\Draft', '\\Seen']));
    expect(appended.uid).toBe(1);
    const drafts = await storedMessages(mail.db, carol.id, 'Drafts');
    expect(drafts.map((d) => [d.uid, d.subject, d.raw])).toEqual([[1, 'a draft', raw]]);
    expect(drafts[0].flags.sort()).toEqual(['\\Draft', '\\Seen']);
    expect(await mailboxUsage(carol)).toEqual({ usedBytes: afterCopy.usedBytes - inbox[2].size + raw.length, messageCount: 4 });

    // what changed is visible to a fresh session
    const fresh = await connect(other, carol);
    const status = await fresh.status('Trash', { messages: true, uidNext: true });
    expect(status).toMatchObject({ messages: 2, uidNext: 3 });
    const quota = found(await fresh.getQuota('INBOX'));
    // STORAGE travels in KiB, rounded up; imapflow gives bytes
    expect(quota.storage?.usage).toBe(Math.ceil((afterCopy.usedBytes - inbox[2].size + raw.length) / 1024) * 1024);
    expect(quota.storage?.limit).toBe(100 * 1024 * 1024);
  });

  it('FETCH BODY[] sets \\Seen in the store and tells the session', async () => {
    const frank = await makeMailbox(mail.db, domain, 'frank');
    await deliver(frank, 'read me');
    const c = await rawSession(imapPort(mail, 'imap'), frank.address, frank.password, 'INBOX');
    const lines = await c.cmd('FETCH 1 (BODY[TEXT])');
    expect(tagged(lines)).toMatch(/ OK /);
    // the first read-write SELECT claimed the new message as \Recent
    expect(lines.join('\n')).toMatch(/FLAGS \(\\Seen \\Recent\)/);
    expect((await storedMessages(mail.db, frank.id))[0].flags).toEqual(['\\Seen']);
    c.close();
  });

  it('CREATE, RENAME and DELETE folders; a deleted folder frees its messages and usage', async () => {
    const gina = await makeMailbox(mail.db, domain, 'gina');
    await deliver(gina, 'to be filed');
    const c = await rawSession(imapPort(mail, 'imap'), gina.address, gina.password, 'INBOX');
    expect(tagged(await c.cmd('CREATE "Projects/Ärger"'))).toMatch(/ OK /);
    expect(tagged(await c.cmd('CREATE Projects'))).toMatch(/ NO \[ALREADYEXISTS\]/);
    expect(tagged(await c.cmd('UID COPY 1:* Projects'))).toMatch(/ OK \[COPYUID \d+ 1 1\]/);
    expect(tagged(await c.cmd('RENAME Projects Archive'))).toMatch(/ OK /);
    const names = (await mail.db.query('SELECT name FROM folders WHERE mailbox_id = $1 ORDER BY name', [gina.id])).map((r: { name: string }) => r.name);
    expect(names).toEqual(['Archive', 'Archive/Ärger', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    const before = await mailboxUsage(gina);
    expect(before.messageCount).toBe(2);
    expect(tagged(await c.cmd('DELETE Archive/&AMQ-rger'))).toMatch(/ OK /);
    expect(tagged(await c.cmd('DELETE Archive'))).toMatch(/ OK /);
    const stored = await storedMessages(mail.db, gina.id);
    expect(await mailboxUsage(gina)).toEqual({ usedBytes: stored[0].size, messageCount: 1 });
    // INBOX rename: a new folder gets the messages, INBOX stays and is empty
    expect(tagged(await c.cmd('RENAME INBOX Old'))).toMatch(/ OK /);
    expect(await storedMessages(mail.db, gina.id)).toEqual([]);
    expect((await storedMessages(mail.db, gina.id, 'Old')).map((m) => m.subject)).toEqual(['to be filed']);
    expect(await mailboxUsage(gina)).toEqual({ usedBytes: stored[0].size, messageCount: 1 });
    // a folder deleted and made again, even within the same second, gets a new UIDVALIDITY (RFC 3501 2.3.1.1)
    const validity = async () => Number((await mail.db.query(`SELECT uid_validity FROM folders WHERE mailbox_id = $1 AND name = 'Again'`, [gina.id]))[0].uid_validity);
    const seen = new Set<number>();
    for (let i = 0; i < 3; i++) {
      expect(tagged(await c.cmd('CREATE Again'))).toMatch(/ OK /);
      seen.add(await validity());
      expect(tagged(await c.cmd('DELETE Again'))).toMatch(/ OK /);
    }
    expect(seen.size).toBe(3);
    c.close();
  });

  it('refuses LOGIN before STARTTLS when INSECURE_AUTH=never, and accepts it after', async () => {
    const strict = await startTestMailServer({ INSECURE_AUTH: 'never', SMTP_PORT: 'off', SUBMISSION_PORT: 'off', SMTPS_PORT: 'off', IMAPS_PORT: 'off' });
    try {
      const { client } = await RawImapClient.open(imapPort(strict, 'imap'));
      expect(tagged(await client.cmd(`LOGIN ${alice.address} "${alice.password}"`))).toMatch(/ NO \[PRIVACYREQUIRED\]/);
      expect(tagged(await client.cmd('STARTTLS'))).toMatch(/ OK /);
      await client.startTls();
      expect(tagged(await client.cmd(`LOGIN ${alice.address} "${alice.password}"`))).toMatch(/ OK /);
      client.close();
    } finally {
      await strict.close();
    }
  });

  it('serves a Python imaplib session', async () => {
    const dave = await makeMailbox(mail.db, domain, 'dave');
    await deliver(dave, 'for python', 'Snake mail.');
    const script = String.raw`
import imaplib, json, sys
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = {}
m = imaplib.IMAP4('127.0.0.1', port)
out['login'] = m.login(user, password)[0]
typ, data = m.select('INBOX')
out['exists'] = int(data[0])
typ, data = m.uid('SEARCH', None, 'BODY', '"snake"')
out['search'] = data[0].decode()
typ, data = m.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
out['subject'] = data[0][1].decode().strip()
typ, data = m.store('1', '+FLAGS', '(\\Answered)')
out['store'] = data[0].decode()
out['logout'] = m.logout()[0]
print(json.dumps(out))
`;
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('python3', ['-c', script, String(imapPort(mail, 'imap')), dave.address, dave.password]);
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python3 exited ${code}: ${err}`))));
    });
    const result = JSON.parse(output);
    const stored = await storedMessages(mail.db, dave.id);
    expect(result).toMatchObject({ login: 'OK', exists: 1, search: String(stored[0].uid), subject: 'Subject: for python', logout: 'BYE' });
    expect(result.store).toContain('\\Answered');
    expect(stored[0].flags).toContain('\\Answered');
  });
});

/** Debian's mbsync (package isync), syncing a mailbox with a local Maildir both ways. */
describe('IMAP with mbsync (isync)', () => {
  let mail: TestMailServer;
  let erin: TestMailbox;
  let dir: string;

  const deliver = async (subject: string) => {
    const transport = smtpClient(mail.mx, { ignoreTLS: true });
    await transport.sendMail({ envelope: { from: 'sender@remote.test', to: [erin.address] }, raw: rfc5322({ from: 'sender@remote.test', to: erin.address, subject }) });
    transport.close();
  };

  const mbsync = () =>
    new Promise<string>((resolve, reject) => {
      const child = spawn('mbsync', ['-c', join(dir, 'mbsyncrc'), '-a']);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`mbsync exited ${code}: ${out}`))));
    });

  /** Files of a Maildir folder (new and cur) with their flags. */
  const maildir = (folder: string) =>
    ['new', 'cur'].flatMap((sub) => {
      const path = join(dir, 'mail', folder, sub);
      return existsSync(path) ? readdirSync(path).map((name) => ({ path: join(path, name), name, text: readFileSync(join(path, name), 'latin1') })) : [];
    });

  beforeAll(async () => {
    if (!commandExists('mbsync')) {
      // the brief allows installing the Debian package the test needs
      spawnSync('sh', ['-c', 'apt-get install -y isync || (apt-get update && apt-get install -y isync)'], { stdio: 'ignore' });
      if (!commandExists('mbsync')) throw new Error('mbsync is missing: install the Debian package "isync"');
    }
    mail = await startTestMailServer();
    const domain = await makeDomain(mail.db);
    erin = await makeMailbox(mail.db, domain, 'erin');
    dir = mkdtempSync(join(tmpdir(), 'postbode-mbsync-'));
    mkdirSync(join(dir, 'mail'));
    writeFileSync(
      join(dir, 'mbsyncrc'),
      [
        'IMAPAccount postbode',
        'Host 127.0.0.1',
        `Port ${imapPort(mail, 'imap')}`,
        `User ${erin.address}`,
        `Pass "${erin.password}"`,
        'SSLType None',
        'AuthMechs LOGIN',
        '',
        'IMAPStore remote',
        'Account postbode',
        '',
        'MaildirStore local',
        `Path ${join(dir, 'mail')}/`,
        `Inbox ${join(dir, 'mail', 'INBOX')}`,
        'SubFolders Verbatim',
        '',
        'Channel sync',
        'Far :remote:',
        'Near :local:',
        'Patterns *',
        'Create Both',
        'Expunge Both',
        'SyncState *',
        '',
      ].join('\n'),
    );
    await deliver('synced down');
  });

  afterAll(async () => {
    await mail?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('brings server mail down, and local flags and new local messages up', async () => {
    await mbsync();
    const inbox = maildir('INBOX');
    expect(inbox.map((f) => /Subject: (.*)\r?\n/.exec(f.text)?.[1])).toEqual(['synced down']);
    expect(existsSync(join(dir, 'mail', 'Trash'))).toBe(true);

    // locally: mark the message seen (Maildir flag S) and write a new message into Drafts
    const file = inbox[0];
    const seenName = file.name.includes(':2,') ? file.name.replace(/:2,([A-Z]*)$/, (_, f: string) => `:2,${[...new Set([...f, 'S'])].sort().join('')}`) : `${file.name}:2,S`;
    renameSync(file.path, join(dir, 'mail', 'INBOX', 'cur', seenName));
    const draft = 'From: erin@example.test\r\nSubject: written offline\r\n\r\nDraft.\r\n';
    writeFileSync(join(dir, 'mail', 'Drafts', 'new', `${Date.now()}.local.test`), draft);
    await deliver('arrived later');
    await mbsync();

    const stored = await storedMessages(mail.db, erin.id);
    expect(stored.map((s) => [s.subject, s.flags])).toEqual([
      ['synced down', ['\\Seen']],
      ['arrived later', []],
    ]);
    const drafts = await storedMessages(mail.db, erin.id, 'Drafts');
    expect(drafts.map((d) => d.subject)).toEqual(['written offline']);
    expect(maildir('INBOX').map((f) => /Subject: (.*)\r?\n/.exec(f.text)?.[1]).sort()).toEqual(['arrived later', 'synced down']);
  });
});

function commandExists(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}
