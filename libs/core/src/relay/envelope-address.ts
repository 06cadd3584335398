import { normaliseDomain } from '../addresses';

/**
 * Envelope addresses (MAIL FROM / RCPT TO) as the relay decision sees them.
 *
 * Old mail routing let an address name the next hop itself. None of those
 * forms is ever relayed or delivered locally by Postbode, whoever sends it:
 *
 * | form                               | example                               | kind / form            |
 * |------------------------------------|---------------------------------------|------------------------|
 * | source route (RFC 821 A-d-l)       | `@hosted.example:user@remote.example` | routed / source_route  |
 * | percent hack                       | `user%remote.example@hosted.example`  | routed / percent_hack  |
 * | UUCP bang path                     | `remote.example!user@hosted.example`  | routed / bang_path     |
 * | quoted local part holding @ % or ! | `"user@remote.example"@hosted.example`| routed / quoted_route  |
 * | a second unquoted @                | `user@remote.example@hosted.example`  | routed / extra_at      |
 * | IP literal domain                  | `user@[192.0.2.1]`                    | ip_literal             |
 *
 * Everything else is a `mailbox` when well formed: the domain is lower-cased,
 * IDNA-encoded and loses ONE trailing dot (`User@Hosted.Example.` is
 * `user@hosted.example`; two trailing dots are invalid). A quoted local part
 * that needs no quoting (`"user"@x`) is the same address as the unquoted one.
 * Anything else is `invalid` (501 5.1.3 in the decision).
 */
export type RoutedForm = 'source_route' | 'percent_hack' | 'bang_path' | 'quoted_route' | 'extra_at';

export type EnvelopeAddress =
  /** The null reverse-path `<>` (bounces). */
  | { kind: 'null' }
  | {
      kind: 'mailbox';
      /** The local part as sent (case kept, quotes removed): what a remote server must receive. */
      local: string;
      /** Lower-case IDNA domain without trailing dot: what the hosted-domain check uses. */
      domain: string;
      /** lower(local)@domain (re-quoted when the local part needs quotes): the lookup key for mailboxes and aliases. */
      address: string;
    }
  | { kind: 'routed'; form: RoutedForm }
  | { kind: 'ip_literal'; literal: string }
  | { kind: 'invalid'; problem: string };

// RFC 5321 atext, plus UTF-8 (RFC 6531). `%` and `!` are atext but carry routing, so they are checked first.
const ATOM_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+$/u;

function isDotAtom(local: string): boolean {
  return local.split('.').every((atom) => ATOM_RE.test(atom));
}

/** The contents of a quoted string (`"a\"b"` → `a"b`), or null when the quoting is broken. */
function unquote(quoted: string): string | null {
  let out = '';
  for (let i = 1; i < quoted.length - 1; i++) {
    const ch = quoted[i];
    if (ch === '\\') {
      i += 1;
      if (i >= quoted.length - 1) return null;
      out += quoted[i];
    } else if (ch === '"') {
      return null;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Where the quoted local part ends (index of its closing quote), or -1. */
function closingQuote(raw: string): number {
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] === '\\') i += 1;
    else if (raw[i] === '"') return i;
  }
  return -1;
}

function requote(local: string): string {
  return isDotAtom(local) ? local : `"${local.replace(/(["\\])/g, '\\$1')}"`;
}

export function parseEnvelopeAddress(input: string): EnvelopeAddress {
  if (typeof input !== 'string') return { kind: 'invalid', problem: 'not a string' };
  let raw = input.trim();
  if (raw.startsWith('<') && raw.endsWith('>')) raw = raw.slice(1, -1).trim();
  if (raw === '') return { kind: 'null' };
  if (raw.length > 512) return { kind: 'invalid', problem: 'longer than 512 characters' };
  if (/[\x00-\x1f\x7f\s]/.test(raw) && !raw.startsWith('"')) return { kind: 'invalid', problem: 'contains spaces or control characters' };
  if (raw.startsWith('@')) return { kind: 'routed', form: 'source_route' };

  let local: string;
  let domainPart: string;
  if (raw.startsWith('"')) {
    const end = closingQuote(raw);
    if (end < 0 || raw[end + 1] !== '@') return { kind: 'invalid', problem: 'unterminated quoted local part' };
    const content = unquote(raw.slice(0, end + 1));
    if (content === null) return { kind: 'invalid', problem: 'malformed quoted local part' };
    if (/[@%!]/.test(content)) return { kind: 'routed', form: 'quoted_route' };
    if (/[\x00-\x1f\x7f]/.test(content)) return { kind: 'invalid', problem: 'control characters in the local part' };
    local = content;
    domainPart = raw.slice(end + 2);
  } else {
    const at = raw.lastIndexOf('@');
    if (at < 0) return { kind: 'invalid', problem: 'no @domain' };
    local = raw.slice(0, at);
    domainPart = raw.slice(at + 1);
    if (local.includes('@')) return { kind: 'routed', form: 'extra_at' };
    if (local.includes('%')) return { kind: 'routed', form: 'percent_hack' };
    if (local.includes('!')) return { kind: 'routed', form: 'bang_path' };
    if (!local || !isDotAtom(local)) return { kind: 'invalid', problem: 'malformed local part' };
  }
  if (!local) return { kind: 'invalid', problem: 'empty local part' };
  if (Buffer.byteLength(local, 'utf8') > 64) return { kind: 'invalid', problem: 'local part longer than 64 octets' };
  if (domainPart.startsWith('[')) {
    return domainPart.endsWith(']') ? { kind: 'ip_literal', literal: domainPart } : { kind: 'invalid', problem: 'malformed address literal' };
  }
  const domain = normaliseDomain(domainPart);
  if (!domain) return { kind: 'invalid', problem: 'malformed domain' };
  return { kind: 'mailbox', local, domain, address: `${requote(local.toLowerCase())}@${domain}` };
}

/** `user+tag@d` → `user@d`: a subaddress belongs to whoever owns the base address. */
export function withoutSubaddress(address: string): string {
  const at = address.lastIndexOf('@');
  const plus = address.indexOf('+');
  return plus > 0 && plus < at ? address.slice(0, plus) + address.slice(at) : address;
}
