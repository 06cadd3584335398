import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildDsn, DsnInput, quotedPrintable } from './dsn';
import { readDsn } from '../../../../test/support/dsn-reader';

const ORIGINAL = Buffer.from(
  'Received: from client (client [192.0.2.1])\r\n\tby mail.example.net (Postbode) with ESMTPSA id s1.1; Fri, 20 Nov 2026 10:00:00 +0000\r\n' +
    'From: Jan <jan@hosted.test>\r\nTo: x@remote.test\r\nSubject: Quarterly figures\r\nMessage-ID: <q1@hosted.test>\r\n\r\n' +
    'The figures are attached.\r\n',
);

const ARRIVED = new Date('2026-11-20T10:00:00Z');
const TRIED = new Date('2026-11-20T10:01:05Z');
const NOW = new Date('2026-11-20T10:02:00Z');

function input(extra: Partial<DsnInput> = {}): DsnInput {
  return {
    reportingMta: 'mail.example.net',
    originalSender: 'jan@hosted.test',
    envid: 'QQ314159',
    arrivalDate: ARRIVED,
    ret: null,
    original: ORIGINAL,
    maxOriginalBytes: 1024 * 1024,
    now: NOW,
    recipients: [
      {
        recipient: 'x@remote.test',
        orcpt: 'rfc822;X@Remote.test',
        action: 'failed',
        status: '5.1.1',
        remoteMta: 'mx1.remote.test',
        reply: '550 5.1.1 <x@remote.test>: no such user',
        lastAttemptAt: TRIED,
        reason: 'rejected',
      },
    ],
    ...extra,
  };
}

