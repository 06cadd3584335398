import { describe, expect, it } from 'vitest';
import { normaliseMessage } from './normalise-message';

const n = (s: string) => normaliseMessage(Buffer.from(s, 'latin1')).toString('latin1');

describe('normaliseMessage', () => {
  it('leaves clean CRLF mail untouched (same buffer)', () => {
    const clean = Buffer.from('Subject: x\r\n\r\nbody\r\n.\r\n');
    expect(normaliseMessage(clean)).toBe(clean);
  });

  it.each([
    ['\n.\n', '\r\n.\r\n'],
    ['\r.\r', '\r\n.\r\n'],
    ['\r.\n', '\r\n.\r\n'],
    ['\n.\r', '\r\n.\r\n'],
    ['\n.\r\n', '\r\n.\r\n'],
    ['\r\n.\n', '\r\n.\r\n'],
    ['\r.\r\n', '\r\n.\r\n'],
    ['\r\n.\r', '\r\n.\r\n'],
    ['\r\n\x00.\r\n', '\r\n.\r\n'],
    ['\r\r\n', '\r\n\r\n'],
  ])('turns %j into %j', (input, output) => {
    expect(n(`a${input}b`)).toBe(`a${output}b`);
  });

  it('keeps 8-bit bytes and ends with CRLF when the input ended with a bare LF', () => {
    expect(n('caf\xe9\n')).toBe('caf\xe9\r\n');
  });
});
