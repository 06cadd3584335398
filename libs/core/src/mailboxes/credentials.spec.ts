import { describe, expect, it } from 'vitest';
import { hashMailboxPassword, loginAddress, passwordMatches, passwordProblem } from './credentials';

describe('mailbox password policy and hashing', () => {
  it('counts characters, not bytes, and refuses what a mail client cannot send', () => {
    expect(passwordProblem('123456789', 10)).toBe('must be at least 10 characters long');
    expect(passwordProblem('1234567890', 10)).toBeNull();
    expect(passwordProblem('ééééééééé', 10)).toMatch(/at least 10/); // 9 characters, 18 bytes
    expect(passwordProblem('🔑'.repeat(10), 10)).toBeNull();
    expect(passwordProblem('x'.repeat(1025), 10)).toBe('must be at most 1024 characters long');
    expect(passwordProblem('line\nbreak!!', 10)).toMatch(/control characters/);
    expect(passwordProblem(undefined, 10)).toBe('must be a string');
  });

  it('hashes with argon2id and treats composed and decomposed accents alike', async () => {
    const composed = 'caf\u00e9-caf\u00e9-caf\u00e9';
    const hash = await hashMailboxPassword(composed);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await passwordMatches(hash, composed)).toBe(true);
    expect(await passwordMatches(hash, 'cafe\u0301-cafe\u0301-cafe\u0301')).toBe(true);
    expect(await passwordMatches(hash, 'cafe-cafe-cafe')).toBe(false);
    expect(await passwordMatches('not a hash', composed)).toBe(false);
  });

  it('normalises login names like stored addresses', () => {
    expect(loginAddress(' Anna@Bücher.Example. ')).toBe('anna@xn--bcher-kva.example');
    expect(loginAddress('no-at-sign')).toBeNull();
  });
});