describe('buildDsn', () => {
  it('builds a multipart/report a mail parser reads: headers, explanation, report, the original', async () => {
    const raw = buildDsn(input());
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value).toEqual([{ name: 'Mail Delivery System', address: 'MAILER-DAEMON@mail.example.net' }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((a) => a.address) : null).toEqual(['jan@hosted.test']);
    expect(parsed.subject).toBe('Undelivered Mail Returned to Sender');
    expect(parsed.date?.toISOString()).toBe(NOW.toISOString());
    expect(parsed.messageId).toMatch(/^<[0-9a-f]+\.dsn@mail\.example\.net>$/);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.headers.get('mime-version')).toBe('1.0');
    const type = parsed.headers.get('content-type') as { value: string; params: Record<string, string> };
    expect(type.value).toBe('multipart/report');
    expect(type.params['report-type']).toBe('delivery-status');

    // the human part: who, what the remote said (verbatim) and which server said it
    expect(parsed.text).toContain('<x@remote.test>');
    expect(parsed.text).toContain('The mail server mx1.remote.test refused it for good');
    expect(parsed.text).toContain('      550 5.1.1 <x@remote.test>: no such user');
    expect(parsed.text).toContain('We received your message on Fri, 20 Nov 2026 10:00:00 +0000.');

    // the original comes back whole as message/rfc822
    const returned = parsed.attachments.find((a) => a.contentType === 'message/rfc822');
    expect(returned?.content.equals(ORIGINAL)).toBe(true);
  });

  it('writes every delivery-status field, in RFC 3464 order', () => {
    const dsn = readDsn(buildDsn(input()));
    expect(dsn.parts.map((p) => p.type)).toEqual(['text/plain', 'message/delivery-status', 'message/rfc822']);
    expect(dsn.perMessage).toEqual([
      ['Original-Envelope-Id', 'QQ314159'],
      ['Reporting-MTA', 'dns; mail.example.net'],
      ['Arrival-Date', 'Fri, 20 Nov 2026 10:00:00 +0000'],
    ]);
    expect(dsn.perRecipient).toEqual([
      [
        ['Original-Recipient', 'rfc822; X@Remote.test'],
        ['Final-Recipient', 'rfc822; x@remote.test'],
        ['Action', 'failed'],
        ['Status', '5.1.1'],
        ['Remote-MTA', 'dns; mx1.remote.test'],
        ['Diagnostic-Code', 'smtp; 550 5.1.1 <x@remote.test>: no such user'],
        ['Last-Attempt-Date', 'Fri, 20 Nov 2026 10:01:05 +0000'],
      ],
    ]);
  });

  it('leaves out what is unknown: no ENVID, no ORCPT, no remote server, no reply, no attempt', () => {
    const dsn = readDsn(
      buildDsn(input({ envid: null, recipients: [{ recipient: 'c@remote.test', action: 'failed', status: '5.0.0', reason: 'cancelled' }] })),
    );
    expect(dsn.perMessage.map(([name]) => name)).toEqual(['Reporting-MTA', 'Arrival-Date']);
    expect(dsn.perRecipient).toEqual([
      [
        ['Final-Recipient', 'rfc822; c@remote.test'],
        ['Action', 'failed'],
        ['Status', '5.0.0'],
      ],
    ]);
    expect(dsn.text).toContain('cancelled by the postmaster');
  });

  it('lists several recipients, each with its own reason, and says how long an expired one was tried', () => {
    const dsn = readDsn(
      buildDsn(
        input({
          now: new Date('2026-11-25T10:05:00Z'),
          recipients: [
            { recipient: 'a@remote.test', action: 'failed', status: '5.1.1', remoteMta: 'mx1.remote.test', reply: '550 5.1.1 unknown', lastAttemptAt: TRIED, reason: 'rejected' },
            { recipient: 'b@slow.test', action: 'failed', status: '5.4.7', remoteMta: 'mx.slow.test', reply: '451 4.7.1 greylisted', lastAttemptAt: new Date('2026-11-25T10:00:00Z'), reason: 'expired' },
          ],
        }),
      ),
    );
    expect(dsn.perRecipient.map((block) => Object.fromEntries(block)['Final-Recipient'])).toEqual(['rfc822; a@remote.test', 'rfc822; b@slow.test']);
    expect(Object.fromEntries(dsn.perRecipient[1])).toMatchObject({ Action: 'failed', Status: '5.4.7', 'Diagnostic-Code': 'smtp; 451 4.7.1 greylisted' });
    expect(dsn.text).toContain('We tried to deliver it for 5 days without success and have given up.');
    expect(dsn.text).toContain('got this answer from mx.slow.test:');
    expect(dsn.text).toContain('      451 4.7.1 greylisted');
  });

  it('a delay notice: its own subject, Action delayed, a 4.x.x status and Will-Retry-Until', async () => {
    const until = new Date('2026-11-25T10:00:00Z');
    const raw = buildDsn(
      input({
        willRetryUntil: until,
        recipients: [{ recipient: 'x@remote.test', action: 'delayed', status: '4.4.1', remoteMta: null, reply: null, lastAttemptAt: TRIED, reason: 'delayed' }],
      }),
    );
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Delivery Status Notification (Delay)');
    expect(parsed.text).toContain('We will keep trying until Wed, 25 Nov 2026 10:00:00 +0000.');
    expect(parsed.text).toContain('you do not need to send it again');
    expect(Object.fromEntries(readDsn(raw).perRecipient[0])).toEqual({
      'Final-Recipient': 'rfc822; x@remote.test',
      Action: 'delayed',
      Status: '4.4.1',
      'Last-Attempt-Date': 'Fri, 20 Nov 2026 10:01:05 +0000',
      'Will-Retry-Until': 'Wed, 25 Nov 2026 10:00:00 +0000',
    });
  });

  it('never writes a status of the wrong class', () => {
    const dsn = readDsn(buildDsn(input({ recipients: [{ recipient: 'x@remote.test', action: 'failed', status: '4.4.1' }, { recipient: 'y@remote.test', action: 'failed', status: 'junk' }] })));
    expect(dsn.perRecipient.map((b) => Object.fromEntries(b).Status)).toEqual(['5.0.0', '5.0.0']);
  });

  it('RET=HDRS: only the header lines come back, as text/rfc822-headers', async () => {
    const raw = buildDsn(input({ ret: 'HDRS' }));
    const dsn = readDsn(raw);
    const headers = dsn.parts[2];
    expect(headers.type).toBe('text/rfc822-headers');
    expect(headers.body).toContain('Subject: Quarterly figures\r\n');
    expect(headers.body).toContain('Message-ID: <q1@hosted.test>\r\n');
    expect(headers.body).not.toContain('The figures are attached');
    expect(dsn.text).toContain('Only the header lines of your message are attached, as your mail program asked.');
    expect((await simpleParser(raw)).attachments.some((a) => a.contentType === 'message/rfc822')).toBe(false);
  });

  it('a message over the size limit comes back as its header lines, and the sender is told why', () => {
    const big = Buffer.concat([ORIGINAL, Buffer.alloc(5000, 'x'), Buffer.from('\r\n')]);
    const dsn = readDsn(buildDsn(input({ original: big, maxOriginalBytes: 2000 })));
    expect(dsn.parts[2].type).toBe('text/rfc822-headers');
    expect(dsn.parts[2].body).toContain('Subject: Quarterly figures');
    expect(dsn.parts[2].body).not.toContain('xxxx');
    expect(dsn.text).toMatch(/Your message is 5\.\d KiB, larger than the 2 KiB we send back, so only its header lines are attached\./);
  });

  it('when the caller loaded only the header section, its size says it was too large', () => {
    const headerSection = ORIGINAL.subarray(0, ORIGINAL.indexOf('\r\n\r\n') + 4);
    const dsn = readDsn(buildDsn(input({ original: headerSection, originalSize: 3 * 1024 * 1024 })));
    expect(dsn.parts[2].type).toBe('text/rfc822-headers');
    expect(dsn.parts[2].body.endsWith('Message-ID: <q1@hosted.test>\r\n')).toBe(true);
    expect(dsn.text).toContain('Your message is 3 MiB, larger than the 1 MiB we send back');
  });

  it('a remote reply with CR LF in it cannot add a field, a recipient block or a MIME part', async () => {
    const evil = '550 5.1.1 gone\r\nAction: delivered\r\n\r\nFinal-Recipient: rfc822; evil@attacker.test\r\n--=_postbode_dsn_x\r\nContent-Type: text/html';
    const raw = buildDsn(
      input({
        envid: 'id\r\nX-Injected: 1',
        recipients: [{ recipient: 'x@remote.test', action: 'failed', status: '5.1.1', remoteMta: 'mx.remote.test\r\nX-Injected: 1', reply: evil, lastAttemptAt: TRIED }],
      }),
    );
    const dsn = readDsn(raw);
    expect(dsn.parts).toHaveLength(3);
    expect(dsn.perRecipient).toHaveLength(1);
    const fields = Object.fromEntries(dsn.perRecipient[0]);
    expect(fields.Action).toBe('failed');
    expect(fields['Final-Recipient']).toBe('rfc822; x@remote.test');
    expect(fields['Remote-MTA']).toBeUndefined(); // not a host name: left out
    expect(fields['Diagnostic-Code']).toBe(
      'smtp; 550 5.1.1 gone Action: delivered Final-Recipient: rfc822; evil@attacker.test --=_postbode_dsn_x Content-Type: text/html',
    );
    expect(dsn.perMessage[0]).toEqual(['Original-Envelope-Id', 'id+0D+0AX-Injected:+201']);
    const reportLines = dsn.parts[1].body.split('\r\n');
    expect(reportLines.filter((l) => /^(Action|X-Injected|Final-Recipient):/.test(l))).toEqual(['Final-Recipient: rfc822; x@remote.test', 'Action: failed']);
    // the human part still quotes the reply line by line, but inside quoted-printable text
    const parsed = await simpleParser(raw);
    expect(parsed.headers.has('x-injected')).toBe(false);
    expect(parsed.text).toContain('      Action: delivered');
  });

  it('folds a long reply into lines a relay accepts, and unfolding gives it back', () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const reply = `550 5.7.1 ${words} ${'y'.repeat(100)}`;
    const raw = buildDsn(input({ recipients: [{ recipient: 'x@remote.test', action: 'failed', status: '5.7.1', reply }] }));
    const report = readDsn(raw).parts[1].body;
    for (const line of report.split('\r\n')) expect(line.length).toBeLessThan(998);
    expect(report.split('\r\n').filter((l) => l.startsWith(' ')).length).toBeGreaterThan(5);
    expect(Object.fromEntries(readDsn(raw).perRecipient[0])['Diagnostic-Code']).toBe(`smtp; ${reply}`);
    // a reply beyond any reason is cut, still on lines under 998 octets
    const huge = buildDsn(input({ recipients: [{ recipient: 'x@remote.test', action: 'failed', status: '5.7.1', reply: 'z'.repeat(5000) }] }));
    const code = Object.fromEntries(readDsn(huge).perRecipient[0])['Diagnostic-Code'];
    expect(code.length).toBeLessThan(1000);
    expect(code.endsWith('...')).toBe(true);
    for (const line of readDsn(huge).parts[1].body.split('\r\n')) expect(line.length).toBeLessThan(998);
  });

  it('UTF-8 addresses and replies: readable in the human part, 7-bit in the report, the message intact', async () => {
    const raw = buildDsn(
      input({
        originalSender: 'jan@hosted.test',
        recipients: [
          { recipient: 'jürgen@bücher.test', orcpt: 'utf-8;jürgen@bücher.test', action: 'failed', status: '5.1.1', remoteMta: 'mx.bücher.test', reply: '550 5.1.1 Empfänger unbekannt', lastAttemptAt: TRIED },
          { recipient: 'x@remote.test', action: 'failed', status: '5.1.1', remoteMta: 'mx1.remote.test', reply: '550 5.1.1 no such user', lastAttemptAt: TRIED },
        ],
      }),
    );
    // everything but the returned message is 7-bit
    const dsn = readDsn(raw);
    const returnedAt = raw.indexOf('Content-Type: message/rfc822');
    expect([...raw.subarray(0, returnedAt)].every((b) => b < 0x80)).toBe(true);
    expect(dsn.parts).toHaveLength(3);
    expect(dsn.perRecipient).toHaveLength(2);
    expect(Object.fromEntries(dsn.perRecipient[0])).toMatchObject({
      'Final-Recipient': 'utf-8; j\\x{FC}rgen@b\\x{FC}cher.test',
      'Original-Recipient': 'utf-8; j+FCrgen@b+FCcher.test',
      'Diagnostic-Code': 'smtp; 550 5.1.1 Empf?nger unbekannt',
    });
    expect(Object.fromEntries(dsn.perRecipient[0])['Remote-MTA']).toBeUndefined();
    expect(Object.fromEntries(dsn.perRecipient[1])['Final-Recipient']).toBe('rfc822; x@remote.test');

    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Undelivered Mail Returned to Sender');
    expect(parsed.text).toContain('<jürgen@bücher.test>');
    // a UTF-8 sender (SMTPUTF8) is addressed in UTF-8, not mangled
    const toUtf8 = await simpleParser(buildDsn(input({ originalSender: 'zoë@bücher.test' })));
    expect(toUtf8.to && !Array.isArray(toUtf8.to) ? toUtf8.to.value[0].address : null).toBe('zoë@bücher.test');
    expect(parsed.text).toContain('      550 5.1.1 Empfänger unbekannt');
    expect(parsed.text).toContain('<x@remote.test>');
    expect(parsed.attachments.find((a) => a.contentType === 'message/rfc822')?.content.equals(ORIGINAL)).toBe(true);
  });

  it('returns an 8-bit original as 8bit, never re-encoded', () => {
    const original = Buffer.from('Subject: caf\u00e9\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nna\u00efve\r\n', 'utf8');
    const raw = buildDsn(input({ original }));
    const head = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('ascii');
    expect(head).toContain('Content-Transfer-Encoding: 8bit');
    const part = readDsn(raw).parts[2];
    expect(part.headers).toContain('Content-Transfer-Encoding: 8bit');
    expect(part.raw.equals(original)).toBe(true);
  });

  it('a message with lines no relay takes (over 998 octets) comes back as its header lines', () => {
    const original = Buffer.concat([ORIGINAL, Buffer.from(`${'w'.repeat(2000)}\r\n`)]);
    const dsn = readDsn(buildDsn(input({ original })));
    expect(dsn.parts[2].type).toBe('text/rfc822-headers');
    expect(dsn.parts[2].body).toContain('Subject: Quarterly figures');
    expect(dsn.text).toContain('Only the header lines of your message are attached.');
  });
});

describe('quotedPrintable', () => {
  it('keeps lines within 76 characters and encodes "=", trailing spaces and 8-bit octets', () => {
    const text = `${'a'.repeat(200)}\r\nx = y \r\nü\r\n`;
    const encoded = quotedPrintable(text);
    for (const line of encoded.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(encoded).toContain('x =3D y=20\r\n=C3=BC\r\n');
    const decoded = Buffer.from(encoded.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
    expect(decoded).toBe(text);
  });
});
