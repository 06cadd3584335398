/**
 * What the POP3 protocol layer needs from the rest of the mail server. The
 * protocol code never touches storage: it calls these, and they call the
 * shared account and mail-store code in libs/.
 */
export type Pop3AuthResult =
  | { ok: true; mailboxId: string; address: string }
  | { ok: false; temporary: boolean; message: string };

export interface Pop3MessageInfo {
  /** Stable across sessions and restarts, never reused (RFC 1939 UIDL: 1-70 printable chars). */
  uidl: string;
  /** Exact octet count as sent, with CRLF line ends, before dot-stuffing. */
  size: number;
}

/** The maildrop as it was at login; held under a lock until release(). */
export interface Pop3Maildrop {
  readonly messages: readonly Pop3MessageInfo[];
  /** Raw message (CRLF line ends) of the message at this 0-based index. */
  fetch(index: number): Promise<Buffer>;
  /** Deletes these 0-based indexes for good (the UPDATE state after QUIT). */
  commitDeletes(indexes: readonly number[]): Promise<void>;
  /** Drops the lock; always called, also when the connection breaks. */
  release(): Promise<void>;
}

export type OpenMaildropResult = { ok: true; maildrop: Pop3Maildrop } | { ok: false; inUse: boolean; message: string };

export interface Pop3Backend {
  authenticate(user: string, password: string, remoteAddress: string): Promise<Pop3AuthResult>;
  openMaildrop(mailboxId: string, sessionId: string): Promise<OpenMaildropResult>;
}
