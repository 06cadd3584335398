import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSession, startTestImap, tagged, uniqueUser } from '../../../../test/support/imap';
import { simpleMessage } from '../../../../test/support/imap-messages';
import { MemoryImapBackend } from './imap-memory-backend';
import type { ImapListeners } from './imap-server';

/** Folder commands: LIST, LSUB, CREATE, DELETE, RENAME, SUBSCRIBE, STATUS, NAMESPACE, QUOTA, ID, ENABLE. */
describe('IMAP folders', () => {
  const backend = new MemoryImapBackend();
  let imap: ImapListeners;
  let port: number;
  beforeAll(async () => {
    ({ imap, port } = await startTestImap(backend));
  });
  afterAll(async () => imap?.close());

  const session = async (quota: number | null = null) => {
    const user = uniqueUser();
    backend.addUser(user, 'pw', quota);
    return { user, c: await rawSession(port, user, 'pw') };
  };

  it('lists the default folders with SPECIAL-USE and CHILDREN attributes, INBOX first', async () => {
    const { c } = await session();
    expect(await c.cmd('LIST "" "*"')).toEqual([
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
      't2 OK LIST completed',
    ]);
    expect(await c.cmd('LIST "" ""')).toEqual(['* LIST (\\Noselect) "/" ""', 't3 OK LIST completed']);
    expect((await c.cmd('LIST (SPECIAL-USE) "" "*"')).length).toBe(5);
    expect(await c.cmd('LIST "" "Tr%" RETURN (SUBSCRIBED)')).toEqual(['* LIST (\\HasNoChildren \\Trash \\Subscribed) "/" "Trash"', 't5 OK LIST completed']);
    expect(await c.cmd('NAMESPACE')).toEqual(['* NAMESPACE (("" "/")) NIL NIL', 't6 OK NAMESPACE completed']);
    c.close();
  });

  it('creates nested folders (parents too) with modified UTF-7 names, refuses duplicates', async () => {
    const { user, c } = await session();
    expect(tagged(await c.cmd('CREATE "Projekte/Entw&APw-rfe/2024"'))).toBe('t2 OK CREATE completed');
    expect(backend.folderNames(user)).toEqual(expect.arrayContaining(['Projekte', 'Projekte/Entwürfe', 'Projekte/Entwürfe/2024']));
    expect(await c.cmd('LIST "" "Projekte/*"')).toEqual([
      '* LIST (\\HasChildren) "/" "Projekte/Entw&APw-rfe"',
      '* LIST (\\HasNoChildren) "/" "Projekte/Entw&APw-rfe/2024"',
      't3 OK LIST completed',
    ]);
    expect(await c.cmd('LIST "" "%"')).toContain('* LIST (\\HasChildren) "/" "Projekte"');
    expect(tagged(await c.cmd('CREATE projekte/Entw&APw-rfe'))).toMatch(/^t5 OK/); // names are case-sensitive except INBOX
    expect(tagged(await c.cmd('CREATE Projekte'))).toBe('t6 NO [ALREADYEXISTS] a folder of that name exists');
    expect(tagged(await c.cmd('CREATE inbox'))).toBe('t7 NO [ALREADYEXISTS] INBOX always exists');
    expect(tagged(await c.cmd('CREATE "bad&name"'))).toBe('t8 BAD invalid mailbox name');
    expect(await c.cmd('CREATE {9}\r\nLiteral/X')).toEqual(['+ Ready for literal data', 't9 OK CREATE completed']);
    expect(backend.folderNames(user)).toContain('Literal/X');
    c.close();
  });

  it('deletes folders (not INBOX, not one with children) and gives a re-made folder a new UIDVALIDITY', async () => {
    const { c } = await session();
    await c.cmd('CREATE Old/Child');
    expect(tagged(await c.cmd('DELETE Old'))).toBe('t3 NO [HASCHILDREN] delete the subfolders first');
    expect(tagged(await c.cmd('DELETE INBOX'))).toBe('t4 NO [CANNOT] INBOX cannot be deleted');
    expect(tagged(await c.cmd('DELETE Nope'))).toBe('t5 NO [NONEXISTENT] no such folder');
    const before = await c.cmd('STATUS Old/Child (UIDVALIDITY)');
    expect(tagged(await c.cmd('DELETE Old/Child'))).toBe('t7 OK DELETE completed');
    await c.cmd('CREATE Old/Child');
    const after = await c.cmd('STATUS Old/Child (UIDVALIDITY)');
    const v = (lines: string[]) => Number(/UIDVALIDITY (\d+)/.exec(lines[0])![1]);
    expect(v(after)).toBeGreaterThan(v(before));
    c.close();
  });

  it('renames a folder with its children, and INBOX by moving its messages', async () => {
    const { user, c } = await session();
    backend.deliver(user, simpleMessage('in inbox'));
    await c.cmd('CREATE A/B');
    expect(tagged(await c.cmd('RENAME A Z/A'))).toBe('t3 OK RENAME completed');
    expect(backend.folderNames(user)).toEqual(expect.arrayContaining(['Z', 'Z/A', 'Z/A/B']));
    expect(backend.folderNames(user)).not.toContain('A');
    expect(tagged(await c.cmd('RENAME Z/A Sent'))).toBe('t4 NO [ALREADYEXISTS] a folder of that name exists');
    expect(tagged(await c.cmd('RENAME Missing X'))).toBe('t5 NO [NONEXISTENT] no such folder');
    expect(tagged(await c.cmd('RENAME Z Z/Y'))).toMatch(/^t6 NO \[CANNOT\]/);
    expect(tagged(await c.cmd('RENAME INBOX "Old mail"'))).toBe('t7 OK RENAME completed');
    expect(backend.messagesOf(user, 'INBOX')).toHaveLength(0);
    expect(backend.messagesOf(user, 'Old mail')).toHaveLength(1);
    c.close();
  });

  it('subscribes and unsubscribes; LSUB and LIST (SUBSCRIBED) show only subscribed folders', async () => {
    const { c } = await session();
    expect(tagged(await c.cmd('UNSUBSCRIBE Junk'))).toBe('t2 OK UNSUBSCRIBE completed');
    const lsub = await c.cmd('LSUB "" "*"');
    expect(lsub.map((l) => l.split('"/" ')[1]).filter(Boolean)).toEqual(['"INBOX"', '"Drafts"', '"Sent"', '"Trash"']);
    expect(lsub[0]).toMatch(/^\* LSUB /);
    expect((await c.cmd('LIST (SUBSCRIBED) "" "*"')).some((l) => l.includes('Junk'))).toBe(false);
    expect(tagged(await c.cmd('SUBSCRIBE Junk'))).toBe('t5 OK SUBSCRIBE completed');
    expect((await c.cmd('LSUB "" "J*"'))[0]).toContain('"Junk"');
    expect(tagged(await c.cmd('SUBSCRIBE Nope'))).toMatch(/^t7 NO \[NONEXISTENT\]/);
    c.close();
  });

  it('answers STATUS from the store', async () => {
    const { user, c } = await session();
    backend.deliver(user, simpleMessage('a'), { flags: ['\\Seen'] });
    backend.deliver(user, simpleMessage('b'));
    const size = simpleMessage('a').length + simpleMessage('b').length;
    const [line, done] = await c.cmd('STATUS INBOX (MESSAGES UNSEEN UIDNEXT RECENT SIZE UIDVALIDITY)');
    expect(line).toMatch(new RegExp(`^\\* STATUS "INBOX" \\(MESSAGES 2 UNSEEN 1 UIDNEXT 3 RECENT 2 SIZE ${size} UIDVALIDITY \\d+\\)$`));
    expect(done).toBe('t2 OK STATUS completed');
    expect(tagged(await c.cmd('STATUS INBOX (BOGUS)'))).toMatch(/^t3 BAD/);
    expect(tagged(await c.cmd('STATUS Nope (MESSAGES)'))).toMatch(/^t4 NO \[NONEXISTENT\]/);
    c.close();
  });

  it('reports the mailbox quota (RFC 9208) and refuses SETQUOTA', async () => {
    const { user, c } = await session(10 * 1024 * 1024);
    backend.deliver(user, Buffer.alloc(5000, 'a'));
    expect(await c.cmd('GETQUOTAROOT INBOX')).toEqual(['* QUOTAROOT "INBOX" ""', '* QUOTA "" (STORAGE 5 10240)', 't2 OK GETQUOTAROOT completed']);
    expect(await c.cmd('GETQUOTA ""')).toEqual(['* QUOTA "" (STORAGE 5 10240)', 't3 OK GETQUOTA completed']);
    expect(tagged(await c.cmd('GETQUOTA "other"'))).toMatch(/^t4 NO \[NONEXISTENT\]/);
    expect(tagged(await c.cmd('SETQUOTA "" (STORAGE 1)'))).toMatch(/^t5 NO \[NOPERM\]/);
    c.close();
  });

  it('answers ID and ENABLE', async () => {
    const { c } = await session();
    expect(await c.cmd('ID ("name" "test client" "version" "1.0")')).toEqual(['* ID ("name" "Postbode" "vendor" "Postbode")', 't2 OK ID completed']);
    expect(await c.cmd('ID NIL')).toHaveLength(2);
    expect(await c.cmd('ENABLE CONDSTORE')).toEqual(['* ENABLED', 't4 OK ENABLE completed']);
    c.close();
  });
});
