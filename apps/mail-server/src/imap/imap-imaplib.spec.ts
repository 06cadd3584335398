import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestImap, uniqueUser } from '../../../../test/support/imap';
import { nestedMessage, simpleMessage } from '../../../../test/support/imap-messages';
import { MemoryImapBackend } from './imap-memory-backend';
import type { ImapListeners } from './imap-server';

/** A Python imaplib session: prints one JSON object with what the client saw. */
const SCRIPT = String.raw`
import imaplib, json, sys, email
from email import policy
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = {}
m = imaplib.IMAP4('127.0.0.1', port)
out['capabilities'] = sorted(m.capabilities)
out['login'] = m.login(user, password)[0]
typ, folders = m.list()
out['folders'] = [f.decode() for f in folders]
typ, data = m.select('INBOX')
out['exists'] = int(data[0])
typ, data = m.uid('SEARCH', None, 'SUBJECT', '"plain"')
out['search_subject'] = data[0].decode()
typ, data = m.search('UTF-8', 'BODY', '"Hello"')
out['search_body'] = data[0].decode()
typ, data = m.fetch('1', '(RFC822)')
msg = email.message_from_bytes(data[0][1], policy=policy.default)
out['subject'] = str(msg['subject'])
out['parts'] = [p.get_content_type() for p in msg.walk()]
out['pdf'] = [p.get_content() for p in msg.walk() if p.get_content_type() == 'application/pdf'][0].hex()
typ, data = m.fetch('1:2', '(FLAGS)')
out['flags_after_fetch'] = [d.decode() for d in data]
typ, data = m.store('2', '+FLAGS', '(\\Flagged)')
out['store'] = [d.decode() for d in data]
typ, data = m.append('Drafts', '(\\Draft)', imaplib.Time2Internaldate(1700000000), b'Subject: from python\r\n\r\ndraft body\r\n')
out['append'] = [d.decode() for d in data]
typ, data = m.copy('2', 'Trash')
out['copy'] = [d.decode() if isinstance(d, bytes) else d for d in data]
out['create'] = m.create('"Python &AOQ-"')[0]
typ, data = m.status('"Python &AOQ-"', '(MESSAGES UIDNEXT)')
out['status'] = data[0].decode()
m.store('1', '+FLAGS', '(\\Deleted)')
typ, data = m.expunge()
out['expunge'] = [d.decode() if d else None for d in data]
typ, data = m.getquotaroot('INBOX')
out['quota'] = [[x.decode() for x in d] for d in data]
out['close'] = m.close()[0]
out['logout'] = m.logout()[0]
print(json.dumps(out))
`;

function python(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', ['-c', SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('IMAP with Python imaplib', () => {
  const backend = new MemoryImapBackend();
  let imap: ImapListeners;
  let port: number;
  const user = uniqueUser();
  beforeAll(async () => {
    ({ imap, port } = await startTestImap(backend));
    backend.addUser(user, 'pw', 10 * 1024 * 1024);
    backend.deliver(user, nestedMessage);
    backend.deliver(user, simpleMessage('plain'));
  });
  afterAll(async () => imap?.close());

  it('runs a whole session: list, select, search, fetch, store, append, copy, create, status, expunge, quota', async () => {
    const { code, stdout, stderr } = await python([String(port), user, 'pw']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.capabilities).toEqual(expect.arrayContaining(['IMAP4REV1', 'IDLE', 'AUTH=PLAIN']));
    expect(out.login).toBe('OK');
    expect(out.folders).toContain('(\\HasNoChildren \\Sent) "/" "Sent"');
    expect(out.exists).toBe(2);
    expect(out.search_subject).toBe('2');
    expect(out.search_body).toBe('1 2');
    expect(out.subject).toBe('Grüße aus Köln and more');
    expect(out.parts).toEqual(['multipart/mixed', 'multipart/alternative', 'text/plain', 'text/html', 'application/pdf', 'message/rfc822', 'multipart/mixed', 'text/plain', 'image/png']);
    expect(Buffer.from(out.pdf, 'hex').equals(Buffer.from('JVBERi0xLjQKJcOkw7zDtsOfCg==', 'base64'))).toBe(true);
    expect(out.flags_after_fetch).toEqual(['1 (FLAGS (\\Seen \\Recent))', '2 (FLAGS (\\Recent))']);
    expect(out.store).toEqual(['2 (FLAGS (\\Flagged \\Recent))']);
    expect(out.append[0]).toMatch(/^\[APPENDUID \d+ 1\] APPEND completed$/);
    expect(out.copy[0]).toMatch(/^\[COPYUID \d+ 2 1\] COPY completed$/);
    expect(out.create).toBe('OK');
    expect(out.status).toBe('"Python &AOQ-" (MESSAGES 0 UIDNEXT 1)');
    expect(out.expunge).toEqual(['1']);
    expect(out.quota[1][0]).toMatch(/^"" \(STORAGE \d+ 10240\)$/);
    expect(out.close).toBe('OK');
    expect(out.logout).toBe('BYE');
    expect(backend.folderNames(user)).toContain('Python ä');
    expect(backend.messagesOf(user, 'Drafts')[0].flags).toEqual(['\\Draft']);
  });
});
