import { describe, expect, it } from 'vitest';
import { VerifiedLogins } from './verified-logins';

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA';

describe('VerifiedLogins', () => {
  it('matches only the remembered password against the same stored hash, within the TTL', () => {
    let now = 1_000_000;
    const logins = new VerifiedLogins({ ttlSeconds: 60, maxEntries: 10 }, () => now);
    expect(logins.matches('mb1', HASH, 'correct horse')).toBe(false);
    logins.remember('mb1', HASH, 'correct horse');
    expect(logins.matches('mb1', HASH, 'correct horse')).toBe(true);
    expect(logins.matches('mb1', HASH, 'correct horsE')).toBe(false);
    expect(logins.matches('mb1', HASH, '')).toBe(false);
    // the password was changed: the stored hash is another one
    expect(logins.matches('mb1', HASH.replace('aGFz', 'bGFz'), 'correct horse')).toBe(false);
    // another mailbox with the same hash and password was never verified
    expect(logins.matches('mb2', HASH, 'correct horse')).toBe(false);
    now += 59_999;
    expect(logins.matches('mb1', HASH, 'correct horse')).toBe(true);
    now += 1;
    expect(logins.matches('mb1', HASH, 'correct horse')).toBe(false);
    expect(logins.stats.entries).toBe(0);
  });

  it('does not let field boundaries shift: (id, hash, password) are length-prefixed', () => {
    const logins = new VerifiedLogins({ ttlSeconds: 60, maxEntries: 10 });
    logins.remember('mb1', 'ab', 'c');
    expect(logins.matches('mb1', 'a', 'bc')).toBe(false);
    expect(logins.matches('mb1', 'ab', 'c')).toBe(true);
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    const logins = new VerifiedLogins({ ttlSeconds: 60, maxEntries: 2 });
    logins.remember('a', HASH, 'pw-a');
    logins.remember('b', HASH, 'pw-b');
    expect(logins.matches('a', HASH, 'pw-a')).toBe(true); // a is now the most recent
    logins.remember('c', HASH, 'pw-c');
    expect(logins.stats.entries).toBe(2);
    expect(logins.matches('b', HASH, 'pw-b')).toBe(false);
    expect(logins.matches('a', HASH, 'pw-a')).toBe(true);
    expect(logins.matches('c', HASH, 'pw-c')).toBe(true);
  });

  it('remembers nothing when turned off, and forgets on request', () => {
    const off = new VerifiedLogins({ ttlSeconds: 0, maxEntries: 10 });
    off.remember('a', HASH, 'pw');
    expect(off.matches('a', HASH, 'pw')).toBe(false);
    const on = new VerifiedLogins({ ttlSeconds: 60, maxEntries: 10 });
    on.remember('a', HASH, 'pw');
    on.forget('a');
    expect(on.matches('a', HASH, 'pw')).toBe(false);
    on.remember('a', HASH, 'pw');
    on.clear();
    expect(on.matches('a', HASH, 'pw')).toBe(false);
  });

  it('is keyed per process: two instances never agree on a digest', () => {
    const one = new VerifiedLogins({ ttlSeconds: 60, maxEntries: 10 });
    const two = new VerifiedLogins({ ttlSeconds: 60, maxEntries: 10 });
    one.remember('a', HASH, 'pw');
    expect(two.matches('a', HASH, 'pw')).toBe(false);
  });
});
