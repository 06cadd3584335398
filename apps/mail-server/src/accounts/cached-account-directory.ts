import { CustomerStatus } from '../../../../libs/core/src/entities/customer.entity';
import {
  AccountDirectory,
  AliasRecord,
  HostedDomain,
  MailboxAccount,
  MailboxUsage,
} from '../../../../libs/core/src/mail-accounts/account-directory';
import { ChangeNotice } from './change-listener';

/**
 * Remembers account lookups (hosted domains, mailboxes with their password
 * hash and status, aliases, customer status) so a busy MX does not ask
 * PostgreSQL the same question for every RCPT. Correctness comes from
 * LISTEN/NOTIFY, not from the TTL:
 * - `customer` notices drop that customer's status;
 * - any other notice (mailbox, alias, domain, agreement, unknown) drops the
 *   whole address cache, because a *new* mailbox or alias invalidates cached
 *   "no such user" answers that no id points to;
 * - while the LISTEN connection is down nothing is served from the cache.
 * The TTL only bounds how stale an entry could get if a notice were lost.
 * Mailbox usage (quota) is never cached.
 */
export class CachedAccountDirectory implements AccountDirectory {
  private readonly entries = new Map<string, { value: unknown; expires: number }>();
  /** Bumped by every notice; a lookup that straddles one is not cached. */
  private generation = 0;

  constructor(
    private readonly inner: AccountDirectory,
    private readonly isLive: () => boolean,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 100_000,
  ) {}

  onChange(notice: ChangeNotice): void {
    this.generation++;
    if (notice.kind === 'customer' && notice.id) {
      this.entries.delete(`customer:${notice.id}`);
      return;
    }
    this.entries.clear();
  }

  findDomain(name: string): Promise<HostedDomain | null> {
    return this.cached(`domain:${name}`, () => this.inner.findDomain(name));
  }

  findMailbox(address: string): Promise<MailboxAccount | null> {
    return this.cached(`mailbox:${address}`, () => this.inner.findMailbox(address));
  }

  findAlias(address: string): Promise<AliasRecord | null> {
    return this.cached(`alias:${address}`, () => this.inner.findAlias(address));
  }

  customerStatus(customerId: string): Promise<CustomerStatus | null> {
    return this.cached(`customer:${customerId}`, () => this.inner.customerStatus(customerId));
  }

  aliasesOf(mailboxAddress: string): Promise<string[]> {
    return this.cached(`aliases-of:${mailboxAddress}`, () => this.inner.aliasesOf(mailboxAddress));
  }

  mailboxUsage(mailboxId: string): Promise<MailboxUsage | null> {
    return this.inner.mailboxUsage(mailboxId);
  }

  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.isLive()) return load();
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && hit.expires > now) return hit.value as T;
    // A notice that arrives while we load must win over what we load, or a
    // stale row could be cached after the drop: remember the generation.
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation && this.isLive()) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, { value, expires: now + this.ttlMs });
    }
    return value;
  }
}
