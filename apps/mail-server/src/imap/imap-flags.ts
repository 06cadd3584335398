/** System flags in their canonical spelling (flags are case-insensitive, RFC 3501 2.3.2). */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'] as const;

const CANONICAL = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f as string]));

/** Longest keyword we store; keeps flags arrays small. */
const MAX_KEYWORD = 100;

/**
 * A flag from the client in stored form: system flags canonical, keywords as
 * given. Null when not acceptable in STORE/APPEND (\Recent, unknown system
 * flags, atom-specials).
 */
export function canonicalFlag(flag: string): string | null {
  if (flag.startsWith('\\')) return CANONICAL.get(flag.toLowerCase()) ?? null;
  if (!flag || flag.length > MAX_KEYWORD || /[\x00-\x20\x7f-\uffff(){%*"\\\]]/.test(flag)) return null;
  return flag;
}

/** The inside of a FLAGS list; \Recent is added for messages recent to this session. */
export function flagList(flags: readonly string[], recent = false): string {
  return recent ? [...flags, '\\Recent'].join(' ') : flags.join(' ');
}

export function hasFlag(flags: readonly string[], flag: string): boolean {
  const lower = flag.toLowerCase();
  for (const f of flags) if (f === flag || f.toLowerCase() === lower) return true;
  return false;
}
