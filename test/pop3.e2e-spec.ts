import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverMessages } from '../libs/core/src/mail-store/deliver';
import { ensureDebianCommand } from './support/debian';
import { makeDomain, makeMailbox, storedMessages, TestMailbox } from './support/mail-fixtures';
import { poplib } from './support/pop3';
import { freePort, smtpClient, startTestMailServer, TestMailServer } from './support/smtp';

const run = promisify(execFile);

function message(i: number, extra = ''): Buffer {
  return Buffer.from(`From: sender@example.org\r\nTo: someone@example.test\r\nSubject: message ${i}\r\nMessage-ID: <pop3-${i}-${Date.now()}@example.org>\r\n\r\nBody of message ${i}\r\n${extra}`);
}

describe('POP3 on the store, with real clients', () => {
  let mail: TestMailServer;
  let pop3: number;
  let pop3s: number;
  beforeAll(async () => {
    [pop3, pop3s] = [await freePort(), await freePort()];
    mail = await startTestMailServer({ POP3_PORT: String(pop3), POP3S_PORT: String(pop3s) });
  });
  afterAll(async () => mail?.close());

  async function mailboxWith(count: number, make: (i: number) => Buffer = (i) => message(i)): Promise<TestMailbox> {
    const domain = await makeDomain(mail.db);
    const box = await makeMailbox(mail.db, domain, 'anna');
    for (let i = 0; i < count; i += 500) {
      const batch = Array.from({ length: Math.min(500, count - i) }, (_, k) => ({ raw: make(i + k), envelopeFrom: 'sender@example.org', mailboxIds: [box.id] }));
      await deliverMessages(mail.db, batch);
    }
    return box;
  }

  it('mail delivered over SMTP is read with poplib: STAT, LIST sizes, UIDL, RETR with dot-stuffing, TOP', async () => {
    const domain = await makeDomain(mail.db);
    const box = await makeMailbox(mail.db, domain, 'jan');
    await smtpClient(mail.mx).sendMail({ envelope: { from: 'a@example.org', to: [box.address] }, raw: 'Subject: dots\r\n\r\n.starts with a dot\r\nline\r\n..two dots\r\n' });
    const out = await poplib(pop3, box.address, box.password, `
out['stat'] = p.stat()
out['list'] = [l.decode() for l in p.list()[1]]
out['uidl'] = [l.decode() for l in p.uidl()[1]]
resp, lines, octets = p.retr(1)
out['lines'] = [l.decode() for l in lines]
out['octets'] = octets
out['top'] = [l.decode() for l in p.top(1, 1)[1]]
p.quit()`);
    const [stored] = await storedMessages(mail.db, box.id);
    const [{ raw }] = await mail.db.query('SELECT raw FROM messages WHERE id = (SELECT message_id FROM mailbox_messages WHERE mailbox_id = $1)', [box.id]);
    expect(out.stat).toEqual([1, raw.length]);
    expect(out.list).toEqual([`1 ${raw.length}`]);
    expect(out.uidl[0]).toMatch(/^1 \d+\.1$/);
    expect(stored.uid).toBe(1);
    // poplib undoes the dot-stuffing: the lines are the stored message exactly
    expect(out.lines.join('\r\n') + '\r\n').toBe(raw.toString('utf8'));
    expect(out.lines).toContain('.starts with a dot');
    expect(out.lines).toContain('..two dots');
    expect(out.top.at(-1)).toBe('.starts with a dot');
  });

  it('deletes only on QUIT, frees quota at once; RSET undoes; a dropped connection deletes nothing; UIDLs stay stable', async () => {
    const box = await mailboxWith(5);
    const [{ used_bytes: before }] = await mail.db.query('SELECT used_bytes FROM mailboxes WHERE id = $1', [box.id]);
    const first = await poplib(pop3, box.address, box.password, `
out['uidl'] = [l.decode() for l in p.uidl()[1]]
p.dele(1); p.dele(2)
out['stat_after_dele'] = p.stat()
p.rset()
out['stat_after_rset'] = p.stat()
p.dele(3)
out['uidl_after_dele'] = [l.decode() for l in p.uidl()[1]]
p.quit()`);
    expect(first.stat_after_dele[0]).toBe(3);
    expect(first.stat_after_rset[0]).toBe(5);
    expect(first.uidl_after_dele).toHaveLength(4);
    const [{ used_bytes: after, message_count }] = await mail.db.query('SELECT used_bytes, message_count FROM mailboxes WHERE id = $1', [box.id]);
    expect(Number(message_count)).toBe(4);
    expect(Number(after)).toBeLessThan(Number(before));

    // dropped connection: DELE then hang up without QUIT
    const sock = connect(pop3, '127.0.0.1');
    await new Promise((r) => sock.once('data', r));
    sock.write(`USER ${box.address}\r\nPASS ${box.password}\r\nDELE 1\r\nDELE 2\r\n`);
    await new Promise((r) => setTimeout(r, 1500));
    sock.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const second = await poplib(pop3, box.address, box.password, `
out['uidl'] = [l.decode() for l in p.uidl()[1]]
p.quit()`);
    // same UIDLs as before minus the one deleted with QUIT, numbering starts at 1 again
    const uidOf = (l: string) => l.split(' ')[1];
    expect(second.uidl.map(uidOf)).toEqual(first.uidl.filter((_: string, i: number) => i !== 2).map(uidOf));
  });

  it('one session per maildrop: a second login gets -ERR [IN-USE]; after the first ends, it works', async () => {
    const box = await mailboxWith(1);
    const a = connect(pop3, '127.0.0.1');
    a.setEncoding('utf8');
    let aOut = '';
    a.on('data', (d) => (aOut += d));
    a.write(`USER ${box.address}\r\nPASS ${box.password}\r\n`);
    for (let i = 0; i < 50 && !/\+OK .*message/.test(aOut); i++) await new Promise((r) => setTimeout(r, 100));
    expect(aOut).toMatch(/\+OK .*1 message/);
    await expect(poplib(pop3, box.address, box.password, 'pass')).rejects.toThrow(/IN-USE/);
    a.write('QUIT\r\n');
    await new Promise((r) => a.once('close', r));
    const ok = await poplib(pop3, box.address, box.password, `out['n'] = p.stat()[0]\np.quit()`);
    expect(ok.n).toBe(1);
  });

  it("a crashed session's lock does not stay: when its database connection dies, the maildrop is free", async () => {
    const box = await mailboxWith(1);
    const a = connect(pop3, '127.0.0.1');
    a.setEncoding('utf8');
    let aOut = '';
    a.on('data', (d) => (aOut += d));
    a.write(`USER ${box.address}\r\nPASS ${box.password}\r\n`);
    for (let i = 0; i < 50 && !/\+OK .*message/.test(aOut); i++) await new Promise((r) => setTimeout(r, 100));
    await expect(poplib(pop3, box.address, box.password, 'pass')).rejects.toThrow(/IN-USE/);
    // what a kill -9 of the mail-server process does to its lock: the connection holding it ends
    await mail.db.query(`SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objid = (hashtextextended('postbode:maildrop:' || $1, 0) & 4294967295)::oid`, [box.id]);
    const ok = await poplib(pop3, box.address, box.password, `out['n'] = p.stat()[0]\np.quit()`);
    expect(ok.n).toBe(1);
    a.destroy();
  });

  it('refuses wrong passwords with [AUTH], and logs in over POP3S and after STLS', async () => {
    const box = await mailboxWith(2);
    await expect(poplib(pop3, box.address, 'wrong password', 'pass')).rejects.toThrow(/\[AUTH\]/);
    const script = (ssl: string) => `
import poplib, ssl, json
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
${ssl}
p.user(${JSON.stringify(box.address)}); p.pass_(${JSON.stringify(box.password)})
print(json.dumps(p.stat())); p.quit()`;
    const s1 = await run('python3', ['-c', script(`p = poplib.POP3_SSL('127.0.0.1', ${pop3s}, context=ctx, timeout=30)`)]);
    expect(JSON.parse(s1.stdout)[0]).toBe(2);
    const s2 = await run('python3', ['-c', script(`p = poplib.POP3('127.0.0.1', ${pop3}, timeout=30); p.stls(context=ctx)`)]);
    expect(JSON.parse(s2.stdout)[0]).toBe(2);
  });

  it('a maildrop of 10,000 messages: STAT, UIDL and RETR of the last one', async () => {
    const box = await mailboxWith(10_000);
    const out = await poplib(pop3, box.address, box.password, `
out['stat'] = p.stat()
u = p.uidl()[1]
out['uidl_count'] = len(u)
out['last'] = u[-1].decode()
out['subject'] = [l.decode() for l in p.retr(10000)[1] if l.startswith(b'Subject:')]
p.quit()`);
    expect(out.stat[0]).toBe(10_000);
    expect(out.uidl_count).toBe(10_000);
    expect(out.last).toMatch(/^10000 \d+\.10000$/);
    expect(out.subject).toEqual(['Subject: message 9999']);
  }, 180_000);

  it('fetchmail collects in keep mode, then in delete mode', async () => {
    const fetchmail = ensureDebianCommand('fetchmail', 'fetchmail');
    const box = await mailboxWith(3);
    const dir = mkdtempSync(`${tmpdir()}/pb-fetchmail-`);
    try {
      const outFile = `${dir}/delivered.mbox`;
      const rc = (mode: string) => {
        const file = `${dir}/fetchmailrc-${mode}`;
        writeFileSync(
          file,
          `set no syslog\nset no bouncemail\npoll 127.0.0.1 service ${pop3} protocol POP3 uidl auth password\n  user "${box.address}" password "${box.password}" is root here\n  ${mode}\n  sslproto ''\n  mda "/bin/sh -c 'cat >> ${outFile}; echo ===END=== >> ${outFile}'"\n`,
        );
        chmodSync(file, 0o600);
        return file;
      };
      const env = { ...process.env, HOME: dir, FETCHMAILHOME: dir };
      const keep = await run(fetchmail, ['-f', rc('keep'), '--nodetach', '--idfile', `${dir}/ids`], { env, timeout: 60_000 }).catch((e) => e);
      expect(keep.code ?? 0, keep.stderr).toBe(0);
      expect(readFileSync(outFile, 'utf8').split('===END===').length - 1).toBe(3);
      expect((await storedMessages(mail.db, box.id)).length).toBe(3);
      // keep mode with uidl: a second run fetches nothing new (exit 1 = no mail)
      const again = await run(fetchmail, ['-f', rc('keep'), '--nodetach', '--idfile', `${dir}/ids`], { env, timeout: 60_000 }).catch((e) => e);
      expect(again.code).toBe(1);
      expect(readFileSync(outFile, 'utf8').split('===END===').length - 1).toBe(3);
      const del = await run(fetchmail, ['-f', rc('fetchall no keep'), '--nodetach', '--idfile', `${dir}/ids2`], { env, timeout: 60_000 }).catch((e) => e);
      expect(del.code ?? 0, del.stderr).toBe(0);
      expect(readFileSync(outFile, 'utf8').split('===END===').length - 1).toBe(6);
      expect((await storedMessages(mail.db, box.id)).length).toBe(0);
      const [{ used_bytes }] = await mail.db.query('SELECT used_bytes FROM mailboxes WHERE id = $1', [box.id]);
      expect(Number(used_bytes)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
