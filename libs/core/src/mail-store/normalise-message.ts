/**
 * Makes a received message safe to store and to pass on:
 * - every bare CR and bare LF becomes CRLF, so a line that some other server
 *   would read as end-of-data (`\n.\n`, `\r.\r`, ...) becomes an ordinary
 *   line "." inside the message, which any SMTP client dot-stuffs when it
 *   sends the message on (the SMTP smuggling defence, as Postfix's
 *   smtpd_forbid_bare_newline = normalize);
 * - NUL bytes, which RFC 5322 does not allow and some servers silently drop
 *   (turning `\r\n\0.\r\n` into an end-of-data marker), are removed.
 * The text itself is kept: nothing the sender wrote disappears.
 */
export function normaliseMessage(input: Buffer): Buffer {
  // Fast path: most mail already has only CRLF line ends and no NUL.
  if (isClean(input)) return input;
  const out = Buffer.allocUnsafe(input.length * 2);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    const b = input[i];
    if (b === 0x00) continue;
    if (b === 0x0d) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      if (input[i + 1] === 0x0a) i++;
      continue;
    }
    if (b === 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      continue;
    }
    out[o++] = b;
  }
  return out.subarray(0, o);
}

function isClean(buf: Buffer): boolean {
  if (buf.indexOf(0x00) !== -1) return false;
  let i = buf.indexOf(0x0d);
  let lf = buf.indexOf(0x0a);
  while (i !== -1 || lf !== -1) {
    // every CR must be followed by LF and every LF preceded by CR
    if (i !== -1 && buf[i + 1] !== 0x0a) return false;
    if (lf !== -1 && (lf === 0 || buf[lf - 1] !== 0x0d)) return false;
    i = i === -1 ? -1 : buf.indexOf(0x0d, i + 1);
    lf = lf === -1 ? -1 : buf.indexOf(0x0a, lf + 1);
  }
  return true;
}
