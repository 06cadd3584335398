/** Display helpers shared by every page; pure so they can be unit-tested. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatDateTime(value: string | Date | null | undefined, opts: { seconds?: boolean } = {}): string {
  if (!value) return '—';
  const d = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(d.getTime()) ? '—' : (opts.seconds ? dateTimeSeconds : dateTime).format(d);
}

/** An ISO 8601 instant as the API writes them (`2026-11-29T02:56:36.551Z`). */
export const isInstant = (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(s);

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 1536 → "1.5 KiB"; binary units, as mail quotas are usually given. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return 'no limit';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || value >= 100 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${UNITS[unit]}`;
}

const FACTORS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * What staff type into a size field: "500 MiB", "2G", "1.5 GB", "1048576".
 * Returns null for text that is not a size (the form shows why).
 */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:[.,]\d+)?)\s*([kmgt]?)(i?b|bytes?)?\s*$/i.exec(text);
  if (!m) return null;
  const value = Number(m[1].replace(',', '.'));
  const factor = FACTORS[(m[2] || 'b').toLowerCase()];
  return Math.round(value * factor);
}

/** Share of a limit in use, 0..1 (over-quota shows as full); null when there is no limit. */
export function usageRatio(used: number, limit: number | null | undefined): number | null {
  if (!limit || limit <= 0) return null;
  return Math.min(1, Math.max(0, used / limit));
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
