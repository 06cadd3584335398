import { decodeMailboxName, encodeMailboxName } from './mutf7';

/** Hierarchy delimiter of every folder name. */
export const DELIMITER = '/';

const MAX_NAME_LENGTH = 512;
const MAX_LEVELS = 20;

/**
 * A mailbox name from the client (modified UTF-7, or UTF-8 from lenient
 * clients) as the backend sees it: UTF-8, INBOX in upper case whatever the
 * client wrote (RFC 3501 5.1), no trailing delimiter. Null when invalid.
 */
export function mailboxFromClient(wire: string): string | null {
  const decoded = decodeMailboxName(wire);
  if (decoded === null) return null;
  let name = decoded.endsWith(DELIMITER) ? decoded.slice(0, -1) : decoded;
  if (!name || name.length > MAX_NAME_LENGTH) return null;
  if (/[\x00-\x1f\x7f]/.test(name)) return null;
  const levels = name.split(DELIMITER);
  if (levels.length > MAX_LEVELS || levels.some((l) => l === '' || l.trim() !== l)) return null;
  if (levels[0].toUpperCase() === 'INBOX') {
    levels[0] = 'INBOX';
    name = levels.join(DELIMITER);
  }
  return name;
}

/** The name as the client sees it (modified UTF-7). */
export function mailboxToClient(name: string): string {
  return encodeMailboxName(name);
}

/** Every ancestor of a name, outermost first ("a/b/c" → ["a", "a/b"]). */
export function parentsOf(name: string): string[] {
  const levels = name.split(DELIMITER);
  const out: string[] = [];
  for (let i = 1; i < levels.length; i++) out.push(levels.slice(0, i).join(DELIMITER));
  return out;
}

/**
 * LIST/LSUB pattern (RFC 3501 6.3.8) as a matcher on UTF-8 names: "*"
 * matches anything, "%" anything but the delimiter. The reference is
 * prefixed. INBOX matches case-insensitively.
 */
export function listMatcher(reference: string, pattern: string): ((name: string) => boolean) | null {
  const ref = decodeMailboxName(reference);
  const pat = decodeMailboxName(pattern);
  if (ref === null || pat === null) return null;
  // plain concatenation, as RFC 3501 describes and other servers do
  let full = ref + pat;
  if (/^inbox(?=$|\/|%|\*)/i.test(full)) full = 'INBOX' + full.slice(5);
  let source = '';
  for (const ch of full) {
    if (ch === '*') source += '.*';
    else if (ch === '%') source += '[^/]*';
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`, 's');
  return (name) => re.test(name);
}
