import libmime from 'libmime';

/** The headers listings and IMAP ENVELOPE need, decoded, from a stored message. */
export interface HeaderSummary {
  /** Octets of the header section including the empty line that ends it. */
  headerBytes: number;
  subject: string | null;
  from: string | null;
  to: string | null;
  cc: string | null;
  date: Date | null;
  messageId: string | null;
  inReplyTo: string | null;
}

const MAX_FIELD = 2000;

export function headerSectionLength(raw: Buffer): number {
  if (raw.length >= 2 && raw[0] === 0x0d && raw[1] === 0x0a) return 2; // no headers at all
  const end = raw.indexOf('\r\n\r\n');
  return end === -1 ? raw.length : end + 4;
}

export function summariseHeaders(raw: Buffer): HeaderSummary {
  const headerBytes = headerSectionLength(raw);
  const fields = new Map<string, string>();
  // unfold (RFC 5322 2.2.3) and keep the first occurrence of each field
  const text = raw.subarray(0, headerBytes).toString('binary').replace(/\r\n(?=[ \t])/g, '');
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  const decoded = (name: string): string | null => {
    const value = fields.get(name);
    if (value === undefined) return null;
    let out: string;
    try {
      out = libmime.decodeWords(Buffer.from(value, 'binary').toString('utf8'));
    } catch {
      out = Buffer.from(value, 'binary').toString('utf8');
    }
    // no control characters in what listings show
    return out.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ').slice(0, MAX_FIELD);
  };
  const dateText = fields.get('date');
  const date = dateText ? new Date(dateText) : null;
  return {
    headerBytes,
    subject: decoded('subject'),
    from: decoded('from'),
    to: decoded('to'),
    cc: decoded('cc'),
    date: date && !Number.isNaN(date.getTime()) ? date : null,
    messageId: msgId(fields.get('message-id')),
    inReplyTo: msgId(fields.get('in-reply-to')),
  };
}

function msgId(value: string | undefined): string | null {
  if (!value) return null;
  const m = /<([^<>\s]+)>/.exec(value);
  const id = (m ? m[1] : value.trim()).slice(0, 998);
  return id || null;
}
