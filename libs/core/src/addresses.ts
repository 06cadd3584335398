import { domainToASCII } from 'node:url';

/**
 * Address and domain normalisation shared by the API and the mail server:
 * one place decides what a hosted name or a local part may look like.
 */

const LABEL_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Lower-case IDNA (punycode) form of a host name, or null when it is not a
 * valid DNS host name of at least two labels (IP addresses are not names).
 * One trailing dot (the DNS root) is accepted and removed.
 */
export function normaliseDomain(input: string): string | null {
  if (typeof input !== 'string') return null;
  let name = input.trim();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (!name || name.length > 253 || /\s/.test(name)) return null;
  const ascii = domainToASCII(name.toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2) return null;
  if (!labels.every((l) => LABEL_RE.test(l))) return null;
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return null; // 10.0.0.1 is not a domain
  return ascii;
}

// RFC 5321 atext, minus the characters that carry routing or subaddressing:
// `%` and `!` (old source routes) and `+` (reserved as the subaddress separator).
const LOCAL_ATOM_RE = /^[A-Za-z0-9#$&'*/=?^_`{|}~-]+$/;

/** Why a mailbox local part is refused, or null when it is acceptable. */
export function localPartProblem(local: string): string | null {
  if (typeof local !== 'string' || local.length === 0) return 'must not be empty';
  if (Buffer.byteLength(local, 'utf8') > 64) return 'must be at most 64 octets (RFC 5321)';
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'dots may not start or end it, nor follow each other';
  }
  for (const atom of local.split('.')) {
    if (!LOCAL_ATOM_RE.test(atom)) {
      return 'may contain letters, digits, dots and !#$&\'*/=?^_`{|}~- only (no %, !, + or quoting)';
    }
  }
  return null;
}

/** `local@domain` split at the last @, with the domain normalised; null when malformed. */
export function splitAddress(address: string): { local: string; domain: string } | null {
  if (typeof address !== 'string') return null;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  const domain = normaliseDomain(address.slice(at + 1));
  if (!domain) return null;
  return { local: address.slice(0, at), domain };
}

const ATEXT_DOT_ATOM_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * Any deliverable address (dot-atom local part, host name domain), lower-cased,
 * or null. Used for external alias targets, which may use the full RFC 5321 atext.
 */
export function normaliseAddress(address: string): string | null {
  const parts = splitAddress(address);
  if (!parts || !ATEXT_DOT_ATOM_RE.test(parts.local) || Buffer.byteLength(parts.local) > 64) return null;
  return `${parts.local.toLowerCase()}@${parts.domain}`;
}
