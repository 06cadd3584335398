import { normaliseDomain } from '../addresses';

/**
 * An envelope recipient taken apart for routing. Only the domain decides
 * whether mail is local: routing tricks in the local part (`a%b@c`, `b!a@c`,
 * `"a@b"@c`) stay in the local part, where they match no mailbox, and an
 * address literal (`user@[192.0.2.1]`) is never one of our domains.
 */
export type ParsedRecipient =
  | { kind: 'domain'; local: string; domain: string; address: string }
  | { kind: 'address-literal'; local: string; literal: string }
  | { kind: 'invalid' };

export function parseRecipient(input: string): ParsedRecipient {
  if (typeof input !== 'string') return { kind: 'invalid' };
  let text = input.trim();
  // RFC 5321 source route (@a,@b:user@dom): accepted, and ignored as the RFC says.
  const route = /^@[^:]+:(.+)$/.exec(text);
  if (route) text = route[1];
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return { kind: 'invalid' };
  const local = text.slice(0, at);
  const rawDomain = text.slice(at + 1);
  if (rawDomain.startsWith('[')) return { kind: 'address-literal', local, literal: rawDomain };
  const domain = normaliseDomain(rawDomain);
  if (!domain) return { kind: 'invalid' };
  return { kind: 'domain', local, domain, address: `${local.toLowerCase()}@${domain}` };
}

/** The lookup form of a login name or sender: lower(local)@normalised-domain, or null. */
export function lookupAddress(input: string): string | null {
  const parsed = parseRecipient(input);
  return parsed.kind === 'domain' ? parsed.address : null;
}
