import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { notifyAgreementChanged } from '../../../../libs/core/src/agreements/agreement-lifecycle';
import { renderAgreementHtml } from '../../../../libs/core/src/agreements/agreement-text';
import { agreementView } from '../../../../libs/core/src/agreements/agreement-view';
import { hashSecret } from '../../../../libs/core/src/auth/api-key-token';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { Agreement, AgreementInvitation, AgreementVersion, Customer } from '../../../../libs/core/src/entities';
import { conflict, DomainError, gone, invalid } from '../../../../libs/core/src/errors';
import { Actor, recordEvent } from '../../../../libs/core/src/events';
import { newId } from '../../../../libs/core/src/ids';
import { normaliseIp } from '../../../../libs/core/src/relay/client-networks';
import { actorOf, requireUnbound } from '../common/access';
import { Caller } from '../common/caller';
import { CONFIG } from '../config.module';
import { CustomersService } from '../customers/customers.service';
import { AgreementDto } from './agreement.dto';
import { renderReceipt } from './receipt';
import { CreateInvitationDto, InvitationDto, SignAgreementDto, SignedAgreementDto, SigningPageDto } from './signing.dto';

const DEFAULT_EXPIRY_DAYS = 14;
const DAY_MS = 86_400_000;

/** A token is 32 random bytes, base64url: anything else cannot be one of ours. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

const unknownLink = () =>
  new DomainError('not_found', 'signing_link_unknown', 'This signing link is not valid. Check that the whole link was copied, or ask your provider for a new one.');

/**
 * Invitations and signing. The token in the link is the only credential of
 * the signer: it is stored as a SHA-256, works for one signature, and expires.
 */
