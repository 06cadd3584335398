import { describe, expect, it } from 'vitest';
import { failurePause } from './login-pause';

describe('failed-login pause', () => {
  it('waits the rest of the schedule, or not at all when the backend already waited as long', () => {
    expect(failurePause(500, 1, 250)).toBeInstanceOf(Promise); // 250 ms more
    expect(failurePause(500, 1, 500)).toBeUndefined();
    expect(failurePause(500, 2, 2_000)).toBeUndefined(); // the lockout's pause was the longer one
    expect(failurePause(10_000, 5, 9_999)).toBeInstanceOf(Promise); // capped at 10 s: 1 ms more
    expect(failurePause(10_000, 5, 10_000)).toBeUndefined();
  });
});
