import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { from, Observable, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { DataSource } from 'typeorm';
import { DomainError } from '../../../../libs/core/src/errors';
import { newId } from '../../../../libs/core/src/ids';
import { Caller } from './caller';
import { toErrorResponse } from './errors';

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
 * retry runs again. Keys are per API key.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

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
    const requestHash = createHash('sha256').update(`${req.method} ${path}\n${canonical(req.body)}`).digest('hex');

    return from(this.claim(caller.keyId, key, req.method, path, requestHash)).pipe(
      mergeMap((claim) => {
        if (claim.kind === 'replay') {
          res.status(claim.status);
          res.setHeader('Idempotent-Replayed', 'true');
          return of(claim.body);
        }
        return next.handle().pipe(
          mergeMap((body) => from(this.store(claim.id, res.statusCode, body)).pipe(mergeMap(() => of(body)))),
          catchError((err) => {
            const { status, body } = toErrorResponse(err, req.id ?? null);
            const done = status >= 500 ? this.release(claim.id) : this.store(claim.id, status, body);
            return from(done).pipe(mergeMap(() => throwError(() => err)));
          }),
        );
      }),
    );
  }

  private async claim(apiKeyId: string, key: string, method: string, path: string, requestHash: string): Promise<Claim> {
    const id = newId();
    const inserted = await this.db.query(
      `INSERT INTO idempotency_keys (id, api_key_id, key, method, path, request_hash)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (api_key_id, key) DO NOTHING RETURNING id`,
      [id, apiKeyId, key, method, path, requestHash],
    );
    if (inserted.length) return { kind: 'fresh' as const, id };
    const [row] = await this.db.query(
      'SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE api_key_id = $1 AND key = $2',
      [apiKeyId, key],
    );
    if (!row) return this.claim(apiKeyId, key, method, path, requestHash); // released meanwhile
    if (row.request_hash !== requestHash) {
      throw new DomainError('unprocessable', 'idempotency_key_reused', 'This Idempotency-Key was used with a different request; use a new key');
    }
    if (row.response_status === null) {
      throw new DomainError('conflict', 'idempotency_request_in_progress', 'The first request with this Idempotency-Key is still running; retry shortly');
    }
    return { kind: 'replay' as const, status: row.response_status as number, body: row.response_body as unknown };
  }

  private async store(id: string, status: number, body: unknown): Promise<void> {
    await this.db.query('UPDATE idempotency_keys SET response_status = $2, response_body = $3 WHERE id = $1', [
      id,
      status,
      JSON.stringify(body ?? null),
    ]);
  }

  private async release(id: string): Promise<void> {
    await this.db.query('DELETE FROM idempotency_keys WHERE id = $1', [id]);
  }
}
