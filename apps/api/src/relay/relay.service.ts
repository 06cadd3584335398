import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { holdQueuedMail, releaseHeldMail } from '../../../../libs/core/src/delivery/hold';
import { Mailbox } from '../../../../libs/core/src/entities';
import { conflict, notFound } from '../../../../libs/core/src/errors';
import { recordEvent } from '../../../../libs/core/src/events';
import { decideRelay } from '../../../../libs/core/src/relay/relay-decision';
import { loadRelaySubject } from '../../../../libs/core/src/relay/relay-subject';
import { loadRelayUsage } from '../../../../libs/core/src/relay/relay-usage';
import { actorOf, requireUnbound, requireVisible } from '../common/access';
import { Caller } from '../common/caller';
import { MailboxRelayStateDto, RelayPermissionDto } from './relay.dto';

/** A recipient no hosted domain can have (RFC 2606 .invalid): "anyone on the internet". */
const PROBE_RECIPIENT = 'someone@relay-check.invalid';

@Injectable()
export class RelayService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Asks decideRelay what the mail server would answer if this user, logged
   * in and sending as its own address, gave a recipient in another domain now.
   */
  async permission(caller: Caller, mailboxId: string): Promise<RelayPermissionDto> {
    const m = this.db.manager;
    const subject = await loadRelaySubject(m, { mailboxId });
    if (!subject) throw notFound('mailbox', mailboxId);
    requireVisible(caller, subject.customerId, 'mailbox', mailboxId);
    const usage = await loadRelayUsage(m, subject);
    const decision = decideRelay({
      session: { clientIp: null, subject },
      sender: subject.address,
      recipient: PROBE_RECIPIENT,
      recipientDomainHosted: false,
      localRecipient: null,
      usage: { ...usage, recipientsInMessage: 0 },
    });
    const refused = decision.verdict === 'accept' ? null : decision;
    return {
      mailboxId: subject.mailboxId,
      address: subject.address,
      allowed: !refused,
      code: refused?.code ?? null,
      enhancedCode: refused?.enhancedCode ?? null,
      reason: refused?.reason ?? null,
      message: refused?.message ?? 'This mailbox may send mail to other domains',
      limits: subject.agreement ? { ...subject.agreement.limits } : null,
      usage,
      agreementId: subject.agreement?.id ?? null,
    };
  }

  async block(caller: Caller, mailboxId: string, reason: string): Promise<MailboxRelayStateDto> {
    requireUnbound(caller, 'block relaying for a mailbox');
    return this.setBlocked(caller, mailboxId, reason.trim());
  }

  async unblock(caller: Caller, mailboxId: string): Promise<MailboxRelayStateDto> {
    requireUnbound(caller, 'unblock relaying for a mailbox');
    return this.setBlocked(caller, mailboxId, null);
  }

  /** reason null: lift the block. The customer's agreement is not touched either way. */
  private async setBlocked(caller: Caller, mailboxId: string, reason: string | null): Promise<MailboxRelayStateDto> {
    return this.db.transaction(async (m) => {
      const mailbox = await m.findOne(Mailbox, { where: { id: mailboxId }, lock: { mode: 'pessimistic_write' } });
      if (!mailbox) throw notFound('mailbox', mailboxId);
      requireVisible(caller, mailbox.customerId, 'mailbox', mailboxId);
      const block = reason !== null;
      if (mailbox.relayBlocked === block) {
        throw block ? conflict('relay_already_blocked', 'Relaying is already blocked for this mailbox') : conflict('relay_not_blocked', 'Relaying is not blocked for this mailbox');
      }
      const before = MailboxRelayStateDto.from(mailbox);
      mailbox.relayBlocked = block;
      mailbox.relayBlockedReason = reason;
      mailbox.relayBlockedAt = block ? new Date() : null;
      await m.save(mailbox);
      const after = MailboxRelayStateDto.from(mailbox);
      await recordEvent(m, actorOf(caller), {
        action: block ? 'mailbox.relay_blocked' : 'mailbox.relay_unblocked',
        targetType: 'mailbox',
        targetId: mailbox.id,
        customerId: mailbox.customerId,
        before,
        after,
      });
      // what this mailbox still has queued is held while it may not relay, and goes out once it may again
      if (block) await holdQueuedMail(m, { mailboxId: mailbox.id });
      else await releaseHeldMail(m, { mailboxId: mailbox.id });
      await m.query(`SELECT pg_notify('postbode_changes', $1)`, [JSON.stringify({ kind: 'mailbox', id: mailbox.id })]);
      return after;
    });
  }
}
