import type { SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerSession } from 'smtp-server';
import { mailboxLogin } from '../../../../libs/core/src/mail-accounts/mailbox-login';
import { loginAddress } from '../../../../libs/core/src/mailboxes/credentials';
import { SmtpContext } from './smtp-context';
import { AuthenticatedUser } from './session';
import { SmtpReply, smtpReply } from './smtp-reply';

type AuthCallback = (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void;

/**
 * AUTH PLAIN / LOGIN on the submission listeners, through mailboxLogin (the
 * order POP3 and IMAP use too): lockout first, then the password (failures
 * counted and answered after a growing pause), then the account's state,
 * reported only to someone who knew the password.
 */
export function createAuthHandler(ctx: SmtpContext) {
  return (auth: SMTPServerAuthentication, session: SMTPServerSession, callback: AuthCallback): void => {
    authenticate(ctx, auth, session).then(
      (user) => callback(null, { user }),
      (err) => callback(err),
    );
  };
}

async function authenticate(ctx: SmtpContext, auth: SMTPServerAuthentication, session: SMTPServerSession): Promise<AuthenticatedUser> {
  const username = (auth.username ?? '').trim();
  const ip = session.remoteAddress;
  const log = ctx.log.child({ session: session.id, ip, user: username.slice(0, 320) });
  if (auth.method !== 'PLAIN' && auth.method !== 'LOGIN') throw smtpReply(504, '5.5.4', 'Unsupported authentication mechanism');
  // PLAIN may name someone to act as (authzid); we do not allow acting as another user.
  if (auth.method === 'PLAIN' && auth.authzid && auth.authcid && loginAddress(auth.authzid) !== loginAddress(auth.authcid)) {
    throw smtpReply(535, '5.7.8', 'Authentication credentials invalid');
  }
  try {
    // the one login order of every protocol (libs/core/src/mail-accounts/mailbox-login.ts); the account read fresh
    const result = await mailboxLogin(ctx.db, ctx.guard, username, auth.password ?? '', ip);
    if (result.ok) {
      log.info({ event: 'auth_ok', mailbox: result.mailbox.id }, 'login');
      return { mailboxId: result.mailbox.id, address: result.mailbox.address, customerId: result.mailbox.customerId };
    }
    switch (result.reason) {
      case 'locked':
        log.warn({ event: 'auth_locked', retryAfter: result.retryAfterSeconds }, 'login refused: too many failures');
        throw smtpReply(454, '4.7.0', `Too many failed logins; try again in ${result.retryAfterSeconds} seconds`, 'auth_locked');
      case 'invalid_credentials':
        log.warn({ event: 'auth_failed', delayMs: result.delayMs, locked: result.lockedNow }, 'login failed');
        throw smtpReply(535, '5.7.8', 'Authentication credentials invalid', 'invalid_credentials');
      case 'mailbox_disabled':
        log.warn({ event: 'auth_refused', reason: result.reason }, 'login refused');
        throw smtpReply(535, '5.7.1', 'Mailbox disabled; contact your provider', result.reason);
      case 'customer_suspended':
        log.warn({ event: 'auth_refused', reason: result.reason }, 'login refused');
        throw smtpReply(535, '5.7.1', 'Account suspended; login and sending are blocked, contact your provider', result.reason);
    }
  } catch (err) {
    if (err instanceof SmtpReply) throw err;
    log.error({ event: 'auth_error', err: (err as Error)?.message }, 'login check failed');
    throw smtpReply(454, '4.7.0', 'Temporary authentication failure; try again later', 'local_error');
  }
}
