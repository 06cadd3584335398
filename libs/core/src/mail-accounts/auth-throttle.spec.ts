import { describe, expect, it } from 'vitest';
import { failureDelayMs, ipKey, userKey } from './auth-throttle';

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
