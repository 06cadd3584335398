import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HttpException, HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainError } from '../../../../libs/core/src/errors';

export class ErrorBody {
  @ApiProperty({ example: 'validation_failed' }) code: string;
  @ApiProperty({ example: 'Request validation failed' }) message: string;
  @ApiPropertyOptional({
    description: 'Field errors ([{ field, message }]) or other context',
    nullable: true,
    oneOf: [{ type: 'array', items: { type: 'object' } }, { type: 'object' }],
  })
  details: unknown;
  @ApiPropertyOptional({ nullable: true, description: 'Ties the response to its log lines' }) requestId: string | null;
}

export class ErrorResponse {
  @ApiProperty({ type: ErrorBody }) error: ErrorBody;
}

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
};

/** Maps anything thrown to the one error shape. Used by the filter and by idempotent replay. */
export function toErrorResponse(err: unknown, requestId: string | null): { status: number; body: ErrorResponse } {
  const wrap = (status: number, code: string, message: string, details: unknown = null) => ({
    status,
    body: { error: { code, message, details, requestId } },
  });
  if (err instanceof DomainError) return wrap(err.httpStatus, err.code, err.message, err.details);
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse() as { message?: unknown; error?: string } | string;
    const message = typeof res === 'string' ? res : Array.isArray(res.message) ? res.message.join('; ') : String(res.message ?? err.message);
    return wrap(status, HTTP_CODES[status] ?? (status >= 500 ? 'internal_error' : 'error'), message);
  }
  const e = err as { type?: string; status?: number; message?: string; code?: string };
  // body-parser errors carry status and type
  if (e?.type === 'entity.parse.failed') return wrap(400, 'invalid_json', 'The request body is not valid JSON');
  if (e?.type === 'entity.too.large') return wrap(413, 'payload_too_large', 'The request body is too large');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return wrap(e.status, HTTP_CODES[e.status] ?? 'bad_request', e.message ?? 'Bad request');
  }
  if (err instanceof QueryFailedError) {
    const code = (err as unknown as { code?: string }).code;
    if (code === '23505') return wrap(409, 'conflict', 'A resource with these values already exists');
    // 23503 foreign_key_violation; 23001 restrict_violation (ON DELETE RESTRICT)
    if (code === '23503' || code === '23001') return wrap(409, 'conflict', 'The resource is still referenced by others');
    if (code === '22P02' || code === '22003') return wrap(400, 'bad_request', 'A value is out of range or malformed');
  }
  return wrap(HttpStatus.INTERNAL_SERVER_ERROR, 'internal_error', 'Internal server error');
}
