import { Algorithm, hash, verify } from '@node-rs/argon2';
import { DataSource, EntityManager } from 'typeorm';
import { splitAddress } from '../addresses';
import { Customer } from '../entities/customer.entity';
import { Mailbox } from '../entities/mailbox.entity';
import { VerifiedLogins } from './verified-logins';

/**
 * Mailbox passwords: the policy, the argon2id hash, and the one check that
 * SMTP AUTH, POP3 and IMAP all use. Passwords are never logged, returned or
 * put in events; only their hash is stored.
 */

export const PASSWORD_MAX_LENGTH = 1024;

/**
 * Unicode NFC (RFC 8265 OpaqueString): the same password typed on two
 * systems that compose accents differently is the same password.
 */
function prepare(password: string): string {
  return password.normalize('NFC');
}

/** Why a new password is refused, or null. Length counts characters, not bytes. */
export function passwordProblem(password: unknown, minLength: number): string | null {
  if (typeof password !== 'string') return 'must be a string';
  const length = [...prepare(password)].length;
  if (length < minLength) return `must be at least ${minLength} characters long`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters long`;
  // A line break or NUL can never be sent in POP3 PASS / IMAP LOGIN: such a password could not be used.
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'must not contain control characters (line breaks, tabs, NUL)';
  return null;
}

/** argon2id PHC string (the library's defaults: 19 MiB, 2 passes, OWASP's minimum). */
export function hashMailboxPassword(password: string): Promise<string> {
  return hash(prepare(password), { algorithm: Algorithm.Argon2id });
}

let dummyHash: Promise<string> | null = null;
/** A hash to verify against when the mailbox is unknown, so "no such user" takes as long as "wrong password". */
function dummy(): Promise<string> {
  dummyHash ??= hash('postbode: no such mailbox', { algorithm: Algorithm.Argon2id });
  return dummyHash;
}

/** True when the password matches the stored hash (the same preparation as hashing). */
export async function passwordMatches(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, prepare(password));
  } catch {
    return false; // a malformed stored hash never authenticates
  }
}

/** Normalised login name: lower-case local part, IDNA domain; null when it is no address at all. */
export function loginAddress(input: string): string | null {
  if (typeof input !== 'string' || input.length > 320) return null;
  const parts = splitAddress(input.trim());
  if (!parts) return null;
  return `${parts.local.toLowerCase()}@${parts.domain}`;
}

export type CredentialCheck =
  | { ok: true; mailbox: Mailbox }
  /** Unknown address or wrong password: the two are never told apart. */
  | { ok: false; reason: 'invalid_credentials' }
  /** The password was right, but the account may not log in now. */
  | { ok: false; reason: 'mailbox_disabled' | 'customer_suspended'; mailbox: Mailbox };

/**
 * Checks a login. The state of the account (disabled, customer suspended) is
 * revealed only to someone who knows the password; everyone else learns
 * `invalid_credentials`, in about the same time whether the address exists or not.
 */
export async function checkMailboxCredentials(
  db: DataSource | EntityManager,
  address: string,
  password: string,
  /** The process's memory of recently verified passwords (mail server only); null: always argon2id. */
  verified: VerifiedLogins | null = null,
): Promise<CredentialCheck> {
  const normalised = loginAddress(address);
  const row = normalised
    ? await db.getRepository(Mailbox).createQueryBuilder('m').addSelect('m.passwordHash').where('m.address = :address', { address: normalised }).getOne()
    : null;
  if (!row || typeof password !== 'string' || password.length > PASSWORD_MAX_LENGTH * 4) {
    await passwordMatches(await dummy(), typeof password === 'string' ? password.slice(0, PASSWORD_MAX_LENGTH) : '');
    return { ok: false, reason: 'invalid_credentials' };
  }
  const passwordHash = row.passwordHash;
  delete (row as Partial<Mailbox>).passwordHash; // the caller gets the mailbox, never its hash
  const mailbox = row;
  const prepared = prepare(password);
  if (!verified?.matches(mailbox.id, passwordHash, prepared)) {
    if (!(await passwordMatches(passwordHash, password))) return { ok: false, reason: 'invalid_credentials' };
    verified?.remember(mailbox.id, passwordHash, prepared);
  }
  if (mailbox.status !== 'active') return { ok: false, reason: 'mailbox_disabled', mailbox };
  const customer = await db.getRepository(Customer).findOne({ where: { id: mailbox.customerId }, select: { id: true, status: true } });
  if (!customer || customer.status !== 'active') return { ok: false, reason: 'customer_suspended', mailbox };
  return { ok: true, mailbox };
}

/**
 * The mailbox that may log in with this address and password (active mailbox,
 * active customer), or null. The returned entity carries no password hash.
 */
export async function verifyMailboxPassword(db: DataSource | EntityManager, address: string, password: string): Promise<Mailbox | null> {
  const result = await checkMailboxCredentials(db, address, password);
  return result.ok ? result.mailbox : null;
}
