import { randomBytes } from 'node:crypto';
import { headerSectionLength } from '../mail-store/header-summary';
import { rfc5322Date } from '../mail-store/received-header';

/**
 * A delivery status notification (RFC 3464) as one complete RFC 5322
 * message, built from what the queue knows. Three parts in a
 * multipart/report (RFC 6522):
 *
 *   1. text/plain: what happened to each recipient, in plain words, with the
 *      remote server's reply quoted and the server named;
 *   2. message/delivery-status: the same for programs (per-message fields,
 *      then one block per recipient);
 *   3. the original: message/rfc822, or text/rfc822-headers when the sender
 *      asked for headers only (RET=HDRS) or the message is too large to send
 *      back (DSN_ORIGINAL_MAX_BYTES).
 *
 * Pure: no clock unless `now` is left out, no database. Everything that came
 * from outside (remote replies, host names, addresses, ENVID, ORCPT) is made
 * into one line of printable ASCII before it goes into a header-like field,
 * so a reply with CR LF in it cannot add a field, a header or a MIME part.
 */

export type DsnAction = 'failed' | 'delayed';
/** Why: refused by the remote (5xx), queue lifetime over, cancelled by staff, or still trying. */
export type DsnReason = 'rejected' | 'expired' | 'cancelled' | 'delayed';

export interface DsnRecipient {
  recipient: string;
  /** ORCPT as stored from RCPT TO, e.g. `rfc822;user@x` (already xtext-decoded by the SMTP layer). */
  orcpt?: string | null;
  action: DsnAction;
  /** Enhanced status code x.y.z (RFC 3463). */
  status: string;
  remoteMta?: string | null;
  /** The remote server's reply, verbatim (may span lines). */
  reply?: string | null;
  lastAttemptAt?: Date | null;
  reason?: DsnReason;
}

export interface DsnInput {
  /** Our host name: the Reporting-MTA and the MAILER-DAEMON domain. */
  reportingMta: string;
  /** The envelope sender of the original message: the DSN's To. */
  originalSender: string;
  envid?: string | null;
  arrivalDate: Date;
  /** RFC 3461 RET: FULL or HDRS; null lets us choose (the full message, size permitting). */
  ret?: string | null;
  /** The original message, or only its header section when the caller did not load the rest. */
  original: Buffer;
  /** Octets of the whole original when `original` holds only its header section. */
  originalSize?: number | null;
  recipients: DsnRecipient[];
  /** Delay notices: when we give up. */
  willRetryUntil?: Date | null;
  maxOriginalBytes: number;
  now?: Date;
}

export const DSN_SUBJECT_FAILED = 'Undelivered Mail Returned to Sender';
export const DSN_SUBJECT_DELAYED = 'Delivery Status Notification (Delay)';

const CRLF = '\r\n';
/** Longest remote reply we quote; the rest is cut (replies this long are pathological). */
const MAX_REPLY_CHARS = 900;

