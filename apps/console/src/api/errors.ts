/**
 * The API answers every error as `{ error: { code, message, details, requestId } }`;
 * details are field errors (`[{ field, message }]`) for validation, or context such
 * as `{ field }` for a conflict on one field. ApiError carries both, ready for a form.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Messages per request field, e.g. `{ contactEmail: ['contactEmail must be an e-mail address'] }`. */
    readonly fieldErrors: Readonly<Record<string, string[]>> = {},
    readonly requestId: string | null = null,
    /** The body's `details` as sent, for pages that explain a code in their own words (which agreement to reinstate). */
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when some message names no field the form shows: the form must show `message` too. */
  hasErrorsBeyond(fields: readonly string[]): boolean {
    const names = Object.keys(this.fieldErrors);
    return names.length === 0 || names.some((f) => !fields.includes(f));
  }
}

interface ErrorBodyShape {
  code?: unknown;
  message?: unknown;
  details?: unknown;
  requestId?: unknown;
}

/** Builds an ApiError from any response body; tolerant of bodies that are not ours (a proxy's HTML). */
export function toApiError(status: number, body: unknown): ApiError {
  const err = (body as { error?: ErrorBodyShape } | null)?.error;
  if (!err || typeof err !== 'object') {
    return new ApiError(status, 'http_error', status >= 500 ? 'The server had a problem. Try again in a moment.' : `The request failed (HTTP ${status}).`);
  }
  const message = typeof err.message === 'string' ? err.message : `The request failed (HTTP ${status}).`;
  return new ApiError(
    status,
    typeof err.code === 'string' ? err.code : 'http_error',
    message,
    fieldErrorsOf(err.details, message),
    typeof err.requestId === 'string' ? err.requestId : null,
    err.details ?? null,
  );
}

function fieldErrorsOf(details: unknown, message: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (field: string, text: string) => (out[field] ??= []).push(text);
  if (Array.isArray(details)) {
    for (const d of details) {
      if (d && typeof d.field === 'string') add(d.field, typeof d.message === 'string' ? d.message : message);
    }
  } else if (details && typeof details === 'object' && typeof (details as { field?: unknown }).field === 'string') {
    add((details as { field: string }).field, message);
  }
  return out;
}

export const networkError = () => new ApiError(0, 'network_error', 'Cannot reach the Postbode server. Check your connection and try again.');
