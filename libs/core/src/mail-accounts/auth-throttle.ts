import { isIPv4 } from 'node:net';
import { DataSource } from 'typeorm';
import { normaliseIp, parseCidr } from '../relay/client-networks';

/**
 * Slows down and then locks out password guessing, per user and per client
 * network, with the counts in PostgreSQL (auth_failures) so every mail-server
 * process and every protocol agrees.
 *
 * - Each failure is answered after a delay that doubles: 250 ms, 500 ms, 1 s,
 *   2 s, 4 s, then 5 s at most.
 * - `maxFailures` failures for one user, or `maxFailuresPerIp` from one client
 *   address (IPv6: its /64), within `lockoutSeconds` lock that key for
 *   `lockoutSeconds`: logins are then refused without looking at the password,
 *   so a correct guess during the lockout is worth nothing.
 * - A successful login clears the user's count (not the address's: one good
 *   account must not reset the counter of an attacker's address).
 */
export interface AuthThrottlePolicy {
  maxFailures: number;
  maxFailuresPerIp: number;
  lockoutSeconds: number;
}

export interface LockState {
  locked: boolean;
  retryAfterSeconds: number;
}

/** `ip:192.0.2.7`, or for IPv6 the client's /64 (`ip:2001:db8:0:1::/64`): one home or host network. */
export function ipKey(address: string): string {
  const ip = normaliseIp(address);
  if (!ip) return `ip:${address}`;
  if (isIPv4(ip)) return `ip:${ip}`;
  const net = parseCidr(`${ip}/64`);
  return 'cidr' in net ? `ip:${net.cidr}` : `ip:${ip}`;
}

export function userKey(username: string): string {
  return `user:${String(username).trim().toLowerCase().slice(0, 320)}`;
}

export function failureDelayMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(250 * 2 ** (failures - 1), 5000);
}

export class AuthThrottle {
  constructor(
    private readonly db: DataSource,
    readonly policy: AuthThrottlePolicy,
  ) {}

  async lockState(ip: string, username: string): Promise<LockState> {
    const rows = await this.db.query(
      `SELECT ceil(extract(epoch FROM max(locked_until) - now()))::int AS wait
         FROM auth_failures WHERE key = ANY($1) AND locked_until > now()`,
      [[ipKey(ip), userKey(username)]],
    );
    const wait = rows[0]?.wait;
    return wait ? { locked: true, retryAfterSeconds: Math.max(1, wait) } : { locked: false, retryAfterSeconds: 0 };
  }

  /** Counts one failure for the user and the address; answers how long to hold the reply. */
  async recordFailure(ip: string, username: string): Promise<{ delayMs: number; locked: boolean }> {
    const user = await this.bump(userKey(username), this.policy.maxFailures);
    const net = await this.bump(ipKey(ip), this.policy.maxFailuresPerIp);
    return { delayMs: failureDelayMs(Math.max(user.failures, net.failures)), locked: user.locked || net.locked };
  }

  async recordSuccess(username: string): Promise<void> {
    await this.db.query('DELETE FROM auth_failures WHERE key = $1 AND (locked_until IS NULL OR locked_until <= now())', [userKey(username)]);
  }

  /** Rows whose window and lockout are both over; called now and then by the mail server. */
  async purgeExpired(): Promise<number> {
    const res = await this.db.query(
      `DELETE FROM auth_failures
        WHERE last_failure_at < now() - make_interval(secs => $1)
          AND (locked_until IS NULL OR locked_until < now())`,
      [this.policy.lockoutSeconds],
    );
    return Array.isArray(res) ? Number(res[1] ?? 0) : 0;
  }

  private async bump(key: string, max: number): Promise<{ failures: number; locked: boolean }> {
    // One statement, so concurrent failures from several processes count exactly.
    const rows = await this.db.query(
      `INSERT INTO auth_failures AS f (key, failures, window_started_at, last_failure_at, locked_until)
       VALUES ($1, 1, now(), now(), CASE WHEN $3 <= 1 THEN now() + make_interval(secs => $2) END)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN f.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE f.failures + 1 END,
         window_started_at = CASE WHEN f.window_started_at < now() - make_interval(secs => $2) THEN now() ELSE f.window_started_at END,
         last_failure_at = now(),
         locked_until = CASE
           WHEN (CASE WHEN f.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE f.failures + 1 END) >= $3
             THEN greatest(f.locked_until, now() + make_interval(secs => $2))
           ELSE f.locked_until END
       RETURNING failures, coalesce(locked_until > now(), false) AS locked`,
      [key, this.policy.lockoutSeconds, max],
    );
    return { failures: rows[0].failures, locked: rows[0].locked };
  }
}
