import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from './webhook-signature';
import { retryDelayMs } from './webhook-worker';

describe('webhook retries and signatures', () => {
  it('retries with growing delays for more than 24 hours, then gives up', () => {
    const base = 30_000;
    const delays: number[] = [];
    for (let attempts = 1; retryDelayMs(attempts, base) !== null; attempts++) delays.push(retryDelayMs(attempts, base)!);
    expect(delays.slice(0, 4)).toEqual([30_000, 120_000, 600_000, 1_800_000]);
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1])).toBe(true);
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3_600_000);
    expect(retryDelayMs(delays.length + 1, base)).toBeNull();
  });

  it('signs "<t>.<body>" with HMAC-SHA256 and verifies within the tolerance', () => {
    const header = signWebhookBody('s3cret', '{"a":1}', 1_800_000_000);
    const expected = createHmac('sha256', 's3cret').update('1800000000.{"a":1}').digest('hex');
    expect(header).toBe(`t=1800000000,v1=${expected}`);
    expect(verifyWebhookSignature('s3cret', header, '{"a":1}', { now: 1_800_000_100 })).toBe(true);
    expect(verifyWebhookSignature('s3cret', header, '{"a":1}', { now: 1_800_001_000 })).toBe(false); // replayed too late
    expect(verifyWebhookSignature('s3cret', header, '{"a":2}', { now: 1_800_000_000 })).toBe(false);
    expect(verifyWebhookSignature('s3cret', 't=1800000000,v1=zz', '{"a":1}', { now: 1_800_000_000 })).toBe(false);
    expect(verifyWebhookSignature('s3cret', undefined, '{"a":1}')).toBe(false);
  });
});
