import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { generateApiKeyToken } from '../../../../libs/core/src/auth/api-key-token';
import { ApiKey, Customer } from '../../../../libs/core/src/entities';
import { conflict, invalid, notFound } from '../../../../libs/core/src/errors';
import { recordEvent } from '../../../../libs/core/src/events';
import { actorOf, requireUnbound } from '../common/access';
import { Caller } from '../common/caller';
import { Page, paginate } from '../common/pagination';
import { ApiKeyDto, ApiKeyListQuery, CreateApiKeyDto, CreatedApiKeyDto } from './api-key.dto';

@Injectable()
export class ApiKeysService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(caller: Caller, dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    requireUnbound(caller, 'create API keys');
    if (dto.customerId && dto.scopes.includes('admin')) {
      throw invalid('scopes', 'a key bound to a customer cannot have the admin scope');
    }
    return this.db.transaction(async (m) => {
      if (dto.customerId && !(await m.exists(Customer, { where: { id: dto.customerId } }))) {
        throw invalid('customerId', 'no such customer');
      }
      const { token, prefix, secretHash } = generateApiKeyToken();
      const key = m.create(ApiKey, {
        name: dto.name.trim(),
        prefix,
        secretHash,
        scopes: dto.scopes,
        customerId: dto.customerId ?? null,
        lastUsedAt: null,
        revokedAt: null,
        createdByKeyId: caller.keyId,
      });
      await m.save(key);
      const out = ApiKeyDto.from(key);
      await recordEvent(m, actorOf(caller), { action: 'api_key.created', targetType: 'api_key', targetId: key.id, customerId: key.customerId, after: out });
      return { ...out, key: token };
    });
  }

  async list(caller: Caller, q: ApiKeyListQuery): Promise<Page<ApiKeyDto>> {
    const qb = this.db.getRepository(ApiKey).createQueryBuilder('k');
    if (q.customerId) qb.andWhere('k.customerId = :customerId', { customerId: q.customerId });
    const page = await paginate(qb, q);
    return { items: page.items.map(ApiKeyDto.from), nextCursor: page.nextCursor };
  }

  async get(caller: Caller, id: string): Promise<ApiKeyDto> {
    const key = await this.db.getRepository(ApiKey).findOne({ where: { id } });
    if (!key) throw notFound('api key', id);
    return ApiKeyDto.from(key);
  }

  async revoke(caller: Caller, id: string): Promise<ApiKeyDto> {
    return this.db.transaction(async (m) => {
      const key = await m.findOne(ApiKey, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw notFound('api key', id);
      if (key.revokedAt) throw conflict('api_key_already_revoked', 'The API key is already revoked');
      if (key.id === caller.keyId) throw conflict('cannot_revoke_own_key', 'A key cannot revoke itself; use another admin key');
      const before = ApiKeyDto.from(key);
      key.revokedAt = new Date();
      await m.save(key);
      const after = ApiKeyDto.from(key);
      await recordEvent(m, actorOf(caller), { action: 'api_key.revoked', targetType: 'api_key', targetId: key.id, customerId: key.customerId, before, after });
      return after;
    });
  }
}
