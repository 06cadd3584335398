import { RelayRefusal } from '../../../../libs/core/src/relay/relay-decision';

/**
 * An error that carries its SMTP reply. smtp-server sends `responseCode` and
 * the message; the message starts with our enhanced status code, which
 * smtp-server-patches.ts puts in place of the library's generic one.
 */
export class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    readonly enhancedCode: string,
    text: string,
    /** Stable machine reason for the log (unknown_user, relay_denied, ...). */
    readonly reason: string = 'refused',
  ) {
    super(`${enhancedCode} ${text}`);
    this.name = 'SmtpReply';
  }

  static from(r: RelayRefusal): SmtpReply {
    return new SmtpReply(r.code, r.enhancedCode, r.message, r.reason);
  }
}

export function smtpReply(code: number, enhancedCode: string, text: string, reason?: string): SmtpReply {
  return new SmtpReply(code, enhancedCode, text, reason);
}

/** A temporary failure for anything unexpected: the client retries, nothing is lost. */
export function localError(): SmtpReply {
  return new SmtpReply(451, '4.3.0', 'Local error in processing; try again later', 'local_error');
}
