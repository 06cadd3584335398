import { DataSource } from 'typeorm';
import { liveDatabaseDirectory } from '../../../../libs/core/src/aliases/directory';
import { AddressDirectory, DirectoryAlias, DirectoryMailbox } from '../../../../libs/core/src/aliases/resolve';
import { ipInNetworks } from '../../../../libs/core/src/relay/client-networks';
import { MailboxRelaySubject, NetworkRelaySubject } from '../../../../libs/core/src/relay/relay-decision';
import { loadClientNetworkSubject, loadRelaySubject } from '../../../../libs/core/src/relay/relay-subject';
import { ChangeNotice } from './change-listener';

/**
 * What the mail server remembers about accounts, so a busy MX does not ask
 * PostgreSQL the same question for every RCPT: the shared address directory
 * (hosted domains, mailboxes, aliases) and the relay subjects decideRelay
 * takes (a mailbox with its customer, agreement and owned addresses; the
 * customer behind a client-network IP). Correctness comes from LISTEN/NOTIFY,
 * not from the TTL:
 * - `customer` and `agreement` notices drop every entry that depends on that
 *   customer (its relay subjects), plus, for agreements, every client-network
 *   answer and the list of networks (one may have been added to or removed
 *   from any agreement);
 * - any other notice (mailbox, alias, domain, unknown, a lost LISTEN
 *   connection) drops everything, because a *new* mailbox or alias must
 *   replace cached "no such user" answers that no id points to;
 * - while the LISTEN connection is down nothing is served from the cache.
 * The TTL only bounds how stale an entry could get if a notice were lost.
 * Used bytes (quota), relay usage counters and password hashes are never cached.
 */
export class AccountCache {
  private readonly entries = new Map<string, { value: unknown; expires: number; customerId: string | null }>();
  /** Bumped by every notice; a lookup that straddles one is not cached. */
  private generation = 0;
  /** The shared resolver's directory, answered from this cache. */
  readonly directory: AddressDirectory;

  constructor(
    private readonly db: DataSource,
    private readonly isLive: () => boolean,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 100_000,
  ) {
    const live = liveDatabaseDirectory(db);
    this.directory = {
      isHostedDomain: (name) => this.cached(`domain:${name}`, () => live.isHostedDomain(name)),
      findMailbox: (address) => this.cached<DirectoryMailbox | null>(`mailbox:${address}`, () => live.findMailbox(address)),
      findAlias: (address) => this.cached<DirectoryAlias | null>(`alias:${address}`, () => live.findAlias(address)),
    };
  }

  onChange(notice: ChangeNotice): void {
    this.generation++;
    const customerId = notice.customerId ?? (notice.kind === 'customer' ? notice.id : null);
    if ((notice.kind === 'customer' || notice.kind === 'agreement') && customerId) {
      for (const [key, entry] of this.entries) {
        if (entry.customerId === customerId || (notice.kind === 'agreement' && key.startsWith('network'))) this.entries.delete(key);
      }
      return;
    }
    this.entries.clear();
  }

  /** The relay subject of a logged-in mailbox (null: the mailbox is gone). */
  relaySubject(mailboxId: string): Promise<MailboxRelaySubject | null> {
    return this.cached(`relay:${mailboxId}`, () => loadRelaySubject(this.db.manager, { mailboxId }), (s) => s?.customerId ?? null);
  }

  /**
   * The customer whose agreement lists this client IP among its clientNetworks,
   * or null. Every unauthenticated remote RCPT on MX asks, mostly from IPs in
   * no network at all: those are answered from one cached list of all client
   * networks, so a flood from many addresses neither queries PostgreSQL per
   * address nor fills the cache with one "no" per address.
   */
  async networkSubject(clientIp: string): Promise<NetworkRelaySubject | null> {
    const all = await this.cached('networks:all', () =>
      this.db.query(`SELECT client_networks FROM agreements WHERE status IN ('active', 'suspended') AND cardinality(client_networks) > 0`),
    );
    if (!(all as { client_networks: string[] }[]).some((row) => ipInNetworks(clientIp, row.client_networks))) return null;
    return this.cached(`network:${clientIp}`, () => loadClientNetworkSubject(this.db.manager, clientIp), (s) => s?.customerId ?? null);
  }

  /** Always read fresh: used bytes change with every delivery. */
  async mailboxUsage(mailboxId: string): Promise<{ usedBytes: number; quotaBytes: number } | null> {
    const rows = await this.db.query('SELECT used_bytes, quota_bytes FROM mailboxes WHERE id = $1', [mailboxId]);
    return rows[0] ? { usedBytes: Number(rows[0].used_bytes), quotaBytes: Number(rows[0].quota_bytes) } : null;
  }

  private async cached<T>(key: string, load: () => Promise<T>, customerOf: (value: T) => string | null = () => null): Promise<T> {
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
      this.entries.set(key, { value, expires: now + this.ttlMs, customerId: customerOf(value) });
    }
    return value;
  }
}
