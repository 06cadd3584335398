import { hostname } from 'node:os';

/**
 * Typed configuration read once from the environment. A bad value stops the
 * process with a message naming the variable (ConfigError), never a guess.
 */
export interface PostbodeConfig {
  databaseUrl: string | undefined;
  /** Where the embedded PostgreSQL keeps its files when DATABASE_URL is unset. */
  dataDir: string;
  embeddedPgPort: number;
  adminApiKey: string | undefined;
  apiPort: number | null;
  listenHost: string;
  mailHostname: string;
  publicUrl: string;
  smtpPort: number | null;
  submissionPort: number | null;
  smtpsPort: number | null;
  pop3Port: number | null;
  pop3sPort: number | null;
  imapPort: number | null;
  imapsPort: number | null;
  insecureAuth: 'loopback' | 'never';
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  transportMap: Record<string, { host: string; port: number }>;
  passwordMinLength: number;
  defaultQuotaBytes: number;
  logLevel: string;
  /** Run the webhook delivery worker in the API process (WEBHOOK_WORKER=on|off). */
  webhookWorker: boolean;
  /** First retry delay; later ones are multiples of it (30 s by default: 30 s, 2 min, 10 min ... 8 h). */
  webhookRetryBaseMs: number;
  /** How often the worker looks for due deliveries when no NOTIFY woke it. */
  webhookPollMs: number;
  /** Largest message the SMTP listeners accept (advertised as SIZE). */
  maxMessageBytes: number;
  /** Recipients per SMTP transaction; more get 452 4.5.3. */
  maxRecipients: number;
  /** MX waits this long before its banner; a client that talks first is refused (0: no pause). */
  smtpGreetingDelayMs: number;
  /** Failed logins for one user, then one IP, within the lockout window before logins are refused. */
  authMaxFailures: number;
  authMaxFailuresPerIp: number;
  authLockoutSeconds: number;
  /** How long a password verified with argon2id is remembered by the process that checked it (0: never). */
  loginCacheSeconds: number;
  /** At most this many remembered logins per process. */
  loginCacheEntries: number;
  /** Run the outbound delivery worker in the mail-server process (DELIVERY_WORKER=on|off). */
  deliveryWorker: boolean;
  /** Deliveries in flight per mail-server process (each holds one database connection while it talks to the remote). */
  deliveryConcurrency: number;
  /** Seconds before each retry after a temporary failure; the last value repeats. */
  deliveryRetrySchedule: number[];
  /** How long a message may stay queued before it fails for good (default 5 days). */
  queueLifetimeSeconds: number;
  /** Send one "delayed" DSN after this many seconds in the queue (0: never). */
  delayNoticeSeconds: number;
  /** How often an idle worker looks for due mail when no NOTIFY woke it. */
  deliveryPollMs: number;
  /** Connect/greeting timeout and idle-socket timeout when talking to remote servers. */
  deliveryConnectTimeoutMs: number;
  deliverySocketTimeoutMs: number;
  /** Bounces quote at most this much of the original message; larger ones get its headers only. */
  dsnOriginalMaxBytes: number;
  /** Automatic suspension: this many limit refusals for one customer within the window (0: never). */
  autoSuspendLimitHits: number;
  /** Automatic suspension: this share of a customer's recent remote recipients failed (0: never)... */
  autoSuspendFailureRatio: number;
  /** ...counted only once at least this many recipients finished in the window. */
  autoSuspendMinRecipients: number;
  autoSuspendWindowSeconds: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function port(env: Env, name: string, fallback: number, allowOff = true): number | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (allowOff && raw.toLowerCase() === 'off') return null;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new ConfigError(name, `must be a port number 1-65535${allowOff ? ' or "off"' : ''}, got "${raw}"`);
  }
  return Number(raw);
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(name, `must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

function nonNegativeInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(name, `must be a whole number (0 or more), got "${raw}"`);
  }
  return Number(raw);
}

function ratio(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(raw)) throw new ConfigError(name, `must be a number from 0 to 1, got "${raw}"`);
  return Number(raw);
}

function secondsList(env: Env, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const parts = raw.split(',').map((x) => x.trim());
  if (parts.length === 0 || parts.some((x) => !/^\d+$/.test(x) || Number(x) < 1)) {
    throw new ConfigError(name, `must be a comma-separated list of seconds (each 1 or more), got "${raw}"`);
  }
  return parts.map(Number);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

const HOSTNAME_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function parseTransportMap(raw: string | undefined): PostbodeConfig['transportMap'] {
  const map: PostbodeConfig['transportMap'] = {};
  if (!raw) return map;
  for (const pair of raw.split(/[,\s]+/).filter(Boolean)) {
    const m = /^([^=]+)=(\[[^\]]+\]|[^:]+):(\d+)$/.exec(pair);
    if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) {
      throw new ConfigError('TRANSPORT_MAP', `expected "domain=host:port" pairs (or "*=host:port"), got "${pair}"`);
    }
    map[m[1].toLowerCase()] = { host: m[2].replace(/^\[|\]$/g, ''), port: Number(m[3]) };
  }
  return map;
}

export function loadConfig(env: Env = process.env): PostbodeConfig {
  const apiPort = port(env, 'API_PORT', 3000);
  const mailHostname = (env.MAIL_HOSTNAME || hostname()).toLowerCase();
  if (!HOSTNAME_RE.test(mailHostname)) {
    throw new ConfigError('MAIL_HOSTNAME', `must be a host name, got "${mailHostname}"`);
  }
  if (env.DATABASE_URL && !/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  }
  const tlsCertFile = env.TLS_CERT_FILE || undefined;
  const tlsKeyFile = env.TLS_KEY_FILE || undefined;
  if (Boolean(tlsCertFile) !== Boolean(tlsKeyFile)) {
    throw new ConfigError(tlsCertFile ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE', 'TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  }
  if (env.ADMIN_API_KEY !== undefined && env.ADMIN_API_KEY !== '' && env.ADMIN_API_KEY.length < 24) {
    throw new ConfigError('ADMIN_API_KEY', 'must be at least 24 characters long');
  }
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR || 'data',
    embeddedPgPort: port(env, 'EMBEDDED_PG_PORT', 54329, false) as number,
    adminApiKey: env.ADMIN_API_KEY || undefined,
    apiPort,
    listenHost: env.LISTEN_HOST || '127.0.0.1',
    mailHostname,
    publicUrl: url(env, 'PUBLIC_URL', `http://localhost:${apiPort ?? 3000}`),
    smtpPort: port(env, 'SMTP_PORT', 2525),
    submissionPort: port(env, 'SUBMISSION_PORT', 2587),
    smtpsPort: port(env, 'SMTPS_PORT', 2465),
    pop3Port: port(env, 'POP3_PORT', 2110),
    pop3sPort: port(env, 'POP3S_PORT', 2995),
    imapPort: port(env, 'IMAP_PORT', 2143),
    imapsPort: port(env, 'IMAPS_PORT', 2993),
    insecureAuth: oneOf(env, 'INSECURE_AUTH', ['loopback', 'never'] as const, 'loopback'),
    tlsCertFile,
    tlsKeyFile,
    transportMap: parseTransportMap(env.TRANSPORT_MAP),
    passwordMinLength: positiveInt(env, 'PASSWORD_MIN_LENGTH', 10),
    defaultQuotaBytes: positiveInt(env, 'DEFAULT_QUOTA_BYTES', 1024 * 1024 * 1024),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    webhookWorker: oneOf(env, 'WEBHOOK_WORKER', ['on', 'off'] as const, 'on') === 'on',
    webhookRetryBaseMs: positiveInt(env, 'WEBHOOK_RETRY_BASE_MS', 30_000),
    webhookPollMs: positiveInt(env, 'WEBHOOK_POLL_MS', 5_000),
    maxMessageBytes: positiveInt(env, 'MAX_MESSAGE_BYTES', 50 * 1024 * 1024),
    maxRecipients: positiveInt(env, 'MAX_RECIPIENTS', 100),
    smtpGreetingDelayMs: nonNegativeInt(env, 'SMTP_GREETING_DELAY_MS', 100),
    authMaxFailures: positiveInt(env, 'AUTH_MAX_FAILURES', 10),
    authMaxFailuresPerIp: positiveInt(env, 'AUTH_MAX_FAILURES_PER_IP', 30),
    authLockoutSeconds: positiveInt(env, 'AUTH_LOCKOUT_SECONDS', 900),
    loginCacheSeconds: nonNegativeInt(env, 'LOGIN_CACHE_SECONDS', 900),
    loginCacheEntries: positiveInt(env, 'LOGIN_CACHE_ENTRIES', 100_000),
    deliveryWorker: oneOf(env, 'DELIVERY_WORKER', ['on', 'off'] as const, 'on') === 'on',
    deliveryConcurrency: positiveInt(env, 'DELIVERY_CONCURRENCY', 10),
    // 1 min, 5 min, 15 min, 30 min, 1 h, 2 h, then every 4 h until the lifetime ends
    deliveryRetrySchedule: secondsList(env, 'DELIVERY_RETRY_SCHEDULE', [60, 300, 900, 1800, 3600, 7200, 14400]),
    queueLifetimeSeconds: positiveInt(env, 'QUEUE_LIFETIME_SECONDS', 5 * 86400),
    delayNoticeSeconds: nonNegativeInt(env, 'DELAY_NOTICE_SECONDS', 4 * 3600),
    deliveryPollMs: positiveInt(env, 'DELIVERY_POLL_MS', 2_000),
    deliveryConnectTimeoutMs: positiveInt(env, 'DELIVERY_CONNECT_TIMEOUT_MS', 30_000),
    deliverySocketTimeoutMs: positiveInt(env, 'DELIVERY_SOCKET_TIMEOUT_MS', 300_000),
    dsnOriginalMaxBytes: positiveInt(env, 'DSN_ORIGINAL_MAX_BYTES', 1024 * 1024),
    autoSuspendLimitHits: nonNegativeInt(env, 'AUTO_SUSPEND_LIMIT_HITS', 50),
    autoSuspendFailureRatio: ratio(env, 'AUTO_SUSPEND_FAILURE_RATIO', 0.5),
    autoSuspendMinRecipients: positiveInt(env, 'AUTO_SUSPEND_MIN_RECIPIENTS', 20),
    autoSuspendWindowSeconds: positiveInt(env, 'AUTO_SUSPEND_WINDOW_SECONDS', 3600),
  };
}

/** Reads the configuration or exits with the offending variable named. */
export function loadConfigOrExit(env: Env = process.env): PostbodeConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
