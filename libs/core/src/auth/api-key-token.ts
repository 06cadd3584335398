import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API key tokens look like `pb_<prefix>_<secret>`: the prefix finds the row,
 * the secret (192 random bits) is checked against its SHA-256. A fast hash is
 * right here: with that much entropy there is nothing to brute-force.
 */
export function generateApiKeyToken(): { token: string; prefix: string; secretHash: string } {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  return { token: `pb_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

/**
 * Finds the lookup prefix and the secret in a bearer token. Tokens we issued
 * are `pb_<prefix>_<secret>`; an operator's own ADMIN_API_KEY (any string of
 * 24+ characters) gets a prefix derived from its hash, so it is stored and
 * checked like every other key.
 */
export function parseApiKeyToken(token: string): { prefix: string; secret: string } | null {
  if (typeof token !== 'string' || token.length > 512) return null;
  const m = /^pb_([0-9a-f]{12})_([A-Za-z0-9_-]{20,200})$/.exec(token);
  if (m) return { prefix: m[1], secret: m[2] };
  if (token.length >= 24 && /^[\x21-\x7e]+$/.test(token)) {
    return { prefix: `env-${hashSecret(token).slice(0, 12)}`, secret: token };
  }
  return null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, expectedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(expectedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

