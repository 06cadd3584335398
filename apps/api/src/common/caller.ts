import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** Who is calling: resolved once by the auth guard, passed to every service. */
export interface Caller {
  /** api_key | signer (signing link) | anonymous (health) */
  type: 'api_key' | 'signer' | 'anonymous';
  keyId: string | null;
  scopes: readonly string[];
  /** Set for customer-bound keys: every query is limited to this customer. */
  customerId: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export const CurrentCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  const req = ctx.switchToHttp().getRequest();
  return req.caller;
});
