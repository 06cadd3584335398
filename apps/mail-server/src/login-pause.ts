/** The longest a session holds back one failed login's answer. */
const MAX_FAILURE_PAUSE_MS = 10_000;

/**
 * Holds back the answer to a session's `failures`-th failed login (POP3 and IMAP):
 * `stepMs` × failures in all, at most 10 s, minus what the backend already waited
 * (`pausedMs`: the shared lockout's pause in mailboxLogin, the one SMTP AUTH gets).
 * So a failure is paused once, by the longer of the two, not by both one after the other.
 */
export function failurePause(stepMs: number, failures: number, pausedMs = 0): Promise<void> | void {
  const rest = Math.min(stepMs * failures, MAX_FAILURE_PAUSE_MS) - pausedMs;
  if (rest > 0) return new Promise((r) => setTimeout(r, rest));
}
