/** Injection tokens of the mail server's Nest module. */
export const MAIL_CONFIG = Symbol('PostbodeConfig');
export const DATABASE_URL = Symbol('DatabaseUrl');
export const LOGGER = Symbol('Logger');
export const ACCOUNT_DIRECTORY = Symbol('AccountDirectory');
export const AUTH_THROTTLE = Symbol('AuthThrottle');
export const DELIVERIES = Symbol('DeliveryBatcher');
/** The remote-relay decision; replaceable so it can switch to the shared decideRelay(). */
export const RELAY_CHECK = Symbol('RemoteRelayCheck');
/** The certificate every TLS listener presents (SMTP, IMAP), loaded once per process. */
export const TLS_CREDENTIALS = Symbol('TlsCredentials');
