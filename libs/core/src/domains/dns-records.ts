import { publicKeyBase64 } from './dkim';

export type DnsRecordPurpose = 'mx' | 'spf' | 'dkim' | 'dmarc';

export interface DnsRecord {
  purpose: DnsRecordPurpose;
  type: 'MX' | 'TXT';
  /** Fully qualified owner name, without the trailing dot (as DNS control panels want it). */
  name: string;
  ttl: number;
  /** MX: the mail host; TXT: the whole text. */
  value: string;
  /** MX preference; null for TXT. */
  priority: number | null;
  /** TXT split into strings of at most 255 octets (one DNS character-string each); [] for MX. */
  strings: string[];
  /** The record as one zone-file line, ready to paste. */
  zoneFileLine: string;
}

export const DNS_TTL = 3600;
export const MX_PRIORITY = 10;
const TXT_STRING_MAX = 255;

/** Splits a TXT value into DNS character-strings (≤255 octets; our values are ASCII). */
export function splitTxt(value: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += TXT_STRING_MAX) parts.push(value.slice(i, i + TXT_STRING_MAX));
  return parts.length ? parts : [''];
}

function txt(purpose: DnsRecordPurpose, name: string, value: string): DnsRecord {
  const strings = splitTxt(value);
  const quoted = strings.map((s) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(' ');
  return { purpose, type: 'TXT', name, ttl: DNS_TTL, value, priority: null, strings, zoneFileLine: `${name}. ${DNS_TTL} IN TXT ${quoted}` };
}

/**
 * What a customer publishes for a hosted domain: MX to our mail host, SPF that
 * authorises it, the DKIM public key under the domain's selector, and a DMARC
 * policy. Everything outbound leaves through our mail host, DKIM-signed, so
 * the policies can be strict (`-all`, `p=quarantine`).
 */
export function dnsRecordsFor(domain: { name: string; dkimSelector: string; dkimPublicKey: string }, mailHostname: string): DnsRecord[] {
  const name = domain.name;
  const host = mailHostname.replace(/\.$/, '');
  return [
    {
      purpose: 'mx',
      type: 'MX',
      name,
      ttl: DNS_TTL,
      value: host,
      priority: MX_PRIORITY,
      strings: [],
      zoneFileLine: `${name}. ${DNS_TTL} IN MX ${MX_PRIORITY} ${host}.`,
    },
    txt('spf', name, `v=spf1 mx a:${host} -all`),
    txt('dkim', `${domain.dkimSelector}._domainkey.${name}`, `v=DKIM1; k=rsa; p=${publicKeyBase64(domain.dkimPublicKey)}`),
    txt('dmarc', `_dmarc.${name}`, 'v=DMARC1; p=quarantine; adkim=r; aspf=r'),
  ];
}
