import { promises as dns } from 'node:dns';

/**
 * Where mail for a domain goes: the transport map first (a fixed host:port for
 * chosen domains, or `*` for a smarthost), else the domain's MX records in
 * preference order, else the domain itself (RFC 5321 5.1: no MX means its
 * A/AAAA host is the implicit MX).
 */
export interface Route {
  /** Host name or IP address to connect to. */
  host: string;
  port: number;
  /** What the DSN calls the remote MTA (the MX name, or the mapped host). */
  name: string;
}

export type RouteLookup =
  | { kind: 'routes'; routes: Route[] }
  /** Temporary: DNS did not answer; try again later. */
  | { kind: 'defer'; status: string; reply: string }
  /** Permanent: the domain does not exist or says it takes no mail. */
  | { kind: 'fail'; status: string; reply: string };

export interface MxResolver {
  resolveMx(domain: string): Promise<{ exchange: string; priority: number }[]>;
}

const DNS_NOT_FOUND = new Set(['ENOTFOUND', 'NXDOMAIN']);
const DNS_NO_DATA = new Set(['ENODATA', 'NODATA']);

export async function lookupRoutes(
  domain: string,
  transportMap: Record<string, { host: string; port: number }>,
  resolver: MxResolver = dns,
): Promise<RouteLookup> {
  const mapped = transportMap[domain] ?? transportMap['*'];
  if (mapped) return { kind: 'routes', routes: [{ host: mapped.host, port: mapped.port, name: mapped.host }] };

  if (/^\[.*\]$/.test(domain) || !domain.includes('.')) {
    return { kind: 'fail', status: '5.1.2', reply: `Bad destination domain "${domain}"` };
  }
  let records: { exchange: string; priority: number }[];
  try {
    records = await resolver.resolveMx(domain);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (DNS_NOT_FOUND.has(code)) return { kind: 'fail', status: '5.1.2', reply: `Domain ${domain} does not exist (DNS: ${code})` };
    if (DNS_NO_DATA.has(code)) return { kind: 'routes', routes: [{ host: domain, port: 25, name: domain }] };
    return { kind: 'defer', status: '4.4.3', reply: `DNS lookup of MX for ${domain} failed (${code || (err as Error).message}); will retry` };
  }
  if (records.length === 0) return { kind: 'routes', routes: [{ host: domain, port: 25, name: domain }] };
  // RFC 7505 null MX: a single MX of "." says the domain receives no mail at all
  if (records.some((r) => r.exchange === '' || r.exchange === '.')) {
    return { kind: 'fail', status: '5.1.10', reply: `Domain ${domain} does not accept mail (null MX)` };
  }
  // equal preferences in random order spreads load, as RFC 5321 5.1 asks
  const shuffled = records.map((r) => ({ r, k: Math.random() })).sort((a, b) => a.r.priority - b.r.priority || a.k - b.k);
  return { kind: 'routes', routes: shuffled.map(({ r }) => ({ host: r.exchange.replace(/\.$/, ''), port: 25, name: r.exchange.replace(/\.$/, '') })) };
}
