import { describe, expect, it } from 'vitest';
import { AccountDirectory, AliasRecord, MailboxAccount } from './account-directory';
import { resolveRecipient } from './resolve-recipient';

/** The resolution rules over a fixed set of accounts (the SQL side is covered by the SMTP e2e tests). */
function directory(): AccountDirectory {
  const mailbox = (local: string, extra: Partial<MailboxAccount> = {}): MailboxAccount => ({
    id: `id-${local}`,
    address: `${local}@hosted.example`,
    status: 'active',
    customerId: 'c',
    domainId: 'd',
    quotaBytes: 1000,
    passwordHash: '',
    ...extra,
  });
  const mailboxes = [mailbox('ann'), mailbox('bob'), mailbox('off', { status: 'disabled' }), mailbox('full')];
  const aliases: AliasRecord[] = [
    { id: 'a1', address: 'team@hosted.example', targets: ['ann@hosted.example', 'crew@hosted.example', 'ext@remote.example'], customerId: 'c' },
    { id: 'a2', address: 'crew@hosted.example', targets: ['bob@hosted.example', 'team@hosted.example', 'off@hosted.example'], customerId: 'c' },
    { id: 'a3', address: 'dead@hosted.example', targets: ['off@hosted.example', 'ghost@hosted.example'], customerId: 'c' },
    { id: 'a4', address: '*@other.example', targets: ['ann@hosted.example'], customerId: 'c' },
  ];
  return {
    findDomain: async (name) => (['hosted.example', 'other.example'].includes(name) ? { id: name, name, customerId: 'c' } : null),
    findMailbox: async (a) => mailboxes.find((m) => m.address === a) ?? null,
    findAlias: async (a) => aliases.find((x) => x.address === a) ?? null,
    customerStatus: async () => 'active',
    aliasesOf: async () => [],
    mailboxUsage: async (id) => ({ usedBytes: id === 'id-full' ? 1000 : 10, quotaBytes: 1000 }),
  };
}

describe('resolveRecipient', () => {
  it('finds mailboxes case-insensitively and by +subaddress', async () => {
    expect(await resolveRecipient(directory(), 'ANN@Hosted.Example.')).toMatchObject({ kind: 'local', via: 'mailbox', mailboxIds: ['id-ann'] });
    expect(await resolveRecipient(directory(), 'ann+lists@hosted.example')).toMatchObject({ kind: 'local', via: 'subaddress', mailboxIds: ['id-ann'] });
  });

  it('follows alias chains through a loop, skips disabled members, collects external targets', async () => {
    const r = await resolveRecipient(directory(), 'team@hosted.example');
    expect(r).toMatchObject({ kind: 'local', via: 'alias', external: ['ext@remote.example'] });
    expect(r.kind === 'local' && r.mailboxIds.sort()).toEqual(['id-ann', 'id-bob']);
  });

  it('refuses an alias with nothing deliverable behind it', async () => {
    expect(await resolveRecipient(directory(), 'dead@hosted.example')).toMatchObject({ kind: 'refused', refusal: { code: 550, enhancedCode: '5.2.1' } });
  });

  it('uses the catch-all only when nothing else matches', async () => {
    expect(await resolveRecipient(directory(), 'anything@other.example')).toMatchObject({ kind: 'local', via: 'catch-all', mailboxIds: ['id-ann'] });
    expect(await resolveRecipient(directory(), 'nobody@hosted.example')).toMatchObject({ kind: 'refused', refusal: { code: 550, enhancedCode: '5.1.1' } });
  });

  it('refuses disabled and full mailboxes, and a declared size that does not fit', async () => {
    expect(await resolveRecipient(directory(), 'off@hosted.example')).toMatchObject({ refusal: { code: 550, enhancedCode: '5.2.1' } });
    expect(await resolveRecipient(directory(), 'full@hosted.example')).toMatchObject({ refusal: { code: 552, enhancedCode: '5.2.2' } });
    expect(await resolveRecipient(directory(), 'bob@hosted.example', { declaredSize: 991 })).toMatchObject({ refusal: { code: 552, enhancedCode: '5.2.2' } });
    expect(await resolveRecipient(directory(), 'bob@hosted.example', { declaredSize: 990 })).toMatchObject({ kind: 'local' });
  });

  it('calls everything else remote, address literals included', async () => {
    expect(await resolveRecipient(directory(), 'x@Remote.Example.')).toEqual({ kind: 'remote', address: 'x@remote.example', domain: 'remote.example' });
    expect(await resolveRecipient(directory(), 'x@[192.0.2.1]')).toMatchObject({ kind: 'remote', domain: null });
    expect(await resolveRecipient(directory(), 'not an address')).toMatchObject({ kind: 'refused', refusal: { code: 501 } });
  });
});
