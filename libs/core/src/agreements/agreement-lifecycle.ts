import { EntityManager } from 'typeorm';
import { Agreement, AgreementStatus } from '../entities';
import { conflict, notFound } from '../errors';
import { Actor, recordEvent } from '../events';
import { holdQueuedMail, releaseHeldMail } from '../delivery/hold';
import { agreementView } from './agreement-view';

/**
 * The life of an agreement after signing:
 *
 *   active --suspend--> suspended --reinstate--> active
 *   active | suspended --revoke--> revoked   (final: only a new signature helps)
 *
 * `superseded` (a newer signature replaced it) is set by signing, never here.
 * Every change is an event (agreement.suspended / reinstated / revoked) with
 * actor and reason, and a NOTIFY on postbode_changes so mail servers drop
 * what they cached about the customer at once. Used by the API (staff,
 * billing) and later by the mail server's automatic suspension (actor system).
 */
export type AgreementTransition = 'suspend' | 'reinstate' | 'revoke';

const RULES: Record<AgreementTransition, { from: AgreementStatus[]; to: AgreementStatus; action: string }> = {
  suspend: { from: ['active'], to: 'suspended', action: 'agreement.suspended' },
  reinstate: { from: ['suspended'], to: 'active', action: 'agreement.reinstated' },
  revoke: { from: ['active', 'suspended'], to: 'revoked', action: 'agreement.revoked' },
};

/** Why a transition is refused; with the rules above, these three cases are all there are. */
function refusal(a: Agreement, transition: AgreementTransition) {
  if (a.status === RULES[transition].to) return conflict(`agreement_already_${a.status}`, `The agreement is already ${a.status}`);
  if (a.status === 'superseded') return conflict('agreement_superseded', 'A newer signature replaced this agreement; change that one instead');
  return conflict('agreement_revoked', 'The agreement was revoked and cannot change any more; the customer must sign again');
}

/** Applies a transition to an agreement row the caller has locked (FOR UPDATE) in this transaction. */
export async function applyAgreementTransition(
  m: EntityManager,
  actor: Actor,
  agreement: Agreement,
  transition: AgreementTransition,
  reason: string | null,
): Promise<Agreement> {
  const rule = RULES[transition];
  if (!rule.from.includes(agreement.status)) throw refusal(agreement, transition);
  const before = agreementView(agreement);
  agreement.status = rule.to;
  agreement.statusReason = reason;
  agreement.statusChangedAt = new Date();
  agreement.statusChangedByType = actor.type;
  agreement.statusChangedById = actor.id;
  await m.save(agreement);
  await recordEvent(m, actor, {
    action: rule.action,
    targetType: 'agreement',
    targetId: agreement.id,
    customerId: agreement.customerId,
    before,
    after: { ...agreementView(agreement), reason },
  });
  // the customer's queued outbound mail follows the permission: held while suspended or revoked
  if (rule.to === 'active') await releaseHeldMail(m, { customerId: agreement.customerId });
  else await holdQueuedMail(m, { customerId: agreement.customerId });
  await notifyAgreementChanged(m, agreement);
  return agreement;
}

/** Locks the agreement and applies the transition: for callers without an API caller (the mail server). */
export async function changeAgreementStatus(
  m: EntityManager,
  actor: Actor,
  agreementId: string,
  transition: AgreementTransition,
  reason: string | null,
): Promise<Agreement> {
  const agreement = await m.findOne(Agreement, { where: { id: agreementId }, lock: { mode: 'pessimistic_write' } });
  if (!agreement) throw notFound('agreement', agreementId);
  return applyAgreementTransition(m, actor, agreement, transition, reason);
}

/** Tells every mail server (LISTEN postbode_changes) that this customer's relay permission may have changed. */
export async function notifyAgreementChanged(m: EntityManager, agreement: Agreement): Promise<void> {
  await m.query(`SELECT pg_notify('postbode_changes', $1)`, [JSON.stringify({ kind: 'agreement', id: agreement.id, customerId: agreement.customerId })]);
}