export function buildDsn(input: DsnInput): Buffer {
  if (input.recipients.length === 0) throw new Error('buildDsn: no recipients');
  const now = input.now ?? new Date();
  const delayed = input.recipients.every((r) => r.action === 'delayed');
  const reportingMta = hostOrNull(input.reportingMta) ?? 'localhost';

  const original = originalPart(input);
  const human = Buffer.from(quotedPrintable(humanText(input, reportingMta, delayed, original.note)), 'ascii');
  const status = Buffer.from(deliveryStatus(input, reportingMta), 'ascii');

  const boundary = pickBoundary([original.body]);
  const parts: Buffer[] = [
    Buffer.from(
      [
        `From: Mail Delivery System <MAILER-DAEMON@${reportingMta}>`,
        `To: <${headerAddress(input.originalSender)}>`,
        `Subject: ${delayed ? DSN_SUBJECT_DELAYED : DSN_SUBJECT_FAILED}`,
        `Date: ${rfc5322Date(now)}`,
        `Message-ID: <${randomBytes(12).toString('hex')}.dsn@${reportingMta}>`,
        'Auto-Submitted: auto-replied',
        'MIME-Version: 1.0',
        `Content-Type: multipart/report; report-type=delivery-status;${CRLF}\tboundary="${boundary}"`,
        ...(original.encoding === '7bit' ? [] : [`Content-Transfer-Encoding: ${original.encoding}`]),
        '',
        'This is a MIME-encapsulated delivery status notification.',
        '',
      ].join(CRLF),
      // an SMTPUTF8 sender's address stays UTF-8 (RFC 6532); everything else here is ASCII
      'utf8',
    ),
    part(boundary, ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', 'Content-Description: Notification'], human),
    part(boundary, ['Content-Type: message/delivery-status', 'Content-Description: Delivery report'], status),
    part(boundary, [`Content-Type: ${original.type}`, `Content-Description: ${original.description}`, ...(original.encoding === '7bit' ? [] : [`Content-Transfer-Encoding: ${original.encoding}`])], original.body),
    Buffer.from(`--${boundary}--${CRLF}`, 'ascii'),
  ];
  return Buffer.concat(parts);
}

function part(boundary: string, headers: string[], body: Buffer): Buffer {
  // the CRLF before the next delimiter belongs to the delimiter (RFC 2046 5.1.1)
  const end = body.length >= 2 && body[body.length - 2] === 0x0d && body[body.length - 1] === 0x0a ? '' : CRLF;
  return Buffer.concat([Buffer.from(`--${boundary}${CRLF}${headers.join(CRLF)}${CRLF}${CRLF}`, 'ascii'), body, Buffer.from(`${end}${CRLF}`, 'ascii')]);
}

/** "=_" cannot occur in quoted-printable text; the random part keeps it out of the returned message. */
function pickBoundary(bodies: Buffer[]): string {
  for (;;) {
    const candidate = `=_postbode_dsn_${randomBytes(18).toString('hex')}`;
    if (!bodies.some((b) => b.includes(candidate))) return candidate;
  }
}

// ---------------------------------------------------------------- the original

interface OriginalPart {
  type: 'message/rfc822' | 'text/rfc822-headers';
  description: string;
  body: Buffer;
  encoding: '7bit' | '8bit' | 'binary';
  /** For the human part: why only the headers are attached, or null for the whole message. */
  note: string | null;
}

function originalPart(input: DsnInput): OriginalPart {
  const size = Math.max(input.originalSize ?? 0, input.original.length);
  const asked = (input.ret ?? '').toUpperCase() === 'HDRS';
  const tooLarge = size > input.maxOriginalBytes;
  // the caller loaded only the header section
  const partial = size > input.original.length;
  if (!asked && !tooLarge && !partial) {
    const encoding = transferEncoding(input.original);
    // message/rfc822 may not be encoded (RFC 2046 5.2.1): lines over 998 octets could not cross SMTP
    if (encoding !== 'binary') {
      return { type: 'message/rfc822', description: 'Undelivered message', body: input.original, encoding, note: null };
    }
  }
  const headers = headerSection(input.original, input.maxOriginalBytes);
  const note = asked
    ? 'Only the header lines of your message are attached, as your mail program asked.'
    : tooLarge
      ? `Your message is ${formatBytes(size)}, larger than the ${formatBytes(input.maxOriginalBytes)} we send back, so only its header lines are attached.`
      : 'Only the header lines of your message are attached.';
  return { type: 'text/rfc822-headers', description: 'Header lines of the undelivered message', body: headers, encoding: transferEncoding(headers), note };
}

/** The header lines (without the blank line that ends them), cut at a line end to fit `max` octets. */
function headerSection(raw: Buffer, max: number): Buffer {
  let end = headerSectionLength(raw);
  let headers = raw.subarray(0, end);
  if (headers.subarray(-4).equals(Buffer.from('\r\n\r\n'))) headers = headers.subarray(0, -2);
  if (headers.length > max) {
    end = headers.lastIndexOf('\r\n', max - 2);
    headers = end > 0 ? headers.subarray(0, end + 2) : Buffer.alloc(0);
  }
  return headers;
}

/** RFC 2045: message/* parts may not be encoded, so say what they contain. */
function transferEncoding(body: Buffer): '7bit' | '8bit' | 'binary' {
  let eightBit = false;
  let lineLength = 0;
  for (const byte of body) {
    if (byte === 0x0a) {
      lineLength = 0;
      continue;
    }
    if (++lineLength > 998 || byte === 0) return 'binary';
    if (byte > 0x7f) eightBit = true;
  }
  return eightBit ? '8bit' : '7bit';
}

// ---------------------------------------------------------------- message/delivery-status

function deliveryStatus(input: DsnInput, reportingMta: string): string {
  const perMessage: string[] = [];
  if (input.envid) perMessage.push(field('Original-Envelope-Id', printable(input.envid)));
  perMessage.push(field('Reporting-MTA', `dns; ${reportingMta}`));
  perMessage.push(field('Arrival-Date', rfc5322Date(input.arrivalDate)));

  const blocks = input.recipients.map((r) => {
    const lines: string[] = [];
    const orcpt = originalRecipient(r.orcpt);
    if (orcpt) lines.push(field('Original-Recipient', orcpt));
    lines.push(field('Final-Recipient', typedAddress(r.recipient)));
    lines.push(field('Action', r.action));
    lines.push(field('Status', statusCode(r)));
    const remote = hostOrNull(r.remoteMta);
    if (remote) lines.push(field('Remote-MTA', `dns; ${remote}`));
    const reply = r.reply ? oneLine(r.reply) : '';
    if (reply) lines.push(field('Diagnostic-Code', `smtp; ${reply}`));
    if (r.lastAttemptAt) lines.push(field('Last-Attempt-Date', rfc5322Date(r.lastAttemptAt)));
    if (r.action === 'delayed' && input.willRetryUntil) lines.push(field('Will-Retry-Until', rfc5322Date(input.willRetryUntil)));
    return lines.join('');
  });
  return [perMessage.join(''), ...blocks].join(CRLF);
}

/** "Name: value" folded at spaces to about 78 columns (RFC 5322 2.2.3), with its CRLF. */
function field(name: string, value: string): string {
  const lines: string[] = [];
  let line = `${name}:`;
  let words = 0;
  for (const word of value.split(' ')) {
    if (words > 0 && line.length + 1 + word.length > 78) {
      lines.push(line);
      line = ` ${word}`;
    } else {
      line += ` ${word}`;
    }
    words++;
  }
  lines.push(line);
  return lines.join(CRLF) + CRLF;
}

/**
 * One line of printable ASCII: line breaks and other control characters
 * become spaces, anything outside ASCII a "?", runs of spaces one space, and
 * at most MAX_REPLY_CHARS characters, so folding keeps every line under 998.
 */
function oneLine(text: string): string {
  const flat = text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/[^\u0020-\u007e]/g, '?')
    .replace(/ {2,}/g, ' ')
    .trim();
  return flat.length > MAX_REPLY_CHARS ? `${flat.slice(0, MAX_REPLY_CHARS - 3)}...` : flat;
}

