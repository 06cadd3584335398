import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawImapClient, rawSession, startTestImap, tagged, uniqueUser } from '../../../../test/support/imap';
import { MemoryImapBackend } from './imap-memory-backend';
import type { ImapListeners } from './imap-server';

const msg = (headers: Record<string, string>, body: string) =>
  Buffer.from(
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n') + `\r\n\r\n${body}`,
  );

/**
 * SEARCH (RFC 3501 6.4.4) with every key. Five messages:
 *  1 from alice, "Quarterly report", QP body with "Überweisung", \Seen \Answered, 2024-01-10, Date 2024-01-09
 *  2 from bob, encoded-word subject "Grüße", cc carol, \Flagged, 2024-02-20, Date 2024-02-20
 *  3 from carol, "Lunch", bcc dave, \Deleted \Seen $Todo, 2024-03-05, big body, Date 2024-03-04
 *  4 from alice, "Re: Quarterly report", \Draft, 2024-03-05, Date 2024-03-05, X-Priority: 1
 *  5 from eve, no subject, 2024-04-01, no Date header, HTML only
 */
describe('IMAP SEARCH', () => {
  const backend = new MemoryImapBackend();
  let imap: ImapListeners;
  let c: RawImapClient;
  const user = uniqueUser();
  beforeAll(async () => {
    let port: number;
    ({ imap, port } = await startTestImap(backend));
    backend.addUser(user, 'pw');
    const day = (iso: string) => ({ internalDate: new Date(`${iso}T12:00:00Z`) });
    backend.deliver(
      user,
      msg(
        { From: 'Alice <alice@example.test>', To: 'team@example.test', Subject: 'Quarterly report', Date: 'Tue, 09 Jan 2024 23:30:00 +0000', 'Content-Type': 'text/plain; charset=utf-8', 'Content-Transfer-Encoding': 'quoted-printable' },
        'Bitte die =C3=9Cberweisung pr=C3=BCfen.\r\n',
      ),
      { ...day('2024-01-10'), flags: ['\\Seen', '\\Answered'] },
    );
    backend.deliver(user, msg({ From: 'Bob <bob@example.test>', To: 'alice@example.test', Cc: 'Carol <carol@example.test>', Subject: '=?utf-8?Q?Gr=C3=BC=C3=9Fe?=', Date: 'Tue, 20 Feb 2024 10:00:00 +0000' }, 'see you\r\n'), {
      ...day('2024-02-20'),
      flags: ['\\Flagged'],
    });
    backend.deliver(user, msg({ From: 'carol@example.test', To: 'alice@example.test', Bcc: 'dave@example.test', Subject: 'Lunch', Date: 'Mon, 04 Mar 2024 09:00:00 +0000' }, 'x'.repeat(5000) + '\r\n'), {
      ...day('2024-03-05'),
      flags: ['\\Deleted', '\\Seen', '$Todo'],
    });
    backend.deliver(user, msg({ From: 'Alice <alice@example.test>', To: 'bob@example.test', Subject: 'Re: Quarterly report', Date: 'Tue, 05 Mar 2024 08:00:00 +0000', 'X-Priority': '1' }, 'agreed\r\n'), {
      ...day('2024-03-05'),
      flags: ['\\Draft'],
    });
    backend.deliver(user, msg({ From: 'eve@example.test', To: 'alice@example.test', 'Content-Type': 'text/html' }, '<p>Hidden <b>treasure</b></p>\r\n'), day('2024-04-01'));
    c = await rawSession(port, user, 'pw', 'INBOX');
  });
  afterAll(async () => {
    c?.close();
    await imap?.close();
  });

  const search = async (criteria: string) => {
    const lines = await c.cmd(`SEARCH ${criteria}`);
    expect(tagged(lines), criteria).toMatch(/ OK SEARCH completed$/);
    const result = lines.filter((l) => !l.startsWith('+ '))[0];
    expect(result).toMatch(/^\* SEARCH/);
    return result.replace(/^\* SEARCH ?/, '');
  };

  it('flag keys and their negations', async () => {
    expect(await search('ALL')).toBe('1 2 3 4 5');
    expect(await search('SEEN')).toBe('1 3');
    expect(await search('UNSEEN')).toBe('2 4 5');
    expect(await search('ANSWERED')).toBe('1');
    expect(await search('UNANSWERED')).toBe('2 3 4 5');
    expect(await search('FLAGGED')).toBe('2');
    expect(await search('UNFLAGGED')).toBe('1 3 4 5');
    expect(await search('DELETED')).toBe('3');
    expect(await search('UNDELETED')).toBe('1 2 4 5');
    expect(await search('DRAFT')).toBe('4');
    expect(await search('UNDRAFT')).toBe('1 2 3 5');
    expect(await search('KEYWORD $Todo')).toBe('3');
    expect(await search('UNKEYWORD $todo')).toBe('1 2 4 5');
    expect(await search('RECENT')).toBe('1 2 3 4 5');
    expect(await search('NEW')).toBe('2 4 5');
    expect(await search('OLD')).toBe('');
  });

  it('header and text keys, decoded and case-insensitive', async () => {
    expect(await search('FROM alice')).toBe('1 4');
    expect(await search('TO "alice@example.test"')).toBe('2 3 5');
    expect(await search('CC carol')).toBe('2');
    expect(await search('BCC dave')).toBe('3');
    expect(await search('SUBJECT quarterly')).toBe('1 4');
    expect(await search('CHARSET UTF-8 SUBJECT {6}\r\ngrüße'.replace('{6}', `{${Buffer.byteLength('grüße')}}`))).toBe('2');
    expect(await search('HEADER X-Priority 1')).toBe('4');
    expect(await search('HEADER X-Priority ""')).toBe('4');
    expect(await search('BODY überweisung')).toBe('1');
    expect(await search('BODY treasure')).toBe('5');
    expect(await search('TEXT agreed')).toBe('4');
    expect(await search('TEXT "Lunch"')).toBe('3');
    expect(await search('BODY nothing-like-this')).toBe('');
  });

  it('date and size keys', async () => {
    expect(await search('BEFORE 20-Feb-2024')).toBe('1');
    expect(await search('ON 5-Mar-2024')).toBe('3 4');
    expect(await search('SINCE 5-Mar-2024')).toBe('3 4 5');
    expect(await search('SENTBEFORE 4-Mar-2024')).toBe('1 2');
    expect(await search('SENTON 9-Jan-2024')).toBe('1');
    expect(await search('SENTSINCE "4-Mar-2024"')).toBe('3 4');
    expect(await search('LARGER 1000')).toBe('3');
    const sizes = backend.messagesOf(user, 'INBOX').map((m) => m.raw.length);
    const expectSizes = (pred: (n: number) => boolean) => sizes.flatMap((n, i) => (pred(n) ? [i + 1] : [])).join(' ');
    expect(await search(`SMALLER ${sizes[1]}`)).toBe(expectSizes((n) => n < sizes[1]));
    expect(await search(`LARGER ${sizes[1]}`)).toBe(expectSizes((n) => n > sizes[1]));
    expect(await search(`NOT LARGER ${sizes[1]} NOT SMALLER ${sizes[1]}`)).toContain('2');
  });

  it('sequence sets, UID, NOT, OR, parentheses, and UID SEARCH answers UIDs', async () => {
    expect(await search('2:4')).toBe('2 3 4');
    expect(await search('*')).toBe('5');
    expect(await search('UID 2,4:*')).toBe('2 4 5');
    expect(await search('NOT SEEN NOT DELETED')).toBe('2 4 5');
    expect(await search('OR FLAGGED DRAFT')).toBe('2 4');
    expect(await search('OR (FROM alice SEEN) (FROM eve)')).toBe('1 5');
    expect(await search('NOT (OR FROM alice FROM bob)')).toBe('3 5');
    expect(await search('1:3 FROM alice')).toBe('1');
    await c.cmd('STORE 1 +FLAGS.SILENT (\\Deleted)');
    await c.cmd('EXPUNGE');
    // message 3 carried \Deleted too: 2, 4, 5 remain
    expect(await search('FROM alice')).toBe('2');
    const uids = await c.cmd('UID SEARCH FROM alice');
    expect(uids[0]).toBe('* SEARCH 4');
  });

  it('refuses unknown charsets and bad criteria', async () => {
    expect(tagged(await c.cmd('SEARCH CHARSET KOI8-R FROM x'))).toMatch(/ NO \[BADCHARSET \(UTF-8 US-ASCII\)\]/);
    expect(tagged(await c.cmd('SEARCH FROBNICATE'))).toMatch(/ BAD unknown search key/);
    expect(tagged(await c.cmd('SEARCH BEFORE 2024-01-01'))).toMatch(/ BAD BEFORE needs a date/);
    expect(tagged(await c.cmd('SEARCH OR SEEN'))).toMatch(/ BAD/);
    expect(tagged(await c.cmd('SEARCH 99'))).toMatch(/ BAD sequence number out of range/);
    expect(tagged(await c.cmd('SEARCH'))).toMatch(/ BAD/);
  });
});
