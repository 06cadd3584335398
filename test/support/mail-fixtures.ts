import { hash } from '@node-rs/argon2';
import { DataSource } from 'typeorm';
import { Alias, Customer, Domain, Mailbox } from '../../libs/core/src/entities';
import { unique } from './api';

/**
 * Customers, domains, mailboxes and aliases inserted straight through TypeORM
 * (quicker than the API, and able to set what the API never does, such as used bytes; tests about
 * the API's own behaviour use test/support/fixtures.ts). Every name is unique, so
 * test files can run in parallel on the one database.
 */
export interface TestDomain {
  id: string;
  name: string;
  customerId: string;
}

export interface TestMailbox {
  id: string;
  address: string;
  password: string;
  customerId: string;
  domainId: string;
}

export async function makeCustomer(db: DataSource, status: 'active' | 'suspended' = 'active'): Promise<string> {
  const c = db.manager.create(Customer, {
    name: unique('Customer '),
    contactEmail: 'postmaster@customer.example',
    externalRef: null,
    status,
    suspendedReason: status === 'suspended' ? 'test' : null,
    suspendedAt: status === 'suspended' ? new Date() : null,
  });
  await db.manager.save(c);
  return c.id;
}

export async function makeDomain(db: DataSource, customerId?: string): Promise<TestDomain> {
  const owner = customerId ?? (await makeCustomer(db));
  const d = db.manager.create(Domain, {
    customerId: owner,
    name: `${unique('d')}.test`.toLowerCase(),
    maxMailboxes: null,
    storageBytes: null,
    defaultQuotaBytes: 1024 * 1024 * 1024,
    dkimSelector: 'pb1',
    dkimPrivateKey: 'test fixture: no key',
    dkimPublicKey: 'test fixture: no key',
  });
  await db.manager.save(d);
  return { id: d.id, name: d.name, customerId: owner };
}

export async function makeMailbox(
  db: DataSource,
  domain: TestDomain,
  localPart: string,
  opts: { password?: string; quotaBytes?: number; status?: 'active' | 'disabled'; usedBytes?: number } = {},
): Promise<TestMailbox> {
  const password = opts.password ?? `pw-${unique()}`;
  const m = db.manager.create(Mailbox, {
    domainId: domain.id,
    customerId: domain.customerId,
    localPart,
    address: `${localPart.toLowerCase()}@${domain.name}`,
    passwordHash: await hash(password),
    passwordChangedAt: new Date(),
    displayName: null,
    quotaBytes: opts.quotaBytes ?? 100 * 1024 * 1024,
    usedBytes: opts.usedBytes ?? 0,
    messageCount: 0,
    status: opts.status ?? 'active',
  });
  await db.manager.save(m);
  return { id: m.id, address: m.address, password, customerId: domain.customerId, domainId: domain.id };
}

export async function makeAlias(db: DataSource, domain: TestDomain, localPart: string, targets: string[]): Promise<{ id: string; address: string }> {
  const a = db.manager.create(Alias, {
    domainId: domain.id,
    customerId: domain.customerId,
    address: `${localPart.toLowerCase()}@${domain.name}`,
    targets,
  });
  await db.manager.save(a);
  return { id: a.id, address: a.address };
}

/** Tells every mail-server process that something changed, as the API does in its transactions. */
export async function notifyChange(db: DataSource, kind: string, id: string): Promise<void> {
  await db.query(`SELECT pg_notify('postbode_changes', $1)`, [JSON.stringify({ kind, id })]);
}

export interface StoredCopy {
  uid: number;
  folder: string;
  flags: string[];
  size: number;
  raw: string;
  messageIdHeader: string | null;
  subject: string | null;
}

/** What a mailbox holds, oldest first. */
export async function storedMessages(db: DataSource, mailboxId: string, folder = 'INBOX'): Promise<StoredCopy[]> {
  const rows = await db.query(
    `SELECT mm.uid, f.name AS folder, mm.flags, mm.size, m.raw, m.message_id_header, m.subject
       FROM mailbox_messages mm JOIN folders f ON f.id = mm.folder_id JOIN messages m ON m.id = mm.message_id
      WHERE mm.mailbox_id = $1 AND f.name = $2 ORDER BY mm.uid`,
    [mailboxId, folder],
  );
  return rows.map((r: Record<string, unknown>) => ({
    uid: Number(r.uid),
    folder: r.folder as string,
    flags: r.flags as string[],
    size: r.size as number,
    raw: (r.raw as Buffer).toString('latin1'),
    messageIdHeader: r.message_id_header as string | null,
    subject: r.subject as string | null,
  }));
}
