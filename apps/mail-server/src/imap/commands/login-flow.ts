import { failurePause } from '../../login-pause';
import type { CommandResult } from '../imap-command';
import type { ImapSession } from '../imap-session';
import { capabilities } from './capability';

/**
 * Shared by LOGIN and AUTHENTICATE: checks the credentials, slows every
 * failure down more than the one before, and hangs up after too many.
 */
export async function login(s: ImapSession, user: string, password: string): Promise<CommandResult> {
  const result = await s.backend.authenticate(user, password, s.remoteAddress);
  if (!result.ok) {
    s.failures += 1;
    await failurePause(s.opts.failureDelayMs, s.failures, result.pausedMs);
    s.opts.log({ session: s.id, remote: s.remoteAddress, failures: s.failures }, 'imap login failed');
    if (!result.temporary && s.failures >= s.opts.maxFailures) {
      s.send('* BYE too many failed logins');
      s.after = 'logout';
    }
    return result.temporary
      ? { status: 'NO', code: 'UNAVAILABLE', text: result.message }
      : { status: 'NO', code: 'AUTHENTICATIONFAILED', text: result.message };
  }
  if (s.isClosed) {
    await result.account.close();
    return { status: 'NO', code: 'UNAVAILABLE', text: 'connection closed' };
  }
  s.loggedIn(result.account);
  s.opts.log({ session: s.id, mailbox: result.account.address }, 'imap login');
  return { status: 'OK', code: `CAPABILITY ${capabilities(s).join(' ')}`, text: `${result.account.address} logged in` };
}

export const PRIVACY_REQUIRED: CommandResult = {
  status: 'NO',
  code: 'PRIVACYREQUIRED',
  text: 'log in only after STARTTLS (or on the TLS port)',
};
