import { describe, expect, it } from 'vitest';
import { planLocalDelivery } from './local-delivery';
import { AddressDirectory, DirectoryAlias, DirectoryMailbox } from './resolve';

/** The delivery rules over a fixed set of accounts (the SQL side is covered by the SMTP e2e tests). */
function directory(): AddressDirectory {
  const mailbox = (local: string, extra: Partial<DirectoryMailbox> = {}): DirectoryMailbox => ({
    id: `id-${local}`,
    address: `${local}@hosted.example`,
    status: 'active',
    customerId: 'c',
    domainId: 'd',
    quotaBytes: 1000,
    usedBytes: 10,
    ...extra,
  });
  const mailboxes = [mailbox('ann'), mailbox('bob'), mailbox('off', { status: 'disabled' }), mailbox('full', { usedBytes: 1000 })];
  const alias = (address: string, targets: string[]): DirectoryAlias => ({ id: address, address, targets, customerId: 'c', domainId: 'd' });
  const aliases = [
    alias('team@hosted.example', ['ann@hosted.example', 'crew@hosted.example', 'ext@remote.example']),
    alias('crew@hosted.example', ['bob@hosted.example', 'team@hosted.example', 'off@hosted.example']),
    alias('dead@hosted.example', ['off@hosted.example']),
    alias('ghosts@hosted.example', ['ghost@hosted.example']),
    alias('*@other.example', ['ann@hosted.example']),
  ];
  return {
    isHostedDomain: async (name) => ['hosted.example', 'other.example'].includes(name),
    findMailbox: async (a) => mailboxes.find((m) => m.address === a) ?? null,
    findAlias: async (a) => aliases.find((x) => x.address === a) ?? null,
  };
}

describe('planLocalDelivery', () => {
  it('finds mailboxes case-insensitively and by +subaddress', async () => {
    expect(await planLocalDelivery(directory(), 'ANN@Hosted.Example.')).toMatchObject({ state: 'deliverable', mailboxIds: ['id-ann'] });
    expect(await planLocalDelivery(directory(), 'ann+lists@hosted.example')).toMatchObject({ state: 'deliverable', mailboxIds: ['id-ann'] });
  });

  it('follows alias chains through a loop (reported), skips disabled members, collects external targets', async () => {
    const r = await planLocalDelivery(directory(), 'team@hosted.example');
    expect(r).toMatchObject({ state: 'deliverable', external: ['ext@remote.example'] });
    expect(r.state === 'deliverable' && [...r.mailboxIds].sort()).toEqual(['id-ann', 'id-bob']);
    expect(r.state === 'deliverable' && r.loop).toEqual(['team@hosted.example', 'crew@hosted.example', 'team@hosted.example']);
  });

  it('refuses an alias with nothing deliverable behind it', async () => {
    expect(await planLocalDelivery(directory(), 'dead@hosted.example')).toEqual({ state: 'disabled' });
    expect(await planLocalDelivery(directory(), 'ghosts@hosted.example')).toEqual({ state: 'unknown' });
  });

  it('uses the catch-all only when nothing else matches', async () => {
    expect(await planLocalDelivery(directory(), 'anything@other.example')).toMatchObject({ state: 'deliverable', mailboxIds: ['id-ann'] });
    expect(await planLocalDelivery(directory(), 'nobody@hosted.example')).toEqual({ state: 'unknown' });
  });

  it('refuses disabled and full mailboxes, and a declared size that does not fit', async () => {
    expect(await planLocalDelivery(directory(), 'off@hosted.example')).toEqual({ state: 'disabled' });
    expect(await planLocalDelivery(directory(), 'full@hosted.example')).toEqual({ state: 'over_quota' });
    expect(await planLocalDelivery(directory(), 'bob@hosted.example', { declaredSize: 991 })).toEqual({ state: 'over_quota' });
    expect(await planLocalDelivery(directory(), 'bob@hosted.example', { declaredSize: 990 })).toMatchObject({ state: 'deliverable' });
  });

  it('takes used bytes from the fresh reader when given one, not from the (cached) directory', async () => {
    const fresh = async () => ({ usedBytes: 1000, quotaBytes: 1000 });
    expect(await planLocalDelivery(directory(), 'bob@hosted.example', { mailboxUsage: fresh })).toEqual({ state: 'over_quota' });
  });
});
