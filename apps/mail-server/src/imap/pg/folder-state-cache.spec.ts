import { describe, expect, it } from 'vitest';
import type { MessageState } from '../imap-backend';
import type { FolderRow } from './folder-state';
import { columns, FolderStateCache, materialise, merge } from './folder-state-cache';

const state = (uid: number, modseq: number, flags: string[] = []): MessageState => ({ uid, modseq, flags, internalDate: new Date(Date.UTC(2026, 0, uid)), size: 1000 + uid });

const row = (highestModseq: number, messages: MessageState[], expunged: number[] = []): FolderRow => ({
  info: { id: 'f1', name: 'INBOX', specialUse: null, subscribed: true },
  uidValidity: 7,
  uidNext: 100,
  highestModseq,
  recentFromUid: 1,
  messages,
  expunged,
});

describe('folder state merge', () => {
  it('gives back what was read when nothing changed', () => {
    const full = row(5, [state(1, 1), state(2, 2, ['\\Seen']), state(4, 5)]);
    const kept = columns(full);
    expect(materialise(merge(kept, row(5, [])))).toEqual(full);
  });

  it('drops removed UIDs, takes new flags and MODSEQs, and puts new messages in UID order', () => {
    const kept = columns(row(5, [state(1, 1), state(2, 2), state(3, 3), state(4, 5)]));
    const changes = row(9, [state(2, 7, ['\\Flagged']), state(6, 8), state(7, 9, ['$Todo'])], [3, 5]);
    const now = materialise(merge(kept, changes));
    expect(now.highestModseq).toBe(9);
    expect(now.messages).toEqual([state(1, 1), state(2, 7, ['\\Flagged']), state(4, 5), state(6, 8), state(7, 9, ['$Todo'])]);
  });

  it('handles an emptied folder and one filled from empty', () => {
    const kept = columns(row(3, [state(1, 1), state(2, 2)]));
    const emptied = merge(kept, row(6, [], [1, 2]));
    expect(materialise(emptied).messages).toEqual([]);
    expect(materialise(merge(emptied, row(8, [state(3, 7), state(4, 8)]))).messages).toEqual([state(3, 7), state(4, 8)]);
  });

  it('hands each reader its own message objects', () => {
    const kept = columns(row(2, [state(1, 1), state(2, 2)]));
    const a = materialise(kept);
    const b = materialise(kept);
    (a.messages[0] as MessageState & { recent?: boolean }).recent = true;
    expect(b.messages[0]).not.toHaveProperty('recent');
  });
});

/** A stand-in for the database: folders by mailbox, answering readFolderState's statement, and a log of what was asked. */
function fakeDatabase() {
  const folders = new Map<string, { id: string; name: string; highestModseq: number; messages: MessageState[]; expunged: { uid: number; modseq: number }[] }>();
  const asked: { by: 'name' | 'id'; since: number }[] = [];
  const manager = {
    query: async (sql: string, [mailboxId, key, since]: [string, string, number]) => {
      const byName = sql.includes('f.name = $2');
      asked.push({ by: byName ? 'name' : 'id', since });
      const f = [...folders.entries()].find(([k, v]) => k.startsWith(mailboxId) && (byName ? v.name === key : v.id === key))?.[1];
      if (!f) return [];
      const changed = f.messages.filter((m) => m.modseq > since);
      const records = Buffer.alloc(changed.length * 28);
      changed.forEach((m, i) => {
        records.writeBigInt64BE(BigInt(m.uid), i * 28);
        records.writeBigInt64BE(BigInt(m.modseq), i * 28 + 8);
        records.writeInt32BE(m.size, i * 28 + 16);
        records.writeBigInt64BE(BigInt(m.internalDate.getTime() - 946_684_800_000) * 1000n, i * 28 + 20);
      });
      const expunged = f.expunged.filter((e) => e.modseq > since).map((e) => e.uid);
      return [
        {
          id: f.id,
          name: f.name,
          special_use: null,
          subscribed: true,
          uid_validity: '7',
          uid_next: '100',
          highest_modseq: String(f.highestModseq),
          recent_from_uid: '1',
          records: changed.length ? records : null,
          flags: changed.length ? changed.map((m) => m.flags.join(' ')).join('\n') : null,
          expunged: expunged.length ? expunged.join(',') : null,
        },
      ];
    },
  };
  return { folders, asked, manager: manager as never };
}

describe('FolderStateCache', () => {
  it('reads a folder in full once, then only what changed, and the result is what a full read gives', async () => {
    const db = fakeDatabase();
    const inbox = { id: 'f1', name: 'INBOX', highestModseq: 3, messages: [state(1, 1), state(2, 2), state(3, 3)], expunged: [] as { uid: number; modseq: number }[] };
    db.folders.set('mb1/INBOX', inbox);
    const cache = new FolderStateCache();
    expect((await cache.read(db.manager, 'mb1', 'INBOX'))!.messages.map((m) => m.uid)).toEqual([1, 2, 3]);
    inbox.messages = [state(1, 1), state(3, 5, ['\\Seen']), state(4, 6)];
    inbox.expunged.push({ uid: 2, modseq: 4 });
    inbox.highestModseq = 6;
    const again = await cache.read(db.manager, 'mb1', 'INBOX');
    expect(db.asked).toEqual([
      { by: 'name', since: 0 },
      { by: 'id', since: 3 },
    ]);
    expect(again!.messages).toEqual(inbox.messages);
    expect(again!.highestModseq).toBe(6);
  });

  it('reads in full when the kept folder was renamed or deleted', async () => {
    const db = fakeDatabase();
    db.folders.set('mb1/A', { id: 'fa', name: 'A', highestModseq: 1, messages: [state(1, 1)], expunged: [] });
    const cache = new FolderStateCache();
    await cache.read(db.manager, 'mb1', 'A');
    db.folders.get('mb1/A')!.name = 'B'; // renamed; a new A made in its place
    db.folders.set('mb1/A2', { id: 'fa2', name: 'A', highestModseq: 1, messages: [state(5, 1)], expunged: [] });
    expect((await cache.read(db.manager, 'mb1', 'A'))!.messages.map((m) => m.uid)).toEqual([5]);
    expect(db.asked.map((a) => a.by)).toEqual(['name', 'id', 'name']);
    db.folders.delete('mb1/A2');
    expect(await cache.read(db.manager, 'mb1', 'A')).toBeNull();
  });

  it('keeps at most its budget of messages, dropping the least recently read folders', async () => {
    const db = fakeDatabase();
    for (const name of ['A', 'B', 'C']) db.folders.set(`mb1/${name}`, { id: `f${name}`, name, highestModseq: 2, messages: [state(1, 1), state(2, 2)], expunged: [] });
    db.folders.set('mb1/Big', { id: 'fBig', name: 'Big', highestModseq: 5, messages: [1, 2, 3, 4, 5].map((u) => state(u, u)), expunged: [] });
    const cache = new FolderStateCache(4);
    await cache.read(db.manager, 'mb1', 'A');
    await cache.read(db.manager, 'mb1', 'B');
    await cache.read(db.manager, 'mb1', 'C'); // A goes
    expect(cache.size).toBe(4);
    await cache.read(db.manager, 'mb1', 'Big'); // over the budget on its own: not kept
    expect(cache.size).toBe(4);
    db.asked.length = 0;
    await cache.read(db.manager, 'mb1', 'A');
    await cache.read(db.manager, 'mb1', 'C');
    expect(db.asked).toEqual([
      { by: 'name', since: 0 },
      { by: 'id', since: 2 },
    ]);
  });
});
