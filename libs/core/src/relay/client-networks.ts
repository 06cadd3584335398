import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Client networks: CIDRs of a customer's own mail servers that may relay
 * without SMTP AUTH. Stored in canonical form (`192.0.2.0/24`, `2001:db8::/48`).
 */

/** Shorter prefixes would let half the internet relay as one customer. */
export const MIN_PREFIX = { ipv4: 8, ipv6: 24 } as const;

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) → `192.0.2.1`. */
export function normaliseIp(ip: string): string | null {
  if (typeof ip !== 'string') return null;
  const trimmed = ip.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  const plain = mapped ? mapped[1] : trimmed;
  if (isIPv4(plain)) return plain;
  if (isIPv6(plain)) return plain.toLowerCase();
  return null;
}

/** Canonical `address/prefix` (host bits cleared), or the reason it is refused. */
export function parseCidr(input: string): { cidr: string } | { problem: string } {
  const m = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(String(input ?? '').trim());
  if (!m) return { problem: 'must be an IP address or a CIDR such as 192.0.2.0/24' };
  const ip = normaliseIp(m[1]);
  if (!ip) return { problem: `${m[1]} is not an IP address` };
  const family = isIPv4(ip) ? 'ipv4' : 'ipv6';
  const bits = family === 'ipv4' ? 32 : 128;
  const prefix = m[2] === undefined ? bits : Number(m[2]);
  if (prefix > bits) return { problem: `prefix /${prefix} is longer than ${bits} bits` };
  if (prefix < MIN_PREFIX[family]) return { problem: `prefix /${prefix} is too wide (at least /${MIN_PREFIX[family]} for ${family})` };
  return { cidr: `${networkAddress(ip, family, prefix)}/${prefix}` };
}

function networkAddress(ip: string, family: 'ipv4' | 'ipv6', prefix: number): string {
  if (family === 'ipv4') {
    const n = ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    const masked = prefix === 0 ? 0n : (n >> BigInt(32 - prefix)) << BigInt(32 - prefix);
    return [24n, 16n, 8n, 0n].map((s) => String((masked >> s) & 255n)).join('.');
  }
  const groups = expandIpv6(ip);
  const n = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
  const masked = prefix === 0 ? 0n : (n >> BigInt(128 - prefix)) << BigInt(128 - prefix);
  const out: string[] = [];
  for (let i = 7; i >= 0; i--) out.push(((masked >> BigInt(i * 16)) & 0xffffn).toString(16));
  return compressIpv6(out);
}

function expandIpv6(ip: string): number[] {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail !== undefined ? new Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

/** RFC 5952: the longest run of zero groups becomes `::`. */
function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** True when the client IP lies in one of the networks. Invalid entries never match. */
export function ipInNetworks(clientIp: string | null, networks: readonly string[]): boolean {
  const ip = clientIp ? normaliseIp(clientIp) : null;
  if (!ip || networks.length === 0) return false;
  const list = new BlockList();
  for (const n of networks) {
    const parsed = parseCidr(n);
    if (!('cidr' in parsed)) continue;
    const [addr, prefix] = parsed.cidr.split('/');
    list.addSubnet(addr, Number(prefix), isIPv4(addr) ? 'ipv4' : 'ipv6');
  }
  return list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
}
