/**
 * What the POP3 protocol layer needs from the rest of the mail server. The
 * protocol code never touches storage: it calls these, and they call the
 * shared account and mail-store code in libs/.
 */
export type Pop3AuthResult =
  | { ok: true; mailboxId: string; address: string }
  /** pausedMs: how long the backend already held the failure back (the shared lockout's pause); the session pauses only for the rest. */
  | { ok: false; temporary: boolean; message: string; pausedMs?: number };

/**
 * The maildrop as it was at login; held under a lock until release().
 * Messages are addressed by 0-based index (message number - 1).
 */
export interface Pop3Maildrop {
  readonly count: number;
  /** Sum of all sizes at login. */
  readonly octets: number;
  /** Exact octet count as sent, with CRLF line ends, before dot-stuffing. */
  size(index: number): number;
  /** Stable across sessions and restarts, never reused (RFC 1939 UIDL: 1-70 printable chars). */
  uidl(index: number): string;
  /**
   * Raw message (CRLF line ends) of the message at this index, or null when
   * it is no longer there: another session (IMAP) expunged it after this
   * session's login. Never any bytes but the message's own. Answered at once
   * (no promise) when the message is already at hand, as read-ahead makes it
   * for most RETRs.
   */
  fetch(index: number): Buffer | null | Promise<Buffer | null>;
  /** Deletes these indexes for good (the UPDATE state after QUIT). */
  commitDeletes(indexes: readonly number[]): Promise<void>;
  /** Drops the lock; always called, also when the connection breaks. */
  release(): Promise<void>;
}

export type OpenMaildropResult = { ok: true; maildrop: Pop3Maildrop } | { ok: false; inUse: boolean; message: string };

export interface Pop3Backend {
  authenticate(user: string, password: string, remoteAddress: string): Promise<Pop3AuthResult>;
  openMaildrop(mailboxId: string, sessionId: string): Promise<OpenMaildropResult>;
}
