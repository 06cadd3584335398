import { describe, expect, it } from 'vitest';
import { toApiError } from './errors';

describe('API errors for forms', () => {
  it('puts validation details next to their fields', () => {
    const err = toApiError(400, {
      error: {
        code: 'validation_failed',
        message: 'Invalid name, contactEmail',
        details: [
          { field: 'name', message: 'name should not be empty' },
          { field: 'contactEmail', message: 'contactEmail must be an e-mail address' },
          { field: 'name', message: 'name must be a string' },
        ],
        requestId: 'req-1',
      },
    });
    expect(err.status).toBe(400);
    expect(err.code).toBe('validation_failed');
    expect(err.requestId).toBe('req-1');
    expect(err.fieldErrors).toEqual({ name: ['name should not be empty', 'name must be a string'], contactEmail: ['contactEmail must be an e-mail address'] });
    expect(err.hasErrorsBeyond(['name', 'contactEmail'])).toBe(false);
    expect(err.hasErrorsBeyond(['name'])).toBe(true);
  });

  it('maps a conflict on one field (details: { field }) to that field', () => {
    const err = toApiError(409, { error: { code: 'external_ref_taken', message: 'Another customer already has externalRef X', details: { field: 'externalRef' } } });
    expect(err.fieldErrors).toEqual({ externalRef: ['Another customer already has externalRef X'] });
  });

  it('explains bodies that are not the API error shape', () => {
    expect(toApiError(502, '<html>Bad gateway</html>').message).toMatch(/server had a problem/);
    const plain = toApiError(404, { error: { code: 'customer_not_found', message: 'No customer with id x', details: null } });
    expect(plain.hasErrorsBeyond([])).toBe(true);
    expect(plain.fieldErrors).toEqual({});
  });
});