@Injectable()
export class SigningService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: PostbodeConfig,
    private readonly customers: CustomersService,
  ) {}

  /** Staff or billing invite a customer; any older open link of that customer stops working. */
  async invite(caller: Caller, customerId: string, dto: CreateInvitationDto): Promise<InvitationDto> {
    // A customer could otherwise sign its way out of a revocation.
    requireUnbound(caller, 'invite a customer to sign');
    return this.db.transaction(async (m) => {
      const customer = await this.customers.load(m, caller, customerId, true);
      const version = await this.versionToSign(m, dto.versionId);
      const current = await m.findOne(Agreement, { where: { customerId: customer.id, status: 'suspended' } });
      if (current) {
        throw conflict('agreement_suspended', "The customer's agreement is suspended; reinstate or revoke it before asking for a new signature", { agreementId: current.id });
      }
      const [replaced]: [{ id: string }[], number] = await m.query(
        `UPDATE agreement_invitations SET replaced_at = now(), updated_at = now()
          WHERE customer_id = $1 AND used_at IS NULL AND replaced_at IS NULL RETURNING id`,
        [customer.id],
      );
      const token = randomBytes(32).toString('base64url');
      const invitation = m.create(AgreementInvitation, {
        customerId: customer.id,
        versionId: version.id,
        tokenHash: hashSecret(token),
        expiresAt: new Date(Date.now() + (dto.expiresInDays ?? DEFAULT_EXPIRY_DAYS) * DAY_MS),
        usedAt: null,
        replacedAt: null,
        agreementId: null,
        createdByType: caller.type,
        createdById: caller.keyId,
      });
      await m.save(invitation);
      await recordEvent(m, actorOf(caller), {
        action: 'agreement_invitation.created',
        targetType: 'agreement_invitation',
        targetId: invitation.id,
        customerId: customer.id,
        after: { id: invitation.id, customerId: customer.id, versionId: version.id, expiresAt: invitation.expiresAt, replacedInvitationIds: replaced.map((r) => r.id) },
      });
      return {
        id: invitation.id,
        customerId: customer.id,
        versionId: version.id,
        signingUrl: `${this.config.publicUrl}/sign/${token}`,
        token,
        expiresAt: invitation.expiresAt,
        createdAt: invitation.createdAt,
      };
    });
  }

  async page(token: string): Promise<SigningPageDto> {
    const invitation = await this.openInvitation(this.db.manager, token, false);
    const [customer, version] = await Promise.all([
      this.db.manager.findOneByOrFail(Customer, { id: invitation.customerId }),
      this.db.manager.findOneByOrFail(AgreementVersion, { id: invitation.versionId }),
    ]);
    return {
      customerName: customer.name,
      version: {
        id: version.id,
        number: version.number!,
        title: version.title,
        text: version.text,
        html: renderAgreementHtml(version.text),
        sha256: version.sha256!,
        limits: { messagesPerHour: version.messagesPerHour, recipientsPerDay: version.recipientsPerDay, recipientsPerMessage: version.recipientsPerMessage },
        publishedAt: version.publishedAt!,
      },
      expiresAt: invitation.expiresAt,
    };
  }

  /**
   * Signs: the agreement becomes active with its evidence. An active
   * agreement of the same customer is superseded by the new one (history, not
   * a revocation); a suspended one is not: a new signature does not lift a
   * suspension, staff must reinstate or revoke first.
   */
  async sign(token: string, dto: SignAgreementDto, evidence: { ip: string | null; userAgent: string | null }): Promise<SignedAgreementDto> {
    return this.db.transaction(async (m) => {
      const invitation = await this.openInvitation(m, token, true);
      const version = await m.findOneByOrFail(AgreementVersion, { id: invitation.versionId });
      if (dto.versionSha256.toLowerCase() !== version.sha256) {
        throw conflict('version_mismatch', 'The terms you were shown are not the terms of this link; reload the page and read them again', {
          expected: version.sha256,
        });
      }
      const signer: Actor = { type: 'signer', id: invitation.id };
      const previous = await m.findOne(Agreement, { where: { customerId: invitation.customerId, status: In(['active', 'suspended']) }, lock: { mode: 'pessimistic_write' } });
      if (previous?.status === 'suspended') {
        throw conflict('agreement_suspended', 'Your current agreement is suspended; a new signature cannot replace it. Please contact your provider.');
      }
      const now = new Date();
      const agreement = m.create(Agreement, {
        id: newId(),
        customerId: invitation.customerId,
        versionId: version.id,
        invitationId: invitation.id,
        status: 'active',
        statusReason: null,
        statusChangedAt: now,
        statusChangedByType: signer.type,
        statusChangedById: signer.id,
        signerName: dto.fullName.trim(),
        signerEmail: dto.email.trim(),
        signedAt: now,
        signerIp: evidence.ip ? (normaliseIp(evidence.ip) ?? evidence.ip) : null,
        signerUserAgent: evidence.userAgent?.slice(0, 1000) ?? null,
        textSha256: version.sha256!,
        messagesPerHour: version.messagesPerHour,
        recipientsPerDay: version.recipientsPerDay,
        recipientsPerMessage: version.recipientsPerMessage,
        // The customer's mail servers do not change with the terms.
        clientNetworks: previous?.clientNetworks ?? [],
        supersededById: null,
      });
      if (previous) await this.supersede(m, signer, previous, agreement.id);
      await m.save(agreement);
      invitation.usedAt = now;
      invitation.agreementId = agreement.id;
      await m.save(invitation);
      await recordEvent(m, signer, { action: 'agreement.signed', targetType: 'agreement', targetId: agreement.id, customerId: agreement.customerId, after: agreementView(agreement) });
      await notifyAgreementChanged(m, agreement);
      return { agreement: AgreementDto.from(agreement), receiptUrl: `${this.config.publicUrl}/v1/signing/${token}/receipt` };
    });
  }

  /** The receipt stays available through the link that signed it, even after the link expired. */
  async receipt(token: string): Promise<{ agreementId: string; text: string }> {
    const invitation = await this.findInvitation(this.db.manager, token, false);
    if (!invitation.agreementId) {
      throw conflict('signing_link_not_used', 'Nothing has been signed with this link yet, so there is no receipt');
    }
    const agreement = await this.db.manager.findOneByOrFail(Agreement, { id: invitation.agreementId });
    const [version, customer] = await Promise.all([
      this.db.manager.findOneByOrFail(AgreementVersion, { id: agreement.versionId }),
      this.db.manager.findOneByOrFail(Customer, { id: agreement.customerId }),
    ]);
    return { agreementId: agreement.id, text: renderReceipt(agreement, version, customer) };
  }

  private async supersede(m: EntityManager, signer: Actor, previous: Agreement, successorId: string): Promise<void> {
    const before = agreementView(previous);
    previous.status = 'superseded';
    previous.statusReason = 'Replaced by a new signature';
    previous.statusChangedAt = new Date();
    previous.statusChangedByType = signer.type;
    previous.statusChangedById = signer.id;
    previous.supersededById = successorId;
    // Saved before the new row: at most one current agreement per customer (uq_agreements_current).
    await m.save(previous);
    await recordEvent(m, signer, { action: 'agreement.superseded', targetType: 'agreement', targetId: previous.id, customerId: previous.customerId, before, after: agreementView(previous) });
  }

  private async versionToSign(m: EntityManager, versionId: string | undefined): Promise<AgreementVersion> {
    if (versionId) {
      const v = await m.findOne(AgreementVersion, { where: { id: versionId, status: 'published' } });
      if (!v) throw invalid('versionId', 'no published agreement version with this id');
      return v;
    }
    const current = await m.findOne(AgreementVersion, { where: { status: 'published' }, order: { number: 'DESC' } });
    if (!current) throw conflict('no_published_agreement_version', 'Publish an agreement version before inviting customers to sign');
    return current;
  }

  private async findInvitation(m: EntityManager, token: string, lock: boolean): Promise<AgreementInvitation> {
    if (!TOKEN_RE.test(token)) throw unknownLink();
    const invitation = await m.findOne(AgreementInvitation, {
      where: { tokenHash: hashSecret(token) },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!invitation) throw unknownLink();
    return invitation;
  }

  /** A link that can still be signed with: not used, not replaced, not expired. Each refusal says what to do. */
  private async openInvitation(m: EntityManager, token: string, lock: boolean): Promise<AgreementInvitation> {
    const invitation = await this.findInvitation(m, token, lock);
    if (invitation.usedAt) {
      throw gone('signing_link_used', `This signing link was already used to sign the agreement on ${invitation.usedAt.toISOString()}. Each link works once; the receipt stays available.`);
    }
    if (invitation.replacedAt) {
      throw gone('signing_link_replaced', 'A newer signing link was sent for your organisation; please use that one.');
    }
    if (invitation.expiresAt.getTime() <= Date.now()) {
      throw gone('signing_link_expired', `This signing link expired on ${invitation.expiresAt.toISOString()}. Please ask your provider for a new one.`);
    }
    return invitation;
  }
}
