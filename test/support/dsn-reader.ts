/**
 * Reads a DSN (multipart/report) straight from its bytes, without a mail
 * parser in between: the tests check the raw delivery-status fields exactly
 * as a receiving program would see them.
 */
export interface RawPart {
  type: string;
  headers: string;
  /** The body as latin1 text (octets kept). */
  body: string;
  raw: Buffer;
}

export interface ReadDsn {
  parts: RawPart[];
  /** Per-message fields of the delivery-status part, unfolded, in order. */
  perMessage: [string, string][];
  /** One list of fields per recipient block. */
  perRecipient: [string, string][][];
  /** The human-readable part, quoted-printable decoded. */
  text: string;
}

export function readDsn(raw: Buffer): ReadDsn {
  const message = raw.toString('latin1');
  const head = unfold(message.slice(0, message.indexOf('\r\n\r\n')));
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(head)?.[1];
  if (!boundary) throw new Error('no boundary');
  const chunks = message.split(`\r\n--${boundary}`);
  const parts = chunks
    .slice(1)
    .filter((c) => !c.startsWith('--'))
    .map((chunk): RawPart => {
      const text = chunk.replace(/^\r\n/, '');
      const split = text.indexOf('\r\n\r\n');
      const headers = unfold(text.slice(0, split));
      const body = text.slice(split + 4);
      const type = /^content-type:\s*([^;\r\n]+)/im.exec(headers)?.[1].trim().toLowerCase() ?? 'text/plain';
      return { type, headers, body, raw: Buffer.from(body, 'latin1') };
    });
  const status = parts.find((p) => p.type === 'message/delivery-status');
  const groups = (status?.body ?? '')
    .split(/\r\n\r\n/)
    .map((g) => unfold(g).split('\r\n').filter(Boolean))
    .filter((g) => g.length > 0)
    .map((lines) => lines.map((line): [string, string] => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
  const human = parts.find((p) => p.type === 'text/plain');
  const text = human
    ? Buffer.from(human.body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
    : '';
  return { parts, perMessage: groups[0] ?? [], perRecipient: groups.slice(1), text };
}

function unfold(text: string): string {
  return text.replace(/\r\n(?=[ \t])/g, '');
}
