import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawImapClient, startTestImap, tagged } from '../../../../test/support/imap';
import { nestedMessage, simpleMessage } from '../../../../test/support/imap-messages';
import { MemoryImapBackend } from './imap-memory-backend';
import type { ImapListeners } from './imap-server';

describe('smoke', () => {
  let imap: ImapListeners;
  let port: number;
  const backend = new MemoryImapBackend();
  beforeAll(async () => {
    backend.addUser('u@example.test', 'secret');
    backend.deliver('u@example.test', simpleMessage('one'));
    backend.deliver('u@example.test', nestedMessage);
    ({ imap, port } = await startTestImap(backend));
  });
  afterAll(async () => imap?.close());

  it('works', async () => {
    const { client, greeting } = await RawImapClient.open(port);
    console.log(greeting);
    for (const c of ['CAPABILITY', 'LOGIN u@example.test secret', 'LIST "" "*"', 'SELECT INBOX', 'FETCH 1:* (FLAGS UID ENVELOPE BODYSTRUCTURE)', 'FETCH 2 BODY[1.1]', 'UID SEARCH SUBJECT inner', 'SEARCH UNSEEN', 'STORE 1 +FLAGS (\\Flagged)', 'LOGOUT']) {
      const lines = await client.cmd(c);
      console.log(lines.join('\n'));
    }
    expect(tagged(['x OK'])).toBe('x OK');
  });
});
