import { describe, expect, it } from 'vitest';
import { AddressDirectory, DirectoryAlias, DirectoryMailbox, expandAddress, matchAddress, withAlias } from './resolve';

/** A directory held in memory: the resolution rules, without a database. */
function directory(spec: { domains: string[]; mailboxes?: string[]; aliases?: Record<string, string[]> }): AddressDirectory & { lookups: number } {
  const mailboxes = new Map<string, DirectoryMailbox>(
    (spec.mailboxes ?? []).map((address, i) => [
      address,
      { id: `m${i}`, address, domainId: 'd', customerId: 'c', status: 'active', quotaBytes: 100, usedBytes: 0 },
    ]),
  );
  const aliases = new Map<string, DirectoryAlias>(
    Object.entries(spec.aliases ?? {}).map(([address, targets], i) => [address, { id: `a${i}`, address, domainId: 'd', customerId: 'c', targets }]),
  );
  const dir = {
    lookups: 0,
    isHostedDomain: async (d: string) => spec.domains.includes(d),
    findMailbox: async (a: string) => {
      dir.lookups++;
      return mailboxes.get(a) ?? null;
    },
    findAlias: async (a: string) => {
      dir.lookups++;
      return aliases.get(a) ?? null;
    },
  };
  return dir;
}

describe('matchAddress', () => {
  const dir = directory({
    domains: ['hosted.example', 'xn--bcher-kva.example'],
    mailboxes: ['anna@hosted.example', 'jan@xn--bcher-kva.example'],
    aliases: { 'sales@hosted.example': ['anna@hosted.example'], '*@xn--bcher-kva.example': ['jan@xn--bcher-kva.example'] },
  });

  it('finds a mailbox before an alias before the catch-all, case-insensitively', async () => {
    expect(await matchAddress(dir, 'Anna@Hosted.Example')).toMatchObject({ kind: 'mailbox', mailbox: { address: 'anna@hosted.example' } });
    expect(await matchAddress(dir, 'SALES@hosted.example.')).toMatchObject({ kind: 'alias', alias: { address: 'sales@hosted.example' } });
    expect(await matchAddress(dir, 'whoever@bücher.example')).toMatchObject({ kind: 'catch_all', address: 'whoever@xn--bcher-kva.example' });
    expect(await matchAddress(dir, 'jan@BÜCHER.example')).toMatchObject({ kind: 'mailbox' });
  });

  it('resolves a subaddress to its base, and tells unknown, external and malformed apart', async () => {
    expect(await matchAddress(dir, 'anna+news@hosted.example')).toMatchObject({ kind: 'mailbox', address: 'anna+news@hosted.example', mailbox: { address: 'anna@hosted.example' } });
    expect(await matchAddress(dir, 'sales+q3@hosted.example')).toMatchObject({ kind: 'alias', alias: { address: 'sales@hosted.example' } });
    expect(await matchAddress(dir, 'nobody@hosted.example')).toEqual({ kind: 'unknown', address: 'nobody@hosted.example' });
    expect(await matchAddress(dir, 'Someone@Elsewhere.example')).toEqual({ kind: 'external', address: 'someone@elsewhere.example' });
    expect((await matchAddress(dir, 'not an address')).kind).toBe('invalid');
  });
});

