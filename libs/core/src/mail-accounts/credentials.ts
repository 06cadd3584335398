import { hash, verify } from '@node-rs/argon2';
import { AccountDirectory, MailboxAccount } from './account-directory';
import { lookupAddress } from './recipient-address';

/**
 * Checks a mailbox login (SMTP AUTH now, POP3 and IMAP later) against the
 * argon2id hash. Wrong name and wrong password look the same from outside,
 * and take the same time: an unknown name is verified against a dummy hash.
 * The status checks come only after a correct password, so a guesser learns
 * nothing about an account's state.
 *
 * Stand-in for libs/core/src/mailboxes/credentials.ts (verifyMailboxPassword),
 * which replaces it when that branch lands.
 */
export type CredentialCheck =
  | { ok: true; mailbox: MailboxAccount }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'mailbox_disabled' | 'customer_suspended'; mailbox: MailboxAccount };

let dummyHash: Promise<string> | null = null;
function timingDummy(): Promise<string> {
  dummyHash ??= hash('postbode timing equaliser, never a password');
  return dummyHash;
}

export async function verifyMailboxCredentials(dir: AccountDirectory, username: string, password: string): Promise<CredentialCheck> {
  const address = typeof username === 'string' ? lookupAddress(username) : null;
  const mailbox = address ? await dir.findMailbox(address) : null;
  if (!mailbox || typeof password !== 'string' || password.length === 0 || password.length > 1024) {
    await verify(await timingDummy(), typeof password === 'string' ? password.slice(0, 1024) : '').catch(() => false);
    return { ok: false, reason: 'invalid_credentials' };
  }
  const matches = await verify(mailbox.passwordHash, password).catch(() => false);
  if (!matches) return { ok: false, reason: 'invalid_credentials' };
  if (mailbox.status !== 'active') return { ok: false, reason: 'mailbox_disabled', mailbox };
  if ((await dir.customerStatus(mailbox.customerId)) !== 'active') return { ok: false, reason: 'customer_suspended', mailbox };
  return { ok: true, mailbox };
}
