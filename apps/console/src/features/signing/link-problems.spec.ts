import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { linkProblem } from './link-problems';

describe('signing link problems in plain words', () => {
  it.each([
    [410, 'signing_link_used', 'This link has already been used'],
    [410, 'signing_link_expired', 'This link has expired'],
    [410, 'signing_link_replaced', 'This link has been replaced by a newer one'],
    [404, 'signing_link_unknown', 'We do not know this link'],
    [0, 'network_error', 'No connection'],
  ])('%i %s → “%s”', (status, code, title) => {
    const problem = linkProblem(new ApiError(status, code, 'machine text'));
    expect(problem.title).toBe(title);
    expect(problem.text).not.toContain(code);
  });

  it('falls back to the API message for anything else', () => {
    expect(linkProblem(new ApiError(500, 'http_error', 'The server had a problem.')).text).toContain('The server had a problem.');
  });
});
