import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * What the idempotency store keeps of a request, without keeping what the
 * request or its answer said. A remembered answer can carry a secret shown
 * only once (a new API key, a webhook's signing secret, a signing link), and
 * a request body can carry a mailbox password; a database dump, a replica or
 * a backup must not give them away.
 *
 * Everything is derived from the Idempotency-Key itself, which only the
 * client has: the row is found by a SHA-256 of it, the request is compared by
 * an HMAC under a key derived from it, and the answer is sealed with AES-256-GCM
 * under another key derived from it. Without the Idempotency-Key the row is
 * noise. (A guessable Idempotency-Key gives that protection away: clients should
 * send random ones, as UUIDs are; the README says so.)
 */
export class IdempotencySeal {
  private readonly macKey: Buffer;
  private readonly sealKey: Buffer;
  /** What the row is stored under: SHA-256 of the key, never the key. */
  readonly lookup: string;

  constructor(apiKeyId: string, idempotencyKey: string) {
    const material = Buffer.from(hkdfSync('sha256', Buffer.from(idempotencyKey, 'utf8'), Buffer.from(apiKeyId, 'utf8'), 'postbode idempotency v1', 64));
    this.macKey = material.subarray(0, 32);
    this.sealKey = material.subarray(32);
    this.lookup = createHash('sha256').update(`${apiKeyId}\n${idempotencyKey}`).digest('hex');
  }

  /** Compares requests (method, path, canonical body) without a fast hash of a body that may hold a password. */
  requestHash(request: string): string {
    return createHmac('sha256', this.macKey).update(request).digest('hex');
  }

  /** 12-byte nonce, 16-byte tag, ciphertext of the JSON answer. */
  seal(body: unknown): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(body ?? null), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]);
  }

  /** The answer, or throws when the bytes were not sealed under this key (never silently wrong). */
  open(sealed: Buffer): unknown {
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8'));
  }
}
