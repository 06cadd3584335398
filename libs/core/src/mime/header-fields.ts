/** Splits a header block into fields, each with its continuation lines (bytes as written, CRLF included). */
export function headerFields(header: Buffer): { name: string; bytes: Buffer }[] {
  const fields: { name: string; bytes: Buffer }[] = [];
  let pos = 0;
  let start = -1;
  let name = '';
  while (pos < header.length) {
    let nl = header.indexOf(0x0a, pos);
    if (nl === -1) nl = header.length - 1;
    const first = header[pos];
    const blank = first === 0x0a || (first === 0x0d && header[pos + 1] === 0x0a);
    if (blank) break;
    if (first !== 0x20 && first !== 0x09) {
      if (start !== -1) fields.push({ name, bytes: header.subarray(start, pos) });
      const colon = header.indexOf(0x3a, pos);
      name = colon !== -1 && colon < nl ? header.toString('latin1', pos, colon).trim().toLowerCase() : '';
      start = pos;
    }
    pos = nl + 1;
  }
  if (start !== -1) fields.push({ name, bytes: header.subarray(start, pos) });
  return fields.filter((f) => f.name !== '');
}
