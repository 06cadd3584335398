/**
 * The Received: trace field (RFC 5321 4.4) we put on top of every message.
 * Everything the client told us is checked or quoted so it cannot add lines.
 */
export interface ReceivedInfo {
  /** What the client said in HELO/EHLO (already validated by the SMTP layer). */
  helo: string | null;
  clientIp: string;
  clientHostname: string | null;
  byHost: string;
  /** SMTP, ESMTP, ESMTPS, ESMTPA or ESMTPSA (RFC 3848). */
  protocol: string;
  /** Our id for the transaction, for matching log lines. */
  id: string;
  /** Named only when there is exactly one recipient, so a Bcc stays hidden. */
  singleRecipient: string | null;
  /** Protocol version and cipher of a TLS session, e.g. TLSv1.3 / TLS_AES_256_GCM_SHA384. */
  tls: { version: string; cipher: string } | null;
  date: Date;
}

const SAFE = /^[A-Za-z0-9.:[\]_-]{1,255}$/;

function safe(value: string | null | undefined): string | null {
  return value && SAFE.test(value) ? value : null;
}

export function receivedHeader(info: ReceivedInfo): string {
  const from = safe(info.helo) ?? 'unknown';
  const host = safe(info.clientHostname);
  const ip = safe(info.clientIp) ?? 'unknown';
  const parts = [`Received: from ${from} (${host && host !== `[${ip}]` ? `${host} ` : ''}[${ip}])`];
  parts.push(`\tby ${info.byHost} (Postbode) with ${info.protocol} id ${safe(info.id) ?? 'unknown'}`);
  const token = /^[A-Za-z0-9_.-]{1,100}$/;
  if (info.tls && token.test(info.tls.version) && token.test(info.tls.cipher)) {
    parts.push(`\t(using ${info.tls.version} with cipher ${info.tls.cipher})`);
  }
  const rcpt = info.singleRecipient && /^[^\s<>"()\\]+@[^\s<>"()\\]+$/.test(info.singleRecipient) ? info.singleRecipient : null;
  parts.push(`\t${rcpt ? `for <${rcpt}>` : ''}; ${rfc5322Date(info.date)}`);
  return parts.join('\r\n') + '\r\n';
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Sat, 28 Nov 2026 14:03:05 +0000" */
export function rfc5322Date(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
