/** IMAP date formats (RFC 3501 9: date, date-time). Times are shown in UTC. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number) => String(n).padStart(2, '0');

/** INTERNALDATE: "dd-Mon-yyyy hh:mm:ss +0000" (day padded with a space). */
export function formatInternalDate(d: Date): string {
  const day = d.getUTCDate();
  return `${day < 10 ? ' ' : ''}${day}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** APPEND date-time "dd-Mon-yyyy hh:mm:ss +zzzz"; null when malformed. */
export function parseDateTime(text: string): Date | null {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const month = monthIndex(m[2]);
  if (month < 0) return null;
  const [day, year, h, min, s, zh, zm] = [m[1], m[3], m[4], m[5], m[6], m[8], m[9]].map(Number);
  if (day < 1 || day > 31 || h > 23 || min > 59 || s > 60 || zh > 23 || zm > 59) return null;
  const offset = (m[7] === '-' ? -1 : 1) * (zh * 60 + zm);
  const ms = Date.UTC(year, month, day, h, min, s) - offset * 60_000;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** SEARCH date "d-Mon-yyyy" → "yyyy-mm-dd"; null when malformed. */
export function parseSearchDate(text: string): string | null {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!m) return null;
  const month = monthIndex(m[2]);
  const day = Number(m[1]);
  if (month < 0 || day < 1 || day > 31) return null;
  return `${m[3]}-${pad(month + 1)}-${pad(day)}`;
}

/** The UTC calendar date of a moment as "yyyy-mm-dd" (how SEARCH dates are compared). */
export function utcDay(d: Date): string {
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function monthIndex(name: string): number {
  return MONTHS.findIndex((x) => x.toLowerCase() === name.toLowerCase());
}