/**
 * ENVID and ORCPT reach us decoded (smtp-server decodes the xtext of every
 * MAIL and RCPT parameter and refuses control characters). Printable ASCII
 * is written as it is; any other character goes back to its xtext form
 * (+XX per octet, RFC 3461 4), which keeps the field 7-bit and on one line.
 * Decoding again here would corrupt values such as `jan+AB@x`.
 */
function printable(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x21 && code <= 0x7e) out += ch;
    else {
      // smtp-server turns each +XX into the character with that code, so codes below 256 are single octets
      const octets = code < 0x100 ? [code] : [...Buffer.from(ch, 'utf8')];
      out += octets.map((o) => `+${o.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    }
  }
  return oneLine(out);
}

/** `rfc822;user@x` as stored from ORCPT → "rfc822; user@x"; null when absent or empty. */
function originalRecipient(orcpt: string | null | undefined): string | null {
  if (!orcpt) return null;
  const semicolon = orcpt.indexOf(';');
  const type = semicolon > 0 ? orcpt.slice(0, semicolon).trim() : '';
  const address = printable((semicolon > 0 ? orcpt.slice(semicolon + 1) : orcpt).trim());
  if (!address) return null;
  return `${/^[A-Za-z0-9-]{1,40}$/.test(type) ? type.toLowerCase() : 'rfc822'}; ${address}`;
}

/**
 * "rfc822; user@example.net". An address with characters outside printable
 * ASCII (SMTPUTF8) is written as RFC 6533's utf-8 address type with those
 * characters as \x{HEX}, so the report stays 7-bit.
 */
function typedAddress(address: string): string {
  if (/^[\u0021-\u007e]+$/.test(address)) return `rfc822; ${address}`;
  let out = '';
  for (const ch of address) {
    const code = ch.codePointAt(0)!;
    out += code >= 0x21 && code <= 0x7e && ch !== '+' && ch !== '=' && ch !== '\\' ? ch : `\\x{${code.toString(16).toUpperCase()}}`;
  }
  return `utf-8; ${out}`;
}

const STATUS_RE = /^[245]\.\d{1,3}\.\d{1,3}$/;

function statusCode(r: DsnRecipient): string {
  const wanted = r.action === 'delayed' ? '4' : '5';
  return STATUS_RE.test(r.status) && r.status[0] === wanted ? r.status : `${wanted}.0.0`;
}

const HOST_RE = /^[A-Za-z0-9.:[\]_-]{1,255}$/;

function hostOrNull(host: string | null | undefined): string | null {
  const h = host?.trim();
  return h && HOST_RE.test(h) ? h : null;
}

/** The To address: angle brackets, quotes and line breaks cannot appear in it. */
function headerAddress(address: string): string {
  return address.replace(/[\u0000-\u0020\u007f<>"\\]/g, '');
}

// ---------------------------------------------------------------- the human part

function reasonOf(r: DsnRecipient): DsnReason {
  if (r.reason) return r.reason;
  if (r.action === 'delayed') return 'delayed';
  return 'rejected';
}

function humanText(input: DsnInput, reportingMta: string, delayed: boolean, originalNote: string | null): string {
  const lines: string[] = [];
  if (delayed) {
    lines.push(
      `This is a report from the mail server ${reportingMta}.`,
      '',
      'Your message has not yet been delivered to the recipients below. This is only',
      'a warning: you do not need to send it again.',
    );
    if (input.willRetryUntil) {
      lines.push(`We will keep trying until ${rfc5322Date(input.willRetryUntil)}. If it still cannot be`, 'delivered by then, you will get another message.');
    }
  } else {
    lines.push(`This is a report from the mail server ${reportingMta}.`, '', 'Your message could not be delivered to the recipients below.');
  }
  lines.push('');

  for (const r of input.recipients) {
    lines.push(`<${humanLine(r.recipient)}>`);
    const host = hostOrNull(r.remoteMta);
    const reply = r.reply ? replyLines(r.reply) : [];
    switch (reasonOf(r)) {
      case 'rejected':
        if (host && reply.length > 0) lines.push(`  The mail server ${host} refused it for good. It answered:`);
        else if (reply.length > 0) lines.push('  The receiving mail server refused it for good. It answered:');
        else lines.push(`  It could not be delivered (status ${statusCode(r)}${statusMeaning(statusCode(r))}).`);
        break;
      case 'expired': {
        const tried = (r.lastAttemptAt ?? input.now ?? new Date()).getTime() - input.arrivalDate.getTime();
        lines.push(`  We tried to deliver it for ${formatDuration(tried)} without success and have given up.`);
        if (reply.length > 0) lines.push(`  The last attempt${r.lastAttemptAt ? `, on ${rfc5322Date(r.lastAttemptAt)},` : ''} got this answer${host ? ` from ${host}` : ''}:`);
        else if (r.lastAttemptAt) lines.push(`  The last attempt was on ${rfc5322Date(r.lastAttemptAt)}${host ? ` (${host})` : ''}.`);
        break;
      }
      case 'cancelled':
        lines.push('  The delivery was cancelled by the postmaster before it succeeded.');
        if (reply.length > 0) lines.push(`  The last answer${host ? ` from ${host}` : ''} before that was:`);
        break;
      case 'delayed':
        lines.push('  Delivery is delayed; we are still trying.');
        if (reply.length > 0) lines.push(`  The last attempt${r.lastAttemptAt ? `, on ${rfc5322Date(r.lastAttemptAt)},` : ''} got this answer${host ? ` from ${host}` : ''}:`);
        else if (r.lastAttemptAt) lines.push(`  The last attempt was on ${rfc5322Date(r.lastAttemptAt)}.`);
        break;
    }
    for (const line of reply) lines.push(`      ${line}`);
    lines.push('');
  }

  lines.push(`We received your message on ${rfc5322Date(input.arrivalDate)}.`);
  lines.push(originalNote ?? 'Your message is attached.');
  lines.push('', 'This report was written automatically; replies to it are not read.');
  return lines.join(CRLF) + CRLF;
}

/** The reply as its own lines, without control characters; Unicode is kept (the part is UTF-8). */
function replyLines(reply: string): string[] {
  const text = reply.length > 4 * MAX_REPLY_CHARS ? `${reply.slice(0, 4 * MAX_REPLY_CHARS)}...` : reply;
  return text
    .split(/\r\n|\r|\n/)
    .map(humanLine)
    .filter((l) => l.length > 0);
}

function humanLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
}

const STATUS_MEANINGS: Record<string, string> = {
  '1.1': 'no such mailbox',
  '1.2': 'the domain does not exist or takes no mail',
  '2.2': 'mailbox full',
  '3.4': 'message too large',
  '4.4': 'no mail server found for the domain',
  '4.7': 'too long in the queue',
  '7.1': 'refused by policy',
};

function statusMeaning(status: string): string {
  const meaning = STATUS_MEANINGS[status.slice(2)];
  return meaning ? `: ${meaning}` : '';
}

function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes < 120) return plural(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.round(hours / 24), 'day');
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

// ---------------------------------------------------------------- quoted-printable

/**
 * RFC 2045 6.7 quoted-printable of UTF-8 text with CRLF line ends: the
 * human part stays 7-bit (any relay accepts it) whatever the addresses and
 * replies contain, and readable as it is.
 */
export function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split(CRLF)) {
    const bytes = Buffer.from(line, 'utf8');
    let encoded = '';
    let column = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      const last = i === bytes.length - 1;
      const literal = (b >= 0x21 && b <= 0x7e && b !== 0x3d) || ((b === 0x20 || b === 0x09) && !last);
      const piece = literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
      // soft line break: at most 76 characters per line, the "=" included
      if (column + piece.length > (last ? 76 : 75)) {
        encoded += `=${CRLF}`;
        column = 0;
      }
      encoded += piece;
      column += piece.length;
    }
    out.push(encoded);
  }
  return out.join(CRLF);
}
