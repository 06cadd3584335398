/**
 * Modified UTF-7 for mailbox names (RFC 3501 5.1.3): printable ASCII stands
 * for itself ("&" is written "&-"), everything else is UTF-16 in base64 with
 * "," instead of "/", between "&" and "-".
 */

export function encodeMailboxName(name: string): string {
  let out = '';
  let pending: number[] = [];
  const flush = () => {
    if (!pending.length) return;
    const bytes = Buffer.alloc(pending.length * 2);
    pending.forEach((unit, i) => bytes.writeUInt16BE(unit, i * 2));
    out += '&' + bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += code === 0x26 ? '&-' : name[i];
    } else {
      pending.push(code);
    }
  }
  flush();
  return out;
}

/** Decodes a modified UTF-7 name; null when it is not valid (so the caller answers BAD or NO). */
export function decodeMailboxName(encoded: string): string | null {
  let out = '';
  for (let i = 0; i < encoded.length; i++) {
    const ch = encoded[i];
    const code = encoded.charCodeAt(i);
    if (code > 0x7e) {
      // 8-bit names are not modified UTF-7; many clients send UTF-8 anyway, so accept them as they are
      out += ch;
      continue;
    }
    if (ch !== '&') {
      out += ch;
      continue;
    }
    const end = encoded.indexOf('-', i + 1);
    if (end === -1) return null;
    const b64 = encoded.slice(i + 1, end);
    i = end;
    if (b64 === '') {
      out += '&';
      continue;
    }
    if (!/^[A-Za-z0-9+,]+$/.test(b64)) return null;
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    if (bytes.length % 2 !== 0 || bytes.length === 0) return null;
    for (let j = 0; j < bytes.length; j += 2) out += String.fromCharCode(bytes.readUInt16BE(j));
  }
  return out;
}
