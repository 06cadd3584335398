/**
 * Domain errors carry a stable `code`; each protocol maps them to its own
 * reply (HTTP status + JSON, SMTP basic + enhanced code, POP3/IMAP codes).
 */
export type ErrorKind = 'validation' | 'not_found' | 'conflict' | 'gone' | 'unprocessable' | 'forbidden' | 'unauthorized' | 'limit';

const HTTP_STATUS: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  unprocessable: 422,
  limit: 422,
};

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | FieldError[] | null = null,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.kind];
  }
}

export const notFound = (what: string, id?: string) =>
  new DomainError('not_found', `${what.replace(/ /g, '_')}_not_found`, id ? `No ${what} with id ${id}` : `No such ${what}`);

export const conflict = (code: string, message: string, details: Record<string, unknown> | null = null) =>
  new DomainError('conflict', code, message, details);

export const invalid = (field: string, message: string, code = 'validation_failed') =>
  new DomainError('validation', code, `${field}: ${message}`, [{ field, message }]);

export const unprocessable = (code: string, message: string, details: Record<string, unknown> | null = null) =>
  new DomainError('unprocessable', code, message, details);

/** Something that existed and is no longer usable (a used or expired signing link). */
export const gone = (code: string, message: string, details: Record<string, unknown> | null = null) => new DomainError('gone', code, message, details);

export const forbidden = (code: string, message: string, details: Record<string, unknown> | null = null) =>
  new DomainError('forbidden', code, message, details);
