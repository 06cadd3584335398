import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKey } from '../../../../libs/core/src/entities';
import { parseApiKeyToken, secretMatches } from '../../../../libs/core/src/auth/api-key-token';
import { hasAnyScope, Scope } from '../../../../libs/core/src/auth/scopes';
import { DomainError } from '../../../../libs/core/src/errors';
import { Caller } from './caller';
import { ErrorResponse } from './errors';

const ACCESS = 'postbode:access';

type Access = { kind: 'api_key'; scopes: readonly Scope[] } | { kind: 'public'; why: string };

/**
 * Every route states who may call it: with an API key holding any of these
 * scopes (admin always may). Sets the guard's rule and the OpenAPI security together.
 */
export function Authenticated(...scopes: Scope[]) {
  return applyDecorators(
    SetMetadata(ACCESS, { kind: 'api_key', scopes } satisfies Access),
    ApiBearerAuth('apiKey'),
    ApiBadRequestResponse({ description: 'Invalid input: error.details names each bad field', type: ErrorResponse }),
    ApiUnauthorizedResponse({ description: 'Missing, unknown or revoked API key', type: ErrorResponse }),
    ApiForbiddenResponse({ description: `Needs one of the scopes: ${['admin', ...scopes].join(', ')}`, type: ErrorResponse }),
  );
}

/** A route anyone may call (health, signing with a token): say why. */
export function PublicRoute(why: string) {
  return applyDecorators(
    SetMetadata(ACCESS, { kind: 'public', why } satisfies Access),
    ApiSecurity({}),
    ApiBadRequestResponse({ description: 'Invalid input: error.details names each bad field', type: ErrorResponse }),
  );
}

const TOUCH_INTERVAL_MS = 60_000;

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest();
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [ctx.getHandler(), ctx.getClass()]);
    const base: Caller = {
      type: 'anonymous',
      keyId: null,
      scopes: [],
      customerId: null,
      requestId: req.id ?? null,
      ip: req.ip ?? null,
      userAgent: req.headers['user-agent'] ?? null,
    };
    if (!access) {
      // A route without an access rule is a programming error, never open by default.
      throw new Error(`route ${req.method} ${req.route?.path} declares no access rule`);
    }
    if (access.kind === 'public') {
      req.caller = base;
      return true;
    }
    const header = req.headers['authorization'];
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw new DomainError('unauthorized', 'missing_credentials', 'Send an API key as "Authorization: Bearer <key>"');
    const parsed = parseApiKeyToken(m[1]);
    if (!parsed) throw new DomainError('unauthorized', 'invalid_api_key', 'The API key is not valid');
    const key = await this.db
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .addSelect('k.secretHash')
      .where('k.prefix = :prefix', { prefix: parsed.prefix })
      .getOne();
    if (!key || !secretMatches(parsed.secret, key.secretHash)) {
      throw new DomainError('unauthorized', 'invalid_api_key', 'The API key is not valid');
    }
    if (key.revokedAt) throw new DomainError('unauthorized', 'api_key_revoked', 'The API key has been revoked');
    if (!hasAnyScope(key.scopes, access.scopes)) {
      throw new DomainError('forbidden', 'insufficient_scope', `This API key lacks the scope for this action (needs one of: ${['admin', ...access.scopes].join(', ')})`);
    }
    // last-used time, written at most once a minute per key so reads stay reads
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      await this.db.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [key.id]);
    }
    req.caller = { ...base, type: 'api_key', keyId: key.id, scopes: key.scopes, customerId: key.customerId } satisfies Caller;
    return true;
  }
}
