import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DomainError, notFound } from '../../../../libs/core/src/errors';
import { Actor } from '../../../../libs/core/src/events';
import { Caller } from './caller';

/** Limits a query to the caller's customer when the key is bound to one. */
export function scopeToCaller<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>, caller: Caller, column = 'customerId'): SelectQueryBuilder<E> {
  if (caller.customerId) qb.andWhere(`${qb.alias}.${column} = :callerCustomerId`, { callerCustomerId: caller.customerId });
  return qb;
}

/** A bound key asking for another customer's resource learns nothing: 404, as if it did not exist. */
export function requireVisible(caller: Caller, customerId: string, what: string, id: string): void {
  if (caller.customerId && caller.customerId !== customerId) throw notFound(what, id);
}

/** Actions that belong to the ISP (suspend, reinstate, create customers) refuse customer-bound keys. */
export function requireUnbound(caller: Caller, action: string): void {
  if (caller.customerId) {
    throw new DomainError('forbidden', 'customer_bound_key', `A customer-bound API key may not ${action}`);
  }
}

export function actorOf(caller: Caller): Actor {
  return { type: caller.type, id: caller.keyId, requestId: caller.requestId };
}
