import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSession, startTestImap, tagged, uniqueUser } from '../../../../test/support/imap';
import { nestedMessage, simpleMessage } from '../../../../test/support/imap-messages';
import { MemoryImapBackend } from './imap-memory-backend';
import type { ImapListeners } from './imap-server';

/** Message commands on the wire: APPEND, FETCH, STORE, COPY, MOVE, EXPUNGE, CLOSE, UNSELECT. */
describe('IMAP messages', () => {
  const backend = new MemoryImapBackend();
  let imap: ImapListeners;
  let port: number;
  beforeAll(async () => {
    ({ imap, port } = await startTestImap(backend, { maxMessageSize: 100_000 }));
  });
  afterAll(async () => imap?.close());

  const mailbox = async (messages: Buffer[], opts: { quota?: number | null; select?: string | null } = {}) => {
    const user = uniqueUser();
    backend.addUser(user, 'pw', opts.quota ?? null);
    for (const m of messages) backend.deliver(user, m, { internalDate: new Date(Date.UTC(2024, 9, 1, 8, 30, 5)) });
    return { user, c: await rawSession(port, user, 'pw', opts.select === null ? undefined : (opts.select ?? 'INBOX')) };
  };

  it('APPENDs with a synchronizing literal, flags and date, answers APPENDUID and sends EXISTS to the selected folder first', async () => {
    const { user, c } = await mailbox([simpleMessage('first')]);
    const msg = simpleMessage('appended');
    const tag = c.nextTag();
    c.write(`${tag} APPEND INBOX (\\Seen $Work) "05-Mar-2024 14:07:09 +0100" {${msg.length}}\r\n`);
    expect(await c.line()).toBe('+ Ready for literal data');
    c.write(Buffer.concat([msg, Buffer.from('\r\n')]));
    const lines = await c.until(tag);
    expect(lines[0]).toBe('* 2 EXISTS');
    expect(tagged(lines)).toMatch(new RegExp(`^${tag} OK \\[APPENDUID \\d+ 2\\] APPEND completed$`));
    const fetched = await c.cmd('FETCH 2 (FLAGS INTERNALDATE RFC822.SIZE)');
    expect(fetched[0]).toBe(`* 2 FETCH (FLAGS (\\Seen $Work \\Recent) INTERNALDATE " 5-Mar-2024 13:07:09 +0000" RFC822.SIZE ${msg.length})`);
    expect(backend.messagesOf(user, 'INBOX')[1].raw.equals(msg)).toBe(true);
    c.close();
  });

  it('APPENDs with LITERAL+, refuses a missing folder (TRYCREATE), a full mailbox (OVERQUOTA) and a too big message (TOOBIG)', async () => {
    const { user, c } = await mailbox([], { quota: 1000, select: null });
    const msg = simpleMessage('plus');
    const lines = await c.cmd(`APPEND Drafts (\\Draft) {${msg.length}+}\r\n${msg.toString()}`);
    expect(lines).toHaveLength(1);
    expect(tagged(lines)).toMatch(/^t2 OK \[APPENDUID \d+ 1\]/);
    expect(backend.messagesOf(user, 'Drafts')[0].flags).toEqual(['\\Draft']);
    expect(tagged(await c.cmd(`APPEND Nowhere {${msg.length}+}\r\n${msg.toString()}`))).toBe('t3 NO [TRYCREATE] no such folder');
    const big = Buffer.alloc(2000, 'x').toString();
    expect(tagged(await c.cmd(`APPEND INBOX {${big.length}+}\r\n${big}`))).toBe('t4 NO [OVERQUOTA] mailbox is full');
    // over the server's message size limit: refused before the client sends the data
    expect(await c.cmd('APPEND INBOX {200000}')).toEqual(['t5 NO [TOOBIG] message larger than 100000 octets']);
    expect(tagged(await c.cmd('NOOP'))).toBe('t6 OK NOOP completed');
    c.close();
  });

  it('FETCHes flags, UID, dates, sizes, ENVELOPE and BODY from the view and the stored structure', async () => {
    const { c } = await mailbox([simpleMessage('one'), nestedMessage]);
    const [one] = await c.cmd('FETCH 1 ALL');
    expect(one).toBe(
      `* 1 FETCH (FLAGS (\\Recent) INTERNALDATE " 1-Oct-2024 08:30:05 +0000" RFC822.SIZE ${simpleMessage('one').length} ENVELOPE ("Tue, 01 Oct 2024 10:00:00 +0000" "one" (("Sender" NIL "sender" "example.test")) (("Sender" NIL "sender" "example.test")) (("Sender" NIL "sender" "example.test")) (("User" NIL "u" "example.test")) NIL NIL NIL "<one@example.test>"))`,
    );
    const [body] = await c.cmd('UID FETCH 2 (BODY)');
    expect(body).toMatch(/^\* 2 FETCH \(UID 2 BODY \(\(\("TEXT" "PLAIN" \("CHARSET" "utf-8"\) NIL NIL "QUOTED-PRINTABLE" 31 1\)/);
    expect(body).not.toContain('BOUNDARY'); // BODY carries no extension data
    expect(tagged(await c.cmd('FETCH 3 FLAGS'))).toBe('t5 BAD sequence number out of range');
    expect(await c.cmd('UID FETCH 3:* FLAGS')).toEqual(['* 2 FETCH (UID 2 FLAGS (\\Recent))', 't6 OK UID FETCH completed']);
    c.close();
  });

  it('FETCHes body sections: whole, header, fields, text, MIME, parts, nested message, partial', async () => {
    const { c } = await mailbox([nestedMessage]);
    const raw = nestedMessage.toString('latin1');
    const header = raw.slice(0, raw.indexOf('\r\n\r\n') + 4);
    const section = async (spec: string) => {
      const [line] = await c.cmd(`FETCH 1 BODY.PEEK[${spec}]`);
      const m = /^\* 1 FETCH \(BODY\[[^\]]*\](?:<\d+>)? (?:\{(\d+)\}\r\n([\s\S]*)|NIL)\)$/.exec(line);
      expect(m, line).not.toBeNull();
      if (m![1] === undefined) return null;
      expect(m![2].length).toBe(Number(m![1]));
      return m![2];
    };
    expect(await section('')).toBe(raw);
    expect(await section('HEADER')).toBe(header);
    expect(await section('HEADER.FIELDS (SUBJECT message-id)')).toBe('Subject: =?utf-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\r\n and more\r\nMessage-ID: <nested-1@example.test>\r\n\r\n');
    const not = (await section('HEADER.FIELDS.NOT (Subject Return-Path Content-Type)'))!;
    expect(not).toMatch(/^From: /);
    expect(not).not.toMatch(/Subject|Return-Path|Content-Type|and more/);
    expect(await section('TEXT')).toBe(raw.slice(header.length));
    expect(await section('1')).toMatch(/^--alt\r\n[\s\S]*<p>Hello html<\/p>\r\n--alt--$/);
    expect(await section('1.1')).toBe('Hello plain =C3=A4\r\nsecond line');
    expect(await section('1.1.MIME')).toBe('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n');
    expect(await section('2')).toBe('JVBERi0xLjQKJcOkw7zDtsOfCg==');
    expect(await section('3.HEADER')).toMatch(/^From: Bob <bob@example\.test>\r\n[\s\S]*boundary="inner"\r\n\r\n$/);
    expect(await section('3.TEXT')).toMatch(/^--inner\r\n[\s\S]*--inner--$/);
    expect(await section('3.1')).toBe('inner text');
    expect(await section('3.2')).toBe('iVBORw0KGgo=');
    expect(await section('3.2.MIME')).toBe('Content-Type: image/png; name=x.png\r\nContent-Transfer-Encoding: base64\r\n\r\n');
    expect(await section('2.HEADER')).toBeNull(); // not a message/rfc822 part
    expect(await section('9')).toBeNull();
    expect(await section('1.1.1.1')).toBeNull();
    const [partial] = await c.cmd('FETCH 1 BODY.PEEK[]<6.5>');
    expect(partial).toBe('* 1 FETCH (BODY[]<6> {5}\r\n-Path)');
    expect((await c.cmd('FETCH 1 BODY.PEEK[1.1]<1000.5>'))[0]).toBe('* 1 FETCH (BODY[1.1]<1000> {0}\r\n)');
    expect((await c.cmd('FETCH 1 FLAGS'))[0]).toBe('* 1 FETCH (FLAGS (\\Recent))'); // PEEK left \Seen alone
    c.close();
  });

  it('sets \\Seen on BODY[] and RFC822, not on BODY.PEEK, RFC822.HEADER or in a read-only folder', async () => {
    const { c } = await mailbox([simpleMessage('a'), simpleMessage('b'), simpleMessage('c')], { select: null });
    await c.cmd('EXAMINE INBOX');
    const [examined] = await c.cmd('FETCH 1 BODY[TEXT]');
    expect(examined).toBe('* 1 FETCH (BODY[TEXT] {14}\r\nHello there.\r\n)');
    await c.cmd('SELECT INBOX');
    expect((await c.cmd('FETCH 1 RFC822.HEADER'))[0]).toMatch(/^\* 1 FETCH \(RFC822\.HEADER \{\d+\}\r\nFrom: [\s\S]*\r\n\r\n\)$/);
    expect((await c.cmd('FETCH 1 FLAGS'))[0]).toBe('* 1 FETCH (FLAGS (\\Recent))');
    expect((await c.cmd('FETCH 1 BODY[TEXT]'))[0]).toBe('* 1 FETCH (BODY[TEXT] {14}\r\nHello there.\r\n FLAGS (\\Seen \\Recent))');
    expect((await c.cmd('FETCH 2 (FLAGS RFC822)'))[0]).toMatch(/^\* 2 FETCH \(FLAGS \(\\Seen \\Recent\) RFC822 \{\d+\}\r\nFrom:[\s\S]*\)$/);
    expect((await c.cmd('UID FETCH 3 RFC822.TEXT'))[0]).toBe('* 3 FETCH (UID 3 RFC822.TEXT {14}\r\nHello there.\r\n FLAGS (\\Seen \\Recent))');
    c.close();
  });

  it('STOREs flags: add, remove, replace, silent, keywords, UID STORE; refused read-only', async () => {
    const { user, c } = await mailbox([simpleMessage('a'), simpleMessage('b')]);
    expect(await c.cmd('STORE 1:2 +FLAGS (\\Flagged $Important)')).toEqual([
      '* 1 FETCH (FLAGS (\\Flagged $Important \\Recent))',
      '* 2 FETCH (FLAGS (\\Flagged $Important \\Recent))',
      't3 OK STORE completed',
    ]);
    expect(await c.cmd('STORE 1 -FLAGS.SILENT (\\flagged)')).toEqual(['t4 OK STORE completed']);
    expect(await c.cmd('UID STORE 2 FLAGS (\\Answered)')).toEqual(['* 2 FETCH (UID 2 FLAGS (\\Answered \\Recent))', 't5 OK UID STORE completed']);
    expect(backend.messagesOf(user, 'INBOX').map((m) => m.flags)).toEqual([['$Important'], ['\\Answered']]);
    expect(tagged(await c.cmd('STORE 1 +FLAGS (\\Bogus)'))).toMatch(/^t6 BAD invalid flag/);
    expect(tagged(await c.cmd('STORE 1 XFLAGS (\\Seen)'))).toMatch(/^t7 BAD/);
    const sel = await c.cmd('SELECT INBOX');
    expect(sel[0]).toBe('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Important)');
    await c.cmd('EXAMINE INBOX');
    expect(tagged(await c.cmd('STORE 1 +FLAGS (\\Seen)'))).toBe('t10 NO [READ-ONLY] the folder is open read-only');
    c.close();
  });

  it('COPYs and MOVEs with COPYUID; MOVE expunges the originals in the same response', async () => {
    const { user, c } = await mailbox([simpleMessage('a'), simpleMessage('b'), simpleMessage('c'), simpleMessage('d')]);
    await c.cmd('STORE 1 +FLAGS.SILENT (\\Seen)');
    const copy = await c.cmd('COPY 1:2 Trash');
    expect(tagged(copy)).toMatch(/^t4 OK \[COPYUID \d+ 1:2 1:2\] COPY completed$/);
    expect(backend.messagesOf(user, 'Trash').map((m) => m.flags)).toEqual([['\\Seen'], []]);
    const move = await c.cmd('UID MOVE 2:3 Trash');
    expect(move).toEqual([expect.stringMatching(/^\* OK \[COPYUID \d+ 2:3 3:4\] moved$/), '* 3 EXPUNGE', '* 2 EXPUNGE', 't5 OK MOVE completed']);
    expect(backend.messagesOf(user, 'INBOX').map((m) => m.uid)).toEqual([1, 4]);
    expect(await c.cmd('FETCH 2 UID')).toEqual(['* 2 FETCH (UID 4)', 't6 OK FETCH completed']);
    expect(tagged(await c.cmd('COPY 1 Nowhere'))).toBe('t7 NO [TRYCREATE] no such folder');
    expect(tagged(await c.cmd('MOVE 1 INBOX/Sub'))).toBe('t8 NO [TRYCREATE] no such folder');
    expect(tagged(await c.cmd('UID COPY 99 Trash'))).toBe('t9 OK COPY completed (nothing matched)');
    c.close();
  });

  it('EXPUNGEs \\Deleted messages (UID EXPUNGE only those named), CLOSE expunges silently, UNSELECT does not', async () => {
    const { user, c } = await mailbox([1, 2, 3, 4, 5].map((n) => simpleMessage(`m${n}`)));
    await c.cmd('STORE 2,4,5 +FLAGS.SILENT (\\Deleted)');
    expect(await c.cmd('UID EXPUNGE 1:4')).toEqual(['* 4 EXPUNGE', '* 2 EXPUNGE', 't4 OK EXPUNGE completed']);
    expect(backend.messagesOf(user, 'INBOX').map((m) => m.uid)).toEqual([1, 3, 5]);
    await c.cmd('STORE 1 +FLAGS.SILENT (\\Deleted)');
    expect(await c.cmd('EXPUNGE')).toEqual(['* 3 EXPUNGE', '* 1 EXPUNGE', 't6 OK EXPUNGE completed']);
    expect(await c.cmd('FETCH 1 UID')).toEqual(['* 1 FETCH (UID 3)', 't7 OK FETCH completed']);
    await c.cmd('STORE 1 +FLAGS.SILENT (\\Deleted)');
    expect(await c.cmd('UNSELECT')).toEqual(['t9 OK UNSELECT completed']);
    expect(backend.messagesOf(user, 'INBOX')).toHaveLength(1);
    expect(tagged(await c.cmd('FETCH 1 UID'))).toMatch(/^t10 BAD/);
    await c.cmd('EXAMINE INBOX');
    expect(tagged(await c.cmd('EXPUNGE'))).toBe('t12 NO [READ-ONLY] the folder is open read-only');
    expect(await c.cmd('CLOSE')).toEqual(['t13 OK CLOSE completed']);
    expect(backend.messagesOf(user, 'INBOX')).toHaveLength(1); // CLOSE after EXAMINE expunges nothing
    await c.cmd('SELECT INBOX');
    expect(await c.cmd('CLOSE')).toEqual(['t15 OK CLOSE completed']);
    expect(backend.messagesOf(user, 'INBOX')).toHaveLength(0);
    c.close();
  });

  it('keeps \\Recent for the first session that selects new mail', async () => {
    const { user, c } = await mailbox([simpleMessage('r')], { select: null });
    const first = await c.cmd('SELECT INBOX');
    expect(first).toContain('* 1 RECENT');
    const second = await rawSession(port, user, 'pw');
    expect(await second.cmd('SELECT INBOX')).toContain('* 0 RECENT');
    expect((await c.cmd('SEARCH RECENT'))[0]).toBe('* SEARCH 1');
    expect((await second.cmd('SEARCH NEW'))[0]).toBe('* SEARCH');
    c.close();
    second.close();
  });
});
