/** Injection tokens of the mail server's Nest module. */
export const MAIL_CONFIG = Symbol('PostbodeConfig');
export const DATABASE_URL = Symbol('DatabaseUrl');
export const LOGGER = Symbol('Logger');
export const ACCOUNT_CACHE = Symbol('AccountCache');
export const AUTH_THROTTLE = Symbol('AuthThrottle');
/** Passwords this process verified a moment ago (libs/core/src/mailboxes/verified-logins.ts). */
export const VERIFIED_LOGINS = Symbol('VerifiedLogins');
/** What every login (SMTP AUTH, POP3, IMAP) is checked with: the throttle and the verified logins together. */
export const LOGIN_GUARD = Symbol('LoginGuard');
export const DELIVERIES = Symbol('DeliveryBatcher');
/** The certificate every TLS listener presents (SMTP, POP3, IMAP), loaded once per process. */
export const TLS_CREDENTIALS = Symbol('TlsCredentials');
