import { DomainError } from '../../../../libs/core/src/errors';
import { ImapBackendError, ImapErrorCode } from './imap-backend';

/** A command the client got wrong (syntax, arguments): answered BAD. */
export class ImapSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImapSyntaxError';
  }
}

/** A refusal raised by the protocol layer itself: answered NO [code]. */
export class ImapRefusal extends Error {
  constructor(
    readonly code: ImapErrorCode | 'READ-ONLY' | 'PRIVACYREQUIRED' | 'AUTHENTICATIONFAILED' | 'CLIENTBUG' | 'BADCHARSET (UTF-8 US-ASCII)' | 'HASCHILDREN' | null,
    message: string,
  ) {
    super(message);
    this.name = 'ImapRefusal';
  }
}

const DOMAIN_CODES: Record<DomainError['kind'], ImapErrorCode> = {
  validation: 'CANNOT',
  not_found: 'NONEXISTENT',
  conflict: 'ALREADYEXISTS',
  unprocessable: 'CANNOT',
  forbidden: 'NOPERM',
  unauthorized: 'NOPERM',
  limit: 'LIMIT',
  gone: 'NONEXISTENT',
};

/** How an error from a handler or backend is answered; null for an unexpected failure (logged, NO [SERVERBUG]). */
export function statusForError(err: unknown): { status: 'NO' | 'BAD'; code: string | null; text: string } | null {
  if (err instanceof ImapSyntaxError) return { status: 'BAD', code: null, text: err.message };
  if (err instanceof ImapRefusal) return { status: 'NO', code: err.code, text: err.message };
  if (err instanceof ImapBackendError) return { status: 'NO', code: err.code, text: err.message };
  if (err instanceof DomainError) return { status: 'NO', code: err.code === 'quota_exceeded' ? 'OVERQUOTA' : DOMAIN_CODES[err.kind], text: err.message };
  return null;
}
