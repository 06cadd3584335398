import { describe, expect, it } from 'vitest';
import { headerSectionLength, summariseHeaders } from './header-summary';
import { receivedHeader, rfc5322Date } from './received-header';

describe('summariseHeaders', () => {
  it('decodes encoded words, unfolds, keeps the first occurrence and strips Message-ID brackets', () => {
    const raw = Buffer.from(
      'Received: x\r\nSubject: =?UTF-8?B?SGFsbG8gd8OpcmVsZA==?=\r\n continued\r\nFrom: "Ann" <ann@a.example>\r\nTo: b@b.example,\r\n\tc@c.example\r\n' +
        'Subject: second\r\nDate: Sat, 28 Nov 2026 14:03:05 +0100\r\nMessage-ID: <abc@host>\r\nIn-Reply-To: <prev@host>\r\n\r\nbody\r\n',
    );
    const s = summariseHeaders(raw);
    expect(s.subject).toBe('Hallo wéreld continued');
    expect(s.from).toBe('"Ann" <ann@a.example>');
    expect(s.to).toBe('b@b.example,\tc@c.example');
    expect(s.date?.toISOString()).toBe('2026-11-28T13:03:05.000Z');
    expect(s.messageId).toBe('abc@host');
    expect(s.inReplyTo).toBe('prev@host');
    expect(s.headerBytes).toBe(raw.indexOf('body'));
  });

  it('copes with no headers, no body and a bad date', () => {
    expect(headerSectionLength(Buffer.from('\r\nbody'))).toBe(2);
    const s = summariseHeaders(Buffer.from('Date: yesterday-ish\r\nSubject: only headers'));
    expect(s.date).toBeNull();
    expect(s.subject).toBe('only headers');
    expect(s.messageId).toBeNull();
  });
});

describe('receivedHeader', () => {
  it('writes a folded trace field and never lets client text add lines', () => {
    const h = receivedHeader({
      helo: 'evil\r\nX-Injected: yes',
      clientIp: '192.0.2.7',
      clientHostname: null,
      byHost: 'mx.example.net',
      protocol: 'ESMTPS',
      id: 'abc.1',
      singleRecipient: 'rcpt@example.net',
      tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
      date: new Date(Date.UTC(2026, 10, 28, 14, 3, 5)),
    });
    expect(h).toBe(
      'Received: from unknown ([192.0.2.7])\r\n\tby mx.example.net (Postbode) with ESMTPS id abc.1\r\n' +
        '\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r\n\tfor <rcpt@example.net>; Sat, 28 Nov 2026 14:03:05 +0000\r\n',
    );
  });

  it('formats RFC 5322 dates', () => {
    expect(rfc5322Date(new Date(Date.UTC(2027, 0, 3, 4, 5, 6)))).toBe('Sun, 3 Jan 2027 04:05:06 +0000');
  });
});
