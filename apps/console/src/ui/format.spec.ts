import { describe, expect, it } from 'vitest';
import { formatBytes, isInstant, parseBytes, usageRatio } from './format';
import { generatePassword } from './password';

describe('sizes', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1024 ** 3)).toBe('1 GiB');
    expect(formatBytes(250 * 1024 ** 2)).toBe('250 MiB');
    expect(formatBytes(null)).toBe('no limit');
  });

  it('reads what staff type into a quota field', () => {
    expect(parseBytes('500 MiB')).toBe(500 * 1024 ** 2);
    expect(parseBytes('2G')).toBe(2 * 1024 ** 3);
    expect(parseBytes('1,5 GB')).toBe(1.5 * 1024 ** 3);
    expect(parseBytes('1048576')).toBe(1048576);
    expect(parseBytes('lots')).toBeNull();
    expect(parseBytes('-5 MiB')).toBeNull();
  });

  it('caps usage at full and has no ratio without a limit', () => {
    expect(usageRatio(50, 200)).toBe(0.25);
    expect(usageRatio(300, 200)).toBe(1);
    expect(usageRatio(300, null)).toBeNull();
  });
});

describe('generated passwords', () => {
  it('have the asked length and no look-alike characters', () => {
    for (let i = 0; i < 50; i++) {
      const p = generatePassword(16, (b) => globalThis.crypto.getRandomValues(b));
      expect(p).toHaveLength(16);
      expect(p).not.toMatch(/[0O1lI]/);
    }
  });

  it('drop random bytes that would bias the alphabet', () => {
    // 255 is above the largest multiple of the alphabet size: it must be skipped, not folded
    let call = 0;
    const bytes = (b: Uint8Array) => b.fill(call++ === 0 ? 255 : 0);
    expect(generatePassword(4, bytes)).toBe('aaaa');
  });
});

describe('instants', () => {
  it('recognises the API timestamps, not other text', () => {
    expect(isInstant('2026-11-29T02:56:36.551Z')).toBe(true);
    expect(isInstant('2026-11-29T02:56:36+01:00')).toBe(true);
    expect(isInstant('Invoice 2026-11-29 unpaid')).toBe(false);
  });
});
