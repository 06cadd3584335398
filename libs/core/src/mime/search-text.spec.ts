import { describe, expect, it } from 'vitest';
import { nestedMessage } from '../../../../test/support/imap-messages';
import { computeSearchText, decodeQuotedPrintable, headerLineContains, headersContain, htmlText, MAX_STORED_SEARCH_TEXT, storableSearchText } from './search-text';

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'));

const part = (type: string, encoding: string | null, body: string | Buffer) =>
  Buffer.concat([crlf(`Content-Type: ${type}\n${encoding ? `Content-Transfer-Encoding: ${encoding}\n` : ''}\n`), Buffer.isBuffer(body) ? body : crlf(body)]);

const multipart = (...parts: Buffer[]) =>
  Buffer.concat([
    crlf('From: a@example.test\nSubject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n'),
    ...parts.flatMap((p) => [crlf('--b\n'), p, crlf('\n')]),
    crlf('--b--\n'),
  ]);

describe('computeSearchText', () => {
  it('decodes quoted-printable, base64 and declared charsets, lower case', () => {
    const raw = multipart(
      part('text/plain; charset=utf-8', 'quoted-printable', 'Bitte die =C3=9Cberweisung pr=C3=BC=\nfen.'),
      part('text/plain; charset=utf-8', 'base64', Buffer.from('Grüße aus Köln\r\n').toString('base64') + '\n'),
      part('text/plain; charset=iso-8859-1', '8bit', Buffer.from([0x44, 0x41, 0x4e, 0x4b, 0x45, 0x20, 0x53, 0x43, 0x48, 0xd6, 0x4e])),
      part('text/plain; charset=koi8-r', 'quoted-printable', '=F0=D2=C9=D7=C5=D4'),
    );
    const { body } = computeSearchText(raw);
    expect(body).toContain('bitte die überweisung prüfen.');
    expect(body).toContain('grüße aus köln');
    expect(body).toContain('danke schön');
    expect(body).toContain('привет');
    expect(body).not.toMatch(/[A-Z]/);
  });

  it('reads undeclared 8-bit text as UTF-8 when valid, otherwise as Latin-1', () => {
    expect(computeSearchText(crlf('Subject: x\n\nCafé crème\n')).body).toContain('café crème');
    const latin1 = Buffer.concat([crlf('Subject: x\n\n'), Buffer.from([0x43, 0x61, 0x66, 0xe9])]);
    expect(computeSearchText(latin1).body).toBe('café');
  });

  it('takes text from HTML parts, nested messages and every text part, but not from other types', () => {
    const raw = multipart(
      part('text/html; charset=utf-8', null, '<html><head><title>t</title><style>p { color: red }</style></head><body><p>Hidden <b>trea</b>sure</p><script>var x = "scripted";</script>Fish &amp; chips&nbsp;&auml;&#252;&#x263A;</body></html>'),
      part('application/octet-stream', 'base64', Buffer.from('not searchable text').toString('base64')),
      part('message/rfc822', null, 'Subject: =?utf-8?Q?Weitergeleitet_=C3=A4?=\nContent-Type: text/plain\n\ninner words\n'),
      part('text/csv', null, 'a,b,Columns'),
    );
    const { body } = computeSearchText(raw);
    expect(body).toContain('hidden treasure');
    expect(body).toContain('fish & chips äü☺');
    expect(body).not.toContain('scripted');
    expect(body).not.toContain('color');
    expect(body).not.toContain('searchable');
    expect(body).toContain('subject: weitergeleitet ä');
    expect(body).toContain('inner words');
    expect(body).toContain('a,b,columns');
  });

  it('lists every header field decoded and unfolded, one per line', () => {
    const { headers, body } = computeSearchText(nestedMessage);
    const lines = headers.split('\n');
    expect(lines).toContain('subject: grüße aus köln and more');
    expect(lines).toContain('from: jörg <jorg@example.test>');
    expect(lines).toContain('cc: undisclosed-recipients:;');
    expect(headerLineContains(headers, 'to', 'doe, john')).toBe(true);
    expect(headerLineContains(headers, 'to', 'jörg')).toBe(false);
    expect(headerLineContains(headers, 'in-reply-to', '')).toBe(true);
    expect(headerLineContains(headers, 'bcc', '')).toBe(false);
    expect(headersContain(headers, 'reply-to: replies')).toBe(true);
    expect(headersContain(headers, 'alice@example.test>\nreply')).toBe(false);
    expect(body).toContain('hello plain ä\nsecond line');
    expect(body).toContain('hello html');
    expect(body).toContain('subject: inner message');
    expect(body).toContain('inner text');
    expect(body).not.toContain('jvberi');
  });

  it('normalises line ends and NUL, so the text can be stored as PostgreSQL text', () => {
    const { body } = computeSearchText(Buffer.concat([crlf('Subject: x\n\n'), Buffer.from('one\r\ntwo\rthree\0four')]));
    expect(body).toBe('one\ntwo\nthree four');
  });

  it('is not stored beyond the cap', () => {
    const text = { headers: 'subject: x', body: 'y'.repeat(MAX_STORED_SEARCH_TEXT) };
    expect(storableSearchText(text)).toBe(text);
    expect(storableSearchText({ ...text, body: text.body + 'y' })).toBeNull();
  });
});

describe('decodeQuotedPrintable', () => {
  it('decodes escapes and soft breaks and keeps malformed escapes', () => {
    expect(decodeQuotedPrintable(Buffer.from('a=3Db=\r\nc= \r\nd=\ne=ZZ f=4')).toString('latin1')).toBe('a=bcde=ZZ f=4');
    expect(decodeQuotedPrintable(Buffer.from('end=')).toString()).toBe('end');
  });
});

describe('htmlText', () => {
  it('keeps "<" that starts no tag and runs in linear time on unclosed elements', () => {
    expect(htmlText('a < b and c<d')).toBe('a < b and c<d');
    const hostile = '<style>'.repeat(50_000) + '<p>x';
    const t0 = Date.now();
    htmlText(hostile);
    htmlText('<!--'.repeat(50_000));
    htmlText('<a '.repeat(50_000));
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});
