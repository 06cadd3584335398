import { ImapFlow, MessageStructureObject } from 'imapflow';
import { simpleParser } from 'mailparser';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestImap, uniqueUser } from '../../../../test/support/imap';
import { nestedMessage, simpleMessage } from '../../../../test/support/imap-messages';
import { MemoryImapBackend } from './imap-memory-backend';
import type { ImapListeners } from './imap-server';

/** imapflow answers `false` when nothing matched. */
function found<T>(value: T | false): T {
  if (value === false) throw new Error('imapflow found nothing');
  return value;
}

const read = async (s: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

const unicodeAttachment = Buffer.from(
  [
    'From: a@example.test',
    'Subject: unicode attachment',
    'Content-Type: multipart/mixed; boundary=u',
    '',
    '--u',
    'Content-Type: text/plain',
    '',
    'see attached',
    '--u',
    'Content-Type: application/octet-stream',
    "Content-Disposition: attachment; filename*=utf-8''%C3%84rger%20%E2%82%AC.txt",
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('contents').toString('base64'),
    '--u--',
    '',
  ].join('\r\n'),
);

/** The protocol layer against imapflow, a real client: what it decodes must match what mailparser decodes. */
describe('IMAP with imapflow', () => {
  const backend = new MemoryImapBackend();
  let imap: ImapListeners;
  let port: number;
  const user = uniqueUser();
  const clients: ImapFlow[] = [];
  const client = async () => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: 'pw' }, logger: false, disableAutoIdle: true });
    await c.connect();
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    ({ imap, port } = await startTestImap(backend));
    backend.addUser(user, 'pw', 50 * 1024 * 1024);
    backend.deliver(user, nestedMessage);
    backend.deliver(user, simpleMessage('plain one'));
    backend.deliver(user, unicodeAttachment);
  });
  afterAll(async () => {
    for (const c of clients) await c.logout().catch(() => undefined);
    await imap?.close();
  });

  it('lists folders with their special use', async () => {
    const c = await client();
    const list = await c.list();
    expect(list.map((f) => [f.path, f.specialUse ?? null])).toEqual(
      expect.arrayContaining([
        ['INBOX', '\\Inbox'],
        ['Sent', '\\Sent'],
        ['Drafts', '\\Drafts'],
        ['Junk', '\\Junk'],
        ['Trash', '\\Trash'],
      ]),
    );
  });

  it('decodes ENVELOPE and BODYSTRUCTURE of a nested multipart message as mailparser does', async () => {
    const c = await client();
    await c.mailboxOpen('INBOX');
    const msg = found(await c.fetchOne('1', { uid: true, envelope: true, bodyStructure: true, size: true, internalDate: true }));
    const parsed = await simpleParser(nestedMessage);
    expect(msg.size).toBe(nestedMessage.length);
    expect(msg.envelope!.subject).toBe(parsed.subject);
    expect(msg.envelope!.messageId).toBe(parsed.messageId);
    expect(msg.envelope!.inReplyTo).toBe(parsed.inReplyTo);
    expect(new Date(msg.envelope!.date!).getTime()).toBe(parsed.date!.getTime());
    expect(msg.envelope!.from).toEqual([{ name: 'Jörg', address: 'jorg@example.test' }]);
    expect(msg.envelope!.to).toEqual((parsed.to as { value: { name: string; address: string }[] }).value.map(({ name, address }) => ({ name, address })));
    expect(msg.envelope!.replyTo).toEqual([{ address: 'replies@example.test' }].map((a) => expect.objectContaining(a)));

    const bs = msg.bodyStructure!;
    expect(bs.type).toBe('multipart/mixed');
    const [alt, pdf, forwarded] = bs.childNodes!;
    expect(alt.type).toBe('multipart/alternative');
    expect(alt.childNodes!.map((p: MessageStructureObject) => [p.part, p.type, p.parameters?.charset])).toEqual([
      ['1.1', 'text/plain', 'utf-8'],
      ['1.2', 'text/html', 'utf-8'],
    ]);
    expect(pdf).toMatchObject({ part: '2', type: 'application/pdf', encoding: 'base64', disposition: 'attachment', id: '<att1@example.test>' });
    expect(pdf.dispositionParameters).toEqual({ filename: 'report.pdf' });
    expect(forwarded).toMatchObject({ part: '3', type: 'message/rfc822', description: 'forwarded message' });
    expect(forwarded.envelope!.subject).toBe('inner message');

    // every leaf part, downloaded and decoded by imapflow, equals mailparser's view of it
    const leaves: MessageStructureObject[] = [];
    const walk = (n: MessageStructureObject) => (n.childNodes?.length ? n.childNodes.forEach(walk) : leaves.push(n));
    walk(bs);
    const download = async (part: string) => read((await c.download(String(msg.uid), part, { uid: true })).content!);
    const lf = (b: Buffer) => b.toString('utf8').replace(/\r\n/g, '\n');
    expect(lf(await download('1.1'))).toBe(parsed.text!.trimEnd());
    expect((await download('1.2')).toString('utf8')).toBe(parsed.html);
    const pdfAttachment = parsed.attachments.find((a) => a.filename === 'report.pdf')!;
    expect((await download('2')).equals(pdfAttachment.content)).toBe(true);
    const forwardedAttachment = parsed.attachments.find((a) => a.contentType === 'message/rfc822')!;
    const forwardedBytes = await download('3');
    expect(forwardedBytes.equals(forwardedAttachment.content)).toBe(true);
    const inner = await simpleParser(forwardedBytes);
    expect(lf(await download('3.1'))).toBe(inner.text!.trimEnd());
    expect((await download('3.2')).equals(inner.attachments[0].content)).toBe(true);
    expect(leaves.map((l) => l.part)).toEqual(['1.1', '1.2', '2', '3.1', '3.2']);
    // and the whole message comes back byte for byte
    expect((await read((await c.download(String(msg.uid), undefined, { uid: true })).content!)).equals(nestedMessage)).toBe(true);
  });

  it('decodes an RFC 2231 file name through the BODYSTRUCTURE', async () => {
    const c = await client();
    await c.mailboxOpen('INBOX');
    const msg = found(await c.fetchOne('3', { bodyStructure: true }));
    const attachment = msg.bodyStructure!.childNodes![1];
    expect(attachment.dispositionParameters?.filename).toBe('Ärger €.txt');
    const d = await c.download('3', '2');
    expect(d.meta?.filename).toBe('Ärger €.txt');
    expect((await read(d.content!)).toString()).toBe('contents');
  });

  it('searches, flags, appends, copies and moves', async () => {
    const c = await client();
    await c.mailboxOpen('INBOX');
    expect(await c.search({ subject: 'Köln' }, { uid: true })).toEqual([1]);
    expect(await c.search({ from: 'sender@example.test' })).toEqual([2]);
    expect(await c.search({ body: 'second line' })).toEqual([1]);
    await c.messageFlagsAdd('2', ['\\Seen', '$Done']);
    expect(await c.search({ seen: false })).toEqual([1, 3]);
    expect(await c.search({ keyword: '$Done' })).toEqual([2]);
    const appended = await c.append('Sent', simpleMessage('sent by imapflow'), ['\\Seen'], new Date('2024-05-01T10:00:00Z'));
    expect(appended).toMatchObject({ destination: 'Sent', uid: 1 });
    expect(typeof appended && (appended as { uidValidity: bigint }).uidValidity).toBeTruthy();
    const copied = await c.messageCopy('1:2', 'Trash');
    expect(copied && [...copied.uidMap!.entries()]).toEqual([
      [1, 1],
      [2, 2],
    ]);
    const moved = await c.messageMove('2', 'Junk');
    expect(moved && [...moved.uidMap!.entries()]).toEqual([[2, 1]]);
    expect((c.mailbox as { exists: number }).exists).toBe(2);
    const status = await c.status('Trash', { messages: true, unseen: true, uidNext: true });
    expect(status).toMatchObject({ messages: 2, unseen: 1, uidNext: 3 });
    await c.mailboxOpen('Sent');
    const sent = found(await c.fetchOne('1', { flags: true, internalDate: true, source: true }));
    // \Recent too: this is the first session to select Sent since the append
    expect([...sent.flags!]).toEqual(['\\Seen', '\\Recent']);
    expect((sent.internalDate as Date).toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(sent.source!.equals(simpleMessage('sent by imapflow'))).toBe(true);
  });

  it('creates, renames and deletes folders with non-ASCII names', async () => {
    const c = await client();
    const created = await c.mailboxCreate(['Projekte', 'Entwürfe']);
    expect(created.path).toBe('Projekte/Entwürfe');
    expect(backend.folderNames(user)).toContain('Projekte/Entwürfe');
    await c.mailboxRename('Projekte/Entwürfe', 'Projekte/Fertig ✓');
    expect((await c.list()).map((f) => f.path)).toEqual(expect.arrayContaining(['Projekte', 'Projekte/Fertig ✓']));
    await c.mailboxDelete('Projekte/Fertig ✓');
    expect(backend.folderNames(user)).not.toContain('Projekte/Fertig ✓');
  });

  it('reports quota', async () => {
    const c = await client();
    const quota = await c.getQuota('INBOX');
    expect(quota).toMatchObject({ path: 'INBOX', storage: { limit: 50 * 1024 * 1024 } });
    expect((quota as { storage: { usage: number } }).storage.usage).toBeGreaterThan(0);
  });

  it('hears about new mail in IDLE within a second, and about flags set by another client', async () => {
    const watcher = await client();
    await watcher.mailboxOpen('INBOX');
    const exists = new Promise<{ count: number }>((r) => watcher.once('exists', r));
    const idling = watcher.idle();
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    backend.deliver(user, simpleMessage('idle news'));
    const event = await exists;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(event.count).toBe(3);
    const flags = new Promise<{ uid?: number; flags: Set<string> }>((r) => watcher.once('flags', r));
    const other = await client();
    await other.mailboxOpen('INBOX');
    await other.messageFlagsAdd({ uid: '1' }, ['\\Flagged'], { uid: true });
    const changed = await flags;
    expect(changed.uid).toBe(1);
    expect([...changed.flags]).toContain('\\Flagged');
    const expunged = new Promise<{ seq: number }>((r) => watcher.once('expunge', r));
    await other.messageDelete({ uid: '1' }, { uid: true });
    expect((await expunged).seq).toBe(1);
    await watcher.noop();
    await idling.catch(() => undefined);
  });
});