describe('expandAddress', () => {
  it('follows aliases to mailboxes and external addresses, each once', async () => {
    const dir = directory({
      domains: ['d.example'],
      mailboxes: ['a@d.example', 'b@d.example'],
      aliases: {
        'team@d.example': ['dev@d.example', 'ops@d.example', 'a@d.example'],
        'dev@d.example': ['a@d.example', 'b@d.example'],
        'ops@d.example': ['b@d.example', 'Pager@Vendor.example'],
      },
    });
    const x = await expandAddress(dir, 'team@d.example');
    expect(x.mailboxes.map((m) => m.address).sort()).toEqual(['a@d.example', 'b@d.example']);
    expect(x.external).toEqual(['pager@vendor.example']);
    expect(x.loop).toBeNull();
    expect(x.unknown).toEqual([]);
  });

  it('expands a shared alias once: a diamond is not a loop', async () => {
    const dir = directory({
      domains: ['d.example'],
      mailboxes: ['m@d.example'],
      aliases: { 'top@d.example': ['l@d.example', 'r@d.example'], 'l@d.example': ['x@d.example'], 'r@d.example': ['x@d.example'], 'x@d.example': ['m@d.example'] },
    });
    const x = await expandAddress(dir, 'top@d.example');
    expect(x.loop).toBeNull();
    expect(x.mailboxes.map((m) => m.id)).toEqual(['m0']);
  });

  it('reports a direct loop, a 3-hop loop and a loop through a catch-all with its chain', async () => {
    const direct = directory({ domains: ['d.example'], aliases: { 'a@d.example': ['b@d.example'], 'b@d.example': ['a@d.example'] } });
    expect((await expandAddress(direct, 'a@d.example')).loop).toEqual(['a@d.example', 'b@d.example', 'a@d.example']);

    const self = directory({ domains: ['d.example'], aliases: { 'a@d.example': ['a@d.example'] } });
    expect((await expandAddress(self, 'a@d.example')).loop).toEqual(['a@d.example', 'a@d.example']);

    const threeHop = directory({
      domains: ['d.example', 'e.example'],
      aliases: { 'a@d.example': ['b@e.example'], 'b@e.example': ['c@d.example'], 'c@d.example': ['a@d.example'] },
    });
    expect((await expandAddress(threeHop, 'p@d.example')).loop).toBeNull(); // p is unknown, no catch-all
    expect((await expandAddress(threeHop, 'b@e.example')).loop).toEqual(['b@e.example', 'c@d.example', 'a@d.example', 'b@e.example']);

    // *@d forwards to ghost@d, which has no mailbox and so falls back to *@d again
    const viaCatchAll = directory({ domains: ['d.example'], aliases: { '*@d.example': ['ghost@d.example'] } });
    expect((await expandAddress(viaCatchAll, 'anyone@d.example')).loop).toEqual(['*@d.example', 'ghost@d.example', '*@d.example']);
  });

  it('sees a loop that a new or changed alias would close (withAlias)', async () => {
    const dir = directory({ domains: ['d.example'], mailboxes: ['m@d.example'], aliases: { 'a@d.example': ['b@d.example'], 'b@d.example': ['m@d.example'] } });
    expect((await expandAddress(dir, 'a@d.example')).loop).toBeNull();
    const changed = withAlias(dir, { id: 'b', address: 'b@d.example', domainId: 'd', customerId: 'c', targets: ['a@d.example'] });
    expect((await expandAddress(changed, 'b@d.example')).loop).toEqual(['b@d.example', 'a@d.example', 'b@d.example']);
  });

  it('lists targets that no longer resolve, and stops at the depth and fan-out limits', async () => {
    const dangling = directory({ domains: ['d.example'], aliases: { 'a@d.example': ['gone@d.example', 'x@far.example'] } });
    const x = await expandAddress(dangling, 'a@d.example');
    expect(x.unknown).toEqual(['gone@d.example']);
    expect(x.external).toEqual(['x@far.example']);

    const chain: Record<string, string[]> = {};
    for (let i = 0; i < 30; i++) chain[`h${i}@d.example`] = [`h${i + 1}@d.example`];
    const deep = await expandAddress(directory({ domains: ['d.example'], mailboxes: ['h30@d.example'], aliases: chain }), 'h0@d.example', { maxDepth: 10 });
    expect(deep.truncated).toBe('depth');
    expect(deep.mailboxes).toEqual([]);

    const wide = await expandAddress(directory({ domains: ['d.example'], aliases: { 'all@d.example': Array.from({ length: 50 }, (_, i) => `u${i}@x.example`) } }), 'all@d.example', { maxRecipients: 10 });
    expect(wide.truncated).toBe('recipients');
    expect(wide.external).toHaveLength(10);
  });
});
