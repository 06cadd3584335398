import { DataSource } from 'typeorm';
import { Mailbox } from '../entities';
import { checkMailboxCredentials } from '../mailboxes/credentials';
import { VerifiedLogins } from '../mailboxes/verified-logins';
import { AuthThrottle } from './auth-throttle';

export type MailboxLogin =
  | { ok: true; mailbox: Mailbox }
  | {
      ok: false;
      temporary: boolean;
      reason: 'locked' | 'invalid_credentials' | 'mailbox_disabled' | 'customer_suspended';
      message: string;
      /** locked: seconds until the lockout ends. */
      retryAfterSeconds?: number;
      /** invalid_credentials: how long the answer was held back, and whether this failure locked the user or address. */
      delayMs?: number;
      lockedNow?: boolean;
    };

/** What a process checks logins with: the shared lockout counts and its memory of verified passwords. */
export interface LoginGuard {
  throttle: AuthThrottle;
  verified: VerifiedLogins | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A mail client's login (SMTP AUTH, POP3, IMAP), in the one order that leaks nothing:
 * lockout first (a locked user or address is refused without trying the
 * password), then the password (the same time for unknown users), each
 * failure counted and answered after a growing pause, and the account's
 * state reported only to someone who knew the password.
 */
export async function mailboxLogin(
  db: DataSource,
  guard: LoginGuard,
  user: string,
  password: string,
  remoteAddress: string,
): Promise<MailboxLogin> {
  const { throttle, verified } = guard;
  const username = user.trim();
  const lock = await throttle.lockState(remoteAddress, username);
  if (lock.locked) {
    return { ok: false, temporary: true, reason: 'locked', message: `too many failed logins; try again in ${lock.retryAfterSeconds} seconds`, retryAfterSeconds: lock.retryAfterSeconds };
  }
  const result = await checkMailboxCredentials(db, username, password, verified);
  if (!result.ok && result.reason === 'invalid_credentials') {
    const { delayMs, locked } = await throttle.recordFailure(remoteAddress, username);
    await sleep(delayMs);
    return { ok: false, temporary: false, reason: 'invalid_credentials', message: 'invalid user name or password', delayMs, lockedNow: locked };
  }
  if (!result.ok) {
    const message = result.reason === 'mailbox_disabled' ? 'mailbox disabled; contact your provider' : 'account suspended; contact your provider';
    return { ok: false, temporary: false, reason: result.reason, message };
  }
  await throttle.recordSuccess(username);
  return { ok: true, mailbox: result.mailbox };
}
