import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSession, startTestImap, tagged, uniqueUser } from '../../../../test/support/imap';
import { simpleMessage } from '../../../../test/support/imap-messages';
import { MemoryImapBackend } from './imap-memory-backend';
import type { ImapListeners } from './imap-server';

const tick = () => new Promise((r) => setTimeout(r, 20));

/**
 * Untagged updates (RFC 3501 7.4.1, 5.2): what other sessions and deliveries
 * change reaches a selected session as EXISTS, FETCH and EXPUNGE, at the
 * moments the protocol allows, and at once in IDLE.
 */
describe('IMAP updates between sessions', () => {
  const backend = new MemoryImapBackend();
  let imap: ImapListeners;
  let port: number;
  beforeAll(async () => {
    ({ imap, port } = await startTestImap(backend, { idlePollMs: 60_000 }));
  });
  afterAll(async () => imap?.close());

  const setup = async (count: number) => {
    const user = uniqueUser();
    backend.addUser(user, 'pw');
    for (let i = 1; i <= count; i++) backend.deliver(user, simpleMessage(`m${i}`));
    return { user, a: await rawSession(port, user, 'pw', 'INBOX'), b: await rawSession(port, user, 'pw', 'INBOX') };
  };

  it('announces new mail as EXISTS and RECENT on NOOP, and flag changes by others as FETCH', async () => {
    const { user, a, b } = await setup(1);
    backend.deliver(user, simpleMessage('new'));
    await tick();
    expect(await a.cmd('NOOP')).toEqual(['* 2 EXISTS', '* 2 RECENT', 't3 OK NOOP completed']);
    await b.cmd('NOOP');
    await b.cmd('STORE 1 +FLAGS.SILENT (\\Flagged)');
    await tick();
    expect(await a.cmd('NOOP')).toEqual(['* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))', 't4 OK NOOP completed']);
    // own changes are not echoed back again
    await a.cmd('STORE 2 +FLAGS (\\Seen)');
    await tick();
    expect(await a.cmd('NOOP')).toEqual(['t6 OK NOOP completed']);
    a.close();
    b.close();
  });

  it('holds EXPUNGE back during FETCH, STORE and SEARCH, and sends it after the next command that allows it', async () => {
    const { a, b } = await setup(3);
    await b.cmd('STORE 2 +FLAGS.SILENT (\\Deleted)');
    expect(await b.cmd('EXPUNGE')).toEqual(['* 2 EXPUNGE', 't4 OK EXPUNGE completed']);
    await tick();
    // message 2 is gone from the store but keeps its sequence number for a
    const fetch = await a.cmd('FETCH 1:3 (UID)');
    expect(fetch).toEqual(['* 1 FETCH (UID 1)', '* 2 FETCH (UID 2)', '* 3 FETCH (UID 3)', 't3 OK FETCH completed']);
    expect(await a.cmd('FETCH 2 BODY.PEEK[]')).toEqual(['t4 NO [EXPUNGEISSUED] some of the messages were expunged']);
    expect(await a.cmd('STORE 3 +FLAGS (\\Seen)')).toEqual(['* 3 FETCH (FLAGS (\\Seen \\Recent))', 't5 OK STORE completed']);
    expect(await a.cmd('SEARCH ALL')).toEqual(['* SEARCH 1 2 3', 't6 OK SEARCH completed']);
    // a UID command may shift sequence numbers: the EXPUNGE comes before its tagged answer
    expect(await a.cmd('UID FETCH 3 UID')).toEqual(['* 3 FETCH (UID 3)', '* 2 EXPUNGE', 't7 OK UID FETCH completed']);
    expect(await a.cmd('FETCH 2 UID')).toEqual(['* 2 FETCH (UID 3)', 't8 OK FETCH completed']);
    a.close();
    b.close();
  });

  it('sends EXPUNGE on NOOP with the right sequence numbers when several go at once', async () => {
    const { a, b } = await setup(5);
    await b.cmd('STORE 2,4 +FLAGS.SILENT (\\Deleted)');
    await b.cmd('EXPUNGE');
    await tick();
    expect(await a.cmd('NOOP')).toEqual(['* 4 EXPUNGE', '* 2 EXPUNGE', 't3 OK NOOP completed']);
    expect(await a.cmd('FETCH 1:* UID')).toEqual(['* 1 FETCH (UID 1)', '* 2 FETCH (UID 3)', '* 3 FETCH (UID 5)', 't4 OK FETCH completed']);
    a.close();
    b.close();
  });

  it('pushes new mail, flag changes and expunges to a client in IDLE within a second', async () => {
    const { user, a, b } = await setup(2);
    a.write('i1 IDLE\r\n');
    expect(await a.line()).toBe('+ idling');
    const started = Date.now();
    backend.deliver(user, simpleMessage('while idling'));
    expect(await a.line(1_000)).toBe('* 3 EXISTS');
    expect(await a.line(1_000)).toBe('* 3 RECENT');
    expect(Date.now() - started).toBeLessThan(1_000);
    await b.cmd('STORE 1 +FLAGS.SILENT (\\Deleted)');
    expect(await a.line(1_000)).toBe('* 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))');
    await b.cmd('EXPUNGE');
    expect(await a.line(1_000)).toBe('* 1 EXPUNGE');
    a.write('DONE\r\n');
    expect(await a.line()).toBe('i1 OK IDLE terminated');
    expect(await a.cmd('FETCH 1:* UID')).toEqual(['* 1 FETCH (UID 2)', '* 2 FETCH (UID 3)', 't3 OK FETCH completed']);
    a.close();
    b.close();
  });

  it('sends updates that were waiting when IDLE starts, and answers a wrong IDLE terminator with BAD', async () => {
    const { user, a, b } = await setup(1);
    backend.deliver(user, simpleMessage('before idle'));
    await tick();
    a.write('i1 IDLE\r\n');
    expect(await a.line()).toBe('+ idling');
    expect(await a.line()).toBe('* 2 EXISTS');
    expect(await a.line()).toBe('* 2 RECENT');
    a.write('NOT DONE\r\n');
    expect(await a.line()).toBe('i1 BAD expected DONE');
    expect(tagged(await a.cmd('NOOP'))).toBe('t3 OK NOOP completed');
    a.close();
    b.close();
  });

  it('looks for changes in IDLE by itself even when no change signal comes', async () => {
    const user = uniqueUser();
    backend.addUser(user, 'pw');
    const quiet = await startTestImap(
      {
        authenticate: async (u, p, r) => {
          const result = await backend.authenticate(u, p);
          // an account whose change signals never arrive (a lost NOTIFY)
          if (result.ok) result.account.watch = () => () => undefined;
          return result;
        },
      },
      { idlePollMs: 100 },
    );
    const a = await rawSession(quiet.port, user, 'pw', 'INBOX');
    a.write('i1 IDLE\r\n');
    expect(await a.line()).toBe('+ idling');
    backend.deliver(user, simpleMessage('unsignalled'));
    expect(await a.line(1_000)).toBe('* 1 EXISTS');
    expect(await a.line(1_000)).toBe('* 1 RECENT');
    a.write('DONE\r\n');
    expect(await a.line()).toBe('i1 OK IDLE terminated');
    a.close();
    await quiet.imap.close();
  });

  it('says BYE to sessions whose selected folder is deleted', async () => {
    const user = uniqueUser();
    backend.addUser(user, 'pw');
    const b = await rawSession(port, user, 'pw');
    await b.cmd('CREATE Doomed');
    const a = await rawSession(port, user, 'pw', 'Doomed');
    expect(tagged(await b.cmd('DELETE Doomed'))).toBe('t3 OK DELETE completed');
    await tick();
    a.write('n1 NOOP\r\n');
    expect(await a.line()).toMatch(/^\* BYE \[UNAVAILABLE\] the selected folder was deleted/);
    await a.waitFor(() => a.closed);
    b.close();
  });
});
