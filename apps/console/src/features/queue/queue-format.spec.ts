import { describe, expect, it } from 'vitest';
import { nextTryText, senderText } from './queue-format';

describe('queue wording', () => {
  it('names the null sender', () => {
    expect(senderText('')).toBe('<> (bounce)');
    expect(senderText('anna@bakkerij.example')).toBe('anna@bakkerij.example');
  });

  it('says "due now" for a next try that has passed, a date for a later one', () => {
    expect(nextTryText(null)).toBe('—');
    expect(nextTryText(new Date(Date.now() - 1000).toISOString())).toBe('due now');
    expect(nextTryText(new Date(Date.now() + 3_600_000).toISOString())).toMatch(/\d/);
  });
});
