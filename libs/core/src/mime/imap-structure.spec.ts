import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { nestedMessage, simpleMessage } from '../../../../test/support/imap-messages';
import { computeImapStructure, ImapBodyPart } from './imap-structure';

const slice = (raw: Buffer, p: ImapBodyPart) => raw.toString('latin1', p.bodyStart, p.bodyEnd);
const mime = (raw: Buffer, p: ImapBodyPart) => raw.toString('latin1', p.headerStart, p.bodyStart);

describe('computeImapStructure', () => {
  it('splits a nested multipart message byte-exactly', () => {
    const raw = nestedMessage;
    const s = computeImapStructure(raw);
    const root = s.body;
    expect([root.type, root.subtype]).toEqual(['multipart', 'mixed']);
    expect(root.headerStart).toBe(0);
    expect(root.bodyEnd).toBe(raw.length);
    expect(raw.toString('latin1', root.bodyStart - 4, root.bodyStart)).toBe('\r\n\r\n');
    const [alt, pdf, forwarded] = root.parts!;
    expect([alt.type, alt.subtype, alt.parts!.length]).toEqual(['multipart', 'alternative', 2]);
    const [plain, html] = alt.parts!;
    expect(slice(raw, plain)).toBe('Hello plain =C3=A4\r\nsecond line');
    expect(plain.encoding).toBe('QUOTED-PRINTABLE');
    expect(plain.params).toEqual([['charset', 'utf-8']]);
    expect(plain.lines).toBe(1);
    expect(mime(raw, plain)).toBe('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n');
    expect(slice(raw, html)).toBe('<p>Hello html</p>');
    expect(pdf).toMatchObject({ type: 'application', subtype: 'pdf', encoding: 'BASE64', id: '<att1@example.test>', language: ['en', 'de'] });
    expect(pdf.disposition).toEqual({ type: 'attachment', params: [['filename', 'report.pdf']] });
    expect(slice(raw, pdf)).toBe('JVBERi0xLjQKJcOkw7zDtsOfCg==');
    expect(forwarded).toMatchObject({ type: 'message', subtype: 'rfc822', description: 'forwarded message' });
    const inner = forwarded.message!;
    expect(inner.envelope.subject).toBe('inner message');
    expect(inner.envelope.from).toEqual([{ name: 'Bob', mailbox: 'bob', host: 'example.test' }]);
    expect(inner.body.headerStart).toBe(forwarded.bodyStart);
    expect(inner.body.bodyEnd).toBe(forwarded.bodyEnd);
    expect(slice(raw, forwarded)).toMatch(/^From: Bob <bob@example\.test>\r\n[\s\S]*iVBORw0KGgo=\r\n--inner--$/);
    expect(inner.body.parts!.map((p) => slice(raw, p))).toEqual(['inner text', 'iVBORw0KGgo=']);
  });

  it('agrees with mailparser on the decoded attachments', async () => {
    const s = computeImapStructure(nestedMessage);
    const parsed = await simpleParser(nestedMessage);
    const pdf = parsed.attachments.find((a) => a.filename === 'report.pdf')!;
    const part = s.body.parts![1];
    expect(Buffer.from(slice(nestedMessage, part), 'latin1').toString()).toBe(pdf.content.toString('base64'));
    expect(parsed.subject).toBe('Grüße aus Köln and more');
    expect(s.envelope.subject).toBe('=?utf-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?= and more');
  });

  it('builds the envelope: defaults, groups, raw encoded words', () => {
    const env = computeImapStructure(nestedMessage).envelope;
    expect(env.date).toBe('Tue, 01 Oct 2024 10:00:00 +0200');
    expect(env.from).toEqual([{ name: '=?utf-8?Q?J=C3=B6rg?=', mailbox: 'jorg', host: 'example.test' }]);
    expect(env.sender).toEqual(env.from);
    expect(env.replyTo).toEqual([{ name: null, mailbox: 'replies', host: 'example.test' }]);
    expect(env.to).toEqual([
      { name: 'Alice', mailbox: 'alice', host: 'example.test' },
      { name: 'Doe, John', mailbox: 'john', host: 'example.test' },
    ]);
    expect(env.cc).toEqual([
      { name: null, mailbox: 'undisclosed-recipients', host: null },
      { name: null, mailbox: null, host: null },
    ]);
    expect(env.bcc).toBeNull();
    expect(env.messageId).toBe('<nested-1@example.test>');
    expect(env.inReplyTo).toBe('<parent@example.test>');
  });

  it('handles a single-part message, LF-only line ends and a missing body', () => {
    const simple = computeImapStructure(simpleMessage('x'));
    expect([simple.body.type, simple.body.subtype, simple.body.parts]).toEqual(['text', 'plain', undefined]);
    const lf = Buffer.from('Subject: lf\nContent-Type: text/plain\n\nline 1\nline 2\n');
    const s = computeImapStructure(lf);
    expect(s.envelope.subject).toBe('lf');
    expect(slice(lf, s.body)).toBe('line 1\nline 2\n');
    expect(s.body.lines).toBe(2);
    const headerOnly = Buffer.from('Subject: only a header\r\n');
    const h = computeImapStructure(headerOnly);
    expect(h.body.bodyStart).toBe(headerOnly.length);
    expect(h.envelope.subject).toBe('only a header');
    const noHeader = Buffer.from('\r\nbody only');
    expect(computeImapStructure(noHeader).body.bodyStart).toBe(2);
  });

  it('tolerates broken multiparts: no closing boundary, no boundary parameter, look-alike boundaries', () => {
    const unclosed = Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--bb\r\nnot a boundary\r\n--b\r\n\r\nsecond');
    const s = computeImapStructure(unclosed);
    expect(s.body.parts!.map((p) => slice(unclosed, p))).toEqual(['first\r\n--bb\r\nnot a boundary', 'second']);
    const noBoundary = computeImapStructure(Buffer.from('Content-Type: multipart/mixed\r\n\r\nhello'));
    expect(noBoundary.body.parts).toHaveLength(1);
    expect(noBoundary.body.parts![0].type).toBe('text');
    const bad = computeImapStructure(Buffer.from('Content-Type: garbage\r\n\r\nx'));
    expect([bad.body.type, bad.body.subtype]).toEqual(['text', 'plain']);
  });

  it('defaults parts of a multipart/digest to message/rfc822 and decodes RFC 2231 parameters', () => {
    const digest = Buffer.from('Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: in digest\r\n\r\nhi\r\n--d--\r\n');
    const part = computeImapStructure(digest).body.parts![0];
    expect([part.type, part.subtype]).toEqual(['message', 'rfc822']);
    expect(part.message!.envelope.subject).toBe('in digest');
    const rfc2231 = Buffer.from("Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=utf-8''%C3%A4rger.txt\r\n\r\nx");
    const d = computeImapStructure(rfc2231).body.disposition!;
    expect(d.params[0][0]).toBe('filename');
    expect(d.params[0][1]).toMatch(/^=\?utf-8\?Q\?/i);
  });

  it('stops at a nesting limit instead of recursing without end', () => {
    let msg = 'x';
    for (let i = 0; i < 200; i++) msg = `Content-Type: message/rfc822\r\n\r\n${msg}`;
    const s = computeImapStructure(Buffer.from(msg));
    let depth = 0;
    for (let p: ImapBodyPart | undefined = s.body; p; p = p.message?.body) depth++;
    expect(depth).toBeLessThan(60);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
