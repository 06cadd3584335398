import { describe, expect, it } from 'vitest';
import { failureDelayMs, ipKey, userKey } from './auth-throttle';
import { lookupAddress, parseRecipient } from './recipient-address';

describe('parseRecipient', () => {
  it('normalises case and one trailing dot of the domain, lower-cases the lookup form only', () => {
    expect(parseRecipient('User@Hosted.Example.')).toEqual({ kind: 'domain', local: 'User', domain: 'hosted.example', address: 'user@hosted.example' });
  });

  it('keeps routing characters in the local part, where they cannot route', () => {
    expect(parseRecipient('a%b@hosted.example')).toMatchObject({ kind: 'domain', domain: 'hosted.example' });
    expect(parseRecipient('b!a@hosted.example')).toMatchObject({ kind: 'domain', domain: 'hosted.example' });
    expect(parseRecipient('"a@b"@hosted.example')).toMatchObject({ kind: 'domain', local: '"a@b"', domain: 'hosted.example' });
  });

  it('drops a source route and recognises address literals', () => {
    expect(parseRecipient('@relay.example:user@remote.example')).toMatchObject({ kind: 'domain', domain: 'remote.example' });
    expect(parseRecipient('user@[192.0.2.1]')).toEqual({ kind: 'address-literal', local: 'user', literal: '[192.0.2.1]' });
  });

  it('refuses what is not an address', () => {
    for (const bad of ['', 'nobody', '@x.example', 'x@', 'x@-bad-.example', 'x@localhost', 'x@10.0.0.1']) {
      expect(parseRecipient(bad).kind, bad).toBe('invalid');
    }
    expect(lookupAddress('Ann@Example.ORG')).toBe('ann@example.org');
  });
});

describe('auth throttle keys and delays', () => {
  it('groups IPv6 clients by /64 and unwraps IPv4-mapped addresses', () => {
    expect(ipKey('192.0.2.1')).toBe('ip:192.0.2.1');
    expect(ipKey('::ffff:192.0.2.1')).toBe('ip:192.0.2.1');
    expect(ipKey('2001:db8:0:1::5')).toBe('ip:2001:db8:0:1::/64');
    expect(ipKey('2001:0db8:0000:0001:ffff::9')).toBe('ip:2001:db8:0:1::/64');
    expect(userKey(' Ann@Example.org ')).toBe('user:ann@example.org');
  });

  it('doubles the delay from 250 ms up to 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map(failureDelayMs)).toEqual([0, 250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});
