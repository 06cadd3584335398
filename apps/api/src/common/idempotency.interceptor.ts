import { CallHandler, ExecutionContext, Injectable, NestInterceptor, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { from, Observable, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { DataSource } from 'typeorm';
import { IdempotencySeal } from '../../../../libs/core/src/auth/idempotency-seal';
import { DomainError } from '../../../../libs/core/src/errors';
import { newId } from '../../../../libs/core/src/ids';
import { Caller } from './caller';
import { toErrorResponse } from './errors';

/** How long an Idempotency-Key is remembered; after that the same key starts a new request. */
export const IDEMPOTENCY_RETENTION_HOURS = 24;

/** Forgets keys older than the retention; returns how many. */
export async function purgeExpiredIdempotencyKeys(db: DataSource): Promise<number> {
  const res = await db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [IDEMPOTENCY_RETENTION_HOURS]);
  return Array.isArray(res) ? Number(res[1] ?? 0) : 0;
}

type Claim = { kind: 'fresh'; id: string } | { kind: 'replay'; status: number; body: unknown };

/** Key order must not change the hash: {a,b} and {b,a} are the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * POST with `Idempotency-Key`: the first request does the work and its answer
 * (success or 4xx) is stored; the same key and body replay that answer; the
 * same key with another body is refused with 422. A 5xx is not stored, so a
 * retry runs again. Keys are per API key and remembered for
 * IDEMPOTENCY_RETENTION_HOURS. What is stored cannot be read without the
 * Idempotency-Key (IdempotencySeal): answers may carry secrets shown once.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor, OnModuleInit, OnModuleDestroy {
  private purgeTimer: NodeJS.Timeout | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onModuleInit(): void {
    // every API process purges; two doing it at once only delete the same rows
    this.purgeTimer = setInterval(() => void purgeExpiredIdempotencyKeys(this.db).catch(() => undefined), 15 * 60_000);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
  }


  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest();
    const res = ctx.switchToHttp().getResponse<Response>();
    const key = req.headers['idempotency-key'];
    const caller: Caller | undefined = req.caller;
    if (req.method !== 'POST' || key === undefined || !caller?.keyId) return next.handle();
    if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
      return throwError(() => new DomainError('validation', 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 characters', [{ field: 'Idempotency-Key', message: 'must be 1-255 characters' }]));
    }
    const path = String(req.originalUrl ?? req.url).split('?')[0];
    const request = `${req.method} ${path}\n${canonical(req.body)}`;
    const seal = new IdempotencySeal(caller.keyId, key);

    return from(this.claim(caller.keyId, seal, request, req.method, path)).pipe(
      mergeMap((claim) => {
        if (claim.kind === 'replay') {
          res.status(claim.status);
          res.setHeader('Idempotent-Replayed', 'true');
          return of(claim.body);
        }
        return next.handle().pipe(
          mergeMap((body) => from(this.store(claim.id, res.statusCode, seal.seal(body))).pipe(mergeMap(() => of(body)))),
          catchError((err) => {
            const { status, body } = toErrorResponse(err, req.id ?? null);
            const done = status >= 500 ? this.release(claim.id) : this.store(claim.id, status, seal.seal(body));
            return from(done).pipe(mergeMap(() => throwError(() => err)));
          }),
        );
      }),
    );
  }

  private async claim(apiKeyId: string, seal: IdempotencySeal, request: string, method: string, path: string): Promise<Claim> {
    const id = newId();
    const requestHash = seal.requestHash(request);
    // a key older than the retention is taken over as new, in the same statement
    const inserted = await this.db.query(
      `INSERT INTO idempotency_keys AS k (id, api_key_id, key, method, path, request_hash)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (api_key_id, key) DO UPDATE
          SET id = EXCLUDED.id, method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash,
              response_status = NULL, response_sealed = NULL, created_at = now()
        WHERE k.created_at < now() - make_interval(hours => $7)
       RETURNING id`,
      [id, apiKeyId, seal.lookup, method, path, requestHash, IDEMPOTENCY_RETENTION_HOURS],
    );
    if (inserted.length) return { kind: 'fresh' as const, id };
    const [row] = await this.db.query(
      'SELECT request_hash, response_status, response_sealed FROM idempotency_keys WHERE api_key_id = $1 AND key = $2',
      [apiKeyId, seal.lookup],
    );
    if (!row) return this.claim(apiKeyId, seal, request, method, path); // released meanwhile
    // rows kept from before sealing compare by a plain SHA-256 (marked so); they expire with the retention
    const sameRequest = row.request_hash.startsWith('sha256:')
      ? row.request_hash === `sha256:${createHash('sha256').update(request).digest('hex')}`
      : row.request_hash === requestHash;
    if (!sameRequest) {
      throw new DomainError('unprocessable', 'idempotency_key_reused', 'This Idempotency-Key was used with a different request; use a new key');
    }
    if (row.response_status === null) {
      throw new DomainError('conflict', 'idempotency_request_in_progress', 'The first request with this Idempotency-Key is still running; retry shortly');
    }
    return { kind: 'replay' as const, status: row.response_status as number, body: seal.open(row.response_sealed as Buffer) };
  }

  private async store(id: string, status: number, sealed: Buffer): Promise<void> {
    await this.db.query('UPDATE idempotency_keys SET response_status = $2, response_sealed = $3 WHERE id = $1', [id, status, sealed]);
  }

  private async release(id: string): Promise<void> {
    await this.db.query('DELETE FROM idempotency_keys WHERE id = $1', [id]);
  }
}
