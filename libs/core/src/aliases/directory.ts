import { DataSource, EntityManager } from 'typeorm';
import { Alias } from '../entities/alias.entity';
import { Domain } from '../entities/domain.entity';
import { Mailbox } from '../entities/mailbox.entity';
import { AddressDirectory, cachingDirectory, DirectoryAlias, DirectoryMailbox } from './resolve';

/**
 * The address directory on the database: each question is one lookup on a
 * unique index (domains.name, mailboxes.address, aliases.address), and each
 * answer is remembered for the life of this directory (one request, one
 * SMTP transaction), so pass a fresh one when the data may have changed.
 */
export function databaseDirectory(db: DataSource | EntityManager): AddressDirectory {
  return cachingDirectory(liveDatabaseDirectory(db));
}

/**
 * The same lookups without memory: for a long-lived caller that keeps its own
 * cache and drops it on change notices (the mail server's AccountCache).
 */
export function liveDatabaseDirectory(db: DataSource | EntityManager): AddressDirectory {
  return {
    isHostedDomain: (name) => db.getRepository(Domain).exists({ where: { name } }),
    findMailbox: async (address): Promise<DirectoryMailbox | null> =>
      db.getRepository(Mailbox).findOne({
        where: { address },
        select: { id: true, address: true, domainId: true, customerId: true, status: true, quotaBytes: true, usedBytes: true },
      }),
    findAlias: async (address): Promise<DirectoryAlias | null> =>
      db.getRepository(Alias).findOne({
        where: { address },
        select: { id: true, address: true, domainId: true, customerId: true, targets: true },
      }),
  };
}
