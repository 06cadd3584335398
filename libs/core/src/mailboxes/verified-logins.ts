import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A short memory of passwords this process has just verified with argon2id,
 * so that a mail client polling every few minutes (POP3 above all) does not
 * cost ~35 ms of CPU per poll. The same idea as Dovecot's auth cache
 * (auth_cache_size / auth_cache_ttl) and PingDirectory's encoded-password
 * cache: the expensive check runs on the first login; later logins with the
 * same password are compared against a keyed SHA-256 of it.
 *
 * What keeps it safe:
 * - Only successes are remembered. A wrong password never matches an entry
 *   and always takes the full argon2id check (and the lockout counting of its
 *   caller), so guessing is exactly as slow as without the cache.
 * - The entry is bound to the stored hash it was verified against: a password
 *   changed through the API (on any process) changes the stored hash, which the
 *   caller reads fresh on every login, so the old password stops at once.
 * - The account's state (mailbox disabled, customer suspended) is not cached:
 *   the caller reads it on every login.
 * - The key is random per process and never leaves memory; entries expire
 *   after `ttlSeconds` and the map is bounded (oldest dropped first). Someone
 *   who can read this process's memory can also read the passwords that pass
 *   through it, so the keyed digests give them nothing more.
 */
export interface VerifiedLoginsOptions {
  /** How long a verified password is remembered (0: never, every login runs argon2id). */
  ttlSeconds: number;
  /** At most this many mailboxes are remembered; the least recently used go first. */
  maxEntries: number;
}

interface Entry {
  digest: Buffer;
  expiresAt: number;
}

export class VerifiedLogins {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();
  private hitCount = 0;
  private missCount = 0;

  constructor(
    private readonly options: VerifiedLoginsOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.options.ttlSeconds > 0 && this.options.maxEntries > 0;
  }

  get stats(): { entries: number; hits: number; misses: number } {
    return { entries: this.entries.size, hits: this.hitCount, misses: this.missCount };
  }

  /** True when this password was verified against this very stored hash within the TTL. */
  matches(mailboxId: string, storedHash: string, password: string): boolean {
    if (!this.enabled) return false;
    const entry = this.entries.get(mailboxId);
    if (!entry) {
      this.missCount++;
      return false;
    }
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(mailboxId);
      this.missCount++;
      return false;
    }
    const ok = timingSafeEqual(entry.digest, this.digest(mailboxId, storedHash, password));
    if (ok) {
      this.hitCount++;
      // Least recently used last: re-insert so eviction takes the idle ones first.
      this.entries.delete(mailboxId);
      this.entries.set(mailboxId, entry);
    } else {
      this.missCount++;
    }
    return ok;
  }

  /** Call only after argon2id said yes for this password and this stored hash. */
  remember(mailboxId: string, storedHash: string, password: string): void {
    if (!this.enabled) return;
    this.entries.delete(mailboxId);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(mailboxId, { digest: this.digest(mailboxId, storedHash, password), expiresAt: this.now() + this.options.ttlSeconds * 1000 });
  }

  /** Forget one mailbox (its password was changed or its account changed state). */
  forget(mailboxId: string): void {
    this.entries.delete(mailboxId);
  }

  clear(): void {
    this.entries.clear();
  }

  private digest(mailboxId: string, storedHash: string, password: string): Buffer {
    // Length-prefixed fields: no two (id, hash, password) triples give the same input.
    const h = createHmac('sha256', this.key);
    for (const field of [mailboxId, storedHash, password]) {
      const bytes = Buffer.from(field, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      h.update(length).update(bytes);
    }
    return h.digest();
  }
}
