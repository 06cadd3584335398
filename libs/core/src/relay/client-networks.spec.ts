import { describe, expect, it } from 'vitest';
import { ipInNetworks, normaliseIp, parseCidr } from './client-networks';

describe('client networks', () => {
  it.each([
    ['192.0.2.77/24', '192.0.2.0/24'],
    ['192.0.2.5', '192.0.2.5/32'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['2001:DB8:10::1/48', '2001:db8:10::/48'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['::ffff:198.51.100.9', '198.51.100.9/32'],
  ])('canonical form of %s is %s', (input, cidr) => {
    expect(parseCidr(input)).toEqual({ cidr });
  });

  it.each(['0.0.0.0/0', '192.0.2.0/7', '::/0', '2001:db8::/16', '192.0.2.0/33', 'mail.example', '300.1.1.1', ''])('refuses %s', (input) => {
    expect(parseCidr(input)).toHaveProperty('problem');
  });

  it('matches client IPs, IPv4-mapped ones included', () => {
    const nets = ['192.0.2.0/28', '2001:db8:10::/48'];
    expect(ipInNetworks('192.0.2.15', nets)).toBe(true);
    expect(ipInNetworks('192.0.2.16', nets)).toBe(false);
    expect(ipInNetworks('::ffff:192.0.2.3', nets)).toBe(true);
    expect(ipInNetworks('2001:db8:10:ffff::1', nets)).toBe(true);
    expect(ipInNetworks('2001:db8:11::1', nets)).toBe(false);
    expect(ipInNetworks(null, nets)).toBe(false);
    expect(ipInNetworks('192.0.2.1', [])).toBe(false);
    expect(normaliseIp('not an ip')).toBeNull();
  });
});
