import { DomainError } from '../errors';

/**
 * A domain's limits, checked against its usage counters. Callers hold the
 * domain row's lock (SELECT ... FOR UPDATE) so two concurrent creates cannot
 * both see room for one more.
 */
export interface DomainUsage {
  name: string;
  maxMailboxes: number | null;
  storageBytes: number | null;
  mailboxCount: number;
  allocatedQuotaBytes: number;
}

/** Throws 422 `domain_mailbox_limit_reached` when one more mailbox would exceed maxMailboxes. */
export function assertRoomForMailbox(domain: DomainUsage): void {
  if (domain.maxMailboxes !== null && domain.mailboxCount + 1 > domain.maxMailboxes) {
    throw new DomainError(
      'limit',
      'domain_mailbox_limit_reached',
      `Domain ${domain.name} already has ${domain.mailboxCount} of at most ${domain.maxMailboxes} mailboxes (limit maxMailboxes)`,
      { limit: 'maxMailboxes', max: domain.maxMailboxes, current: domain.mailboxCount },
    );
  }
}

/**
 * Throws 422 `domain_storage_limit_exceeded` when allocating `extraBytes` more
 * quota would take the sum of the domain's mailbox quotas past storageBytes.
 */
export function assertStorageFor(domain: DomainUsage, extraBytes: number): void {
  if (domain.storageBytes === null || extraBytes <= 0) return;
  const wanted = domain.allocatedQuotaBytes + extraBytes;
  if (wanted > domain.storageBytes) {
    throw new DomainError(
      'limit',
      'domain_storage_limit_exceeded',
      `Mailbox quotas on ${domain.name} would total ${wanted} bytes, more than its storageBytes limit of ${domain.storageBytes}`,
      {
        limit: 'storageBytes',
        max: domain.storageBytes,
        current: domain.allocatedQuotaBytes,
        requested: extraBytes,
        available: Math.max(0, domain.storageBytes - domain.allocatedQuotaBytes),
      },
    );
  }
}

/** Lowering a limit below what is already used is refused: the domain would be over its own limit. */
export function assertLimitsCoverUsage(domain: DomainUsage): void {
  if (domain.maxMailboxes !== null && domain.maxMailboxes < domain.mailboxCount) {
    throw new DomainError(
      'limit',
      'domain_limit_below_usage',
      `maxMailboxes ${domain.maxMailboxes} is below the ${domain.mailboxCount} mailboxes the domain has; delete mailboxes first`,
      { limit: 'maxMailboxes', requested: domain.maxMailboxes, current: domain.mailboxCount },
    );
  }
  if (domain.storageBytes !== null && domain.storageBytes < domain.allocatedQuotaBytes) {
    throw new DomainError(
      'limit',
      'domain_limit_below_usage',
      `storageBytes ${domain.storageBytes} is below the ${domain.allocatedQuotaBytes} bytes of quota already given to mailboxes; lower quotas first`,
      { limit: 'storageBytes', requested: domain.storageBytes, current: domain.allocatedQuotaBytes },
    );
  }
}
