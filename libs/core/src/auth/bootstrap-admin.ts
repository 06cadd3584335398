import { DataSource } from 'typeorm';
import { ApiKey } from '../entities';
import { recordEvent } from '../events';
import { generateApiKeyToken, hashSecret, parseApiKeyToken } from './api-key-token';

/**
 * First start: make an admin key and hand it back once to be printed, or
 * register ADMIN_API_KEY when the operator set one. Later starts change nothing.
 * An advisory lock keeps two processes starting together from making two keys.
 */
export async function ensureAdminKey(db: DataSource, adminApiKey: string | undefined): Promise<{ createdToken: string | null }> {
  return db.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['postbode:bootstrap-admin']);
    if (adminApiKey) {
      const parsed = parseApiKeyToken(adminApiKey);
      if (!parsed) throw new Error('ADMIN_API_KEY is not usable as a bearer token');
      const existing = await m.findOne(ApiKey, { where: { prefix: parsed.prefix } });
      if (!existing) {
        const key = m.create(ApiKey, { name: 'ADMIN_API_KEY', prefix: parsed.prefix, secretHash: hashSecret(parsed.secret), scopes: ['admin'], customerId: null, lastUsedAt: null, revokedAt: null, createdByKeyId: null });
        await m.save(key);
        await recordEvent(m, { type: 'system', id: null }, { action: 'api_key.created', targetType: 'api_key', targetId: key.id, customerId: null, after: { name: key.name, scopes: key.scopes } });
      }
      return { createdToken: null };
    }
    const anyAdmin = await m
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .where(`'admin' = ANY(k.scopes)`)
      .andWhere('k.revokedAt IS NULL')
      .andWhere('k.customerId IS NULL')
      .getExists();
    if (anyAdmin) return { createdToken: null };
    const { token, prefix, secretHash } = generateApiKeyToken();
    const key = m.create(ApiKey, { name: 'bootstrap admin', prefix, secretHash, scopes: ['admin'], customerId: null, lastUsedAt: null, revokedAt: null, createdByKeyId: null });
    await m.save(key);
    await recordEvent(m, { type: 'system', id: null }, { action: 'api_key.created', targetType: 'api_key', targetId: key.id, customerId: null, after: { name: key.name, scopes: key.scopes } });
    return { createdToken: token };
  });
}
