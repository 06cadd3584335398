import type { SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerSession } from 'smtp-server';
import { checkMailboxCredentials, loginAddress } from '../../../../libs/core/src/mailboxes/credentials';
import { SmtpContext } from './smtp-context';
import { AuthenticatedUser } from './session';
import { SmtpReply, smtpReply } from './smtp-reply';

type AuthCallback = (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * AUTH PLAIN / LOGIN on the submission listeners. Order matters:
 * lockout first (a locked user or address is refused without trying the
 * password), then the password, then the account's state -- reported only to
 * someone who knew the password.
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
    const lock = await ctx.throttle.lockState(ip, username);
    if (lock.locked) {
      log.warn({ event: 'auth_locked', retryAfter: lock.retryAfterSeconds }, 'login refused: too many failures');
      throw smtpReply(454, '4.7.0', `Too many failed logins; try again in ${lock.retryAfterSeconds} seconds`, 'auth_locked');
    }
    // The one password check of every protocol (and of the API): the account read fresh, never from the account cache.
    const result = await checkMailboxCredentials(ctx.db, username, auth.password ?? '', ctx.verified);
    if (!result.ok && result.reason === 'invalid_credentials') {
      const { delayMs, locked } = await ctx.throttle.recordFailure(ip, username);
      log.warn({ event: 'auth_failed', delayMs, locked }, 'login failed');
      await sleep(delayMs);
      throw smtpReply(535, '5.7.8', 'Authentication credentials invalid', 'invalid_credentials');
    }
    if (!result.ok) {
      log.warn({ event: 'auth_refused', reason: result.reason }, 'login refused');
      throw result.reason === 'mailbox_disabled'
        ? smtpReply(535, '5.7.1', 'Mailbox disabled; contact your provider', result.reason)
        : smtpReply(535, '5.7.1', 'Account suspended; login and sending are blocked, contact your provider', result.reason);
    }
    await ctx.throttle.recordSuccess(username);
    log.info({ event: 'auth_ok', mailbox: result.mailbox.id }, 'login');
    return { mailboxId: result.mailbox.id, address: result.mailbox.address, customerId: result.mailbox.customerId };
  } catch (err) {
    if (err instanceof SmtpReply) throw err;
    log.error({ event: 'auth_error', err: (err as Error)?.message }, 'login check failed');
    throw smtpReply(454, '4.7.0', 'Temporary authentication failure; try again later', 'local_error');
  }
}
