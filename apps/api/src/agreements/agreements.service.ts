import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AgreementTransition, applyAgreementTransition, notifyAgreementChanged } from '../../../../libs/core/src/agreements/agreement-lifecycle';
import { agreementView } from '../../../../libs/core/src/agreements/agreement-view';
import { Agreement, AgreementVersion, Customer } from '../../../../libs/core/src/entities';
import { conflict, DomainError, notFound } from '../../../../libs/core/src/errors';
import { recordEvent } from '../../../../libs/core/src/events';
import { parseCidr } from '../../../../libs/core/src/relay/client-networks';
import { actorOf, requireUnbound, requireVisible, scopeToCaller } from '../common/access';
import { Caller } from '../common/caller';
import { Page, paginate } from '../common/pagination';
import { AgreementDto, AgreementListQuery, UpdateAgreementLimitsDto } from './agreement.dto';
import { renderReceipt } from './receipt';

const VERBS: Record<AgreementTransition, string> = { suspend: 'suspend', reinstate: 'reinstate', revoke: 'revoke' };

/**
 * Reading agreements (a customer-bound key: its own only) and changing them,
 * which belongs to the ISP: suspend, reinstate, revoke, limits and client
 * networks refuse customer-bound keys, so a customer can never lift its own
 * suspension.
 */
@Injectable()
export class AgreementsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(caller: Caller, q: AgreementListQuery): Promise<Page<AgreementDto>> {
    const qb = scopeToCaller(this.db.getRepository(Agreement).createQueryBuilder('a'), caller);
    if (q.customerId) qb.andWhere('a.customerId = :customerId', { customerId: q.customerId });
    if (q.status) qb.andWhere('a.status = :status', { status: q.status });
    const page = await paginate(qb, q);
    return { items: page.items.map(AgreementDto.from), nextCursor: page.nextCursor };
  }

  async get(caller: Caller, id: string): Promise<AgreementDto> {
    return AgreementDto.from(await this.load(this.db.manager, caller, id));
  }

  async transition(caller: Caller, id: string, transition: AgreementTransition, reason: string | null): Promise<AgreementDto> {
    requireUnbound(caller, `${VERBS[transition]} agreements`);
    return this.db.transaction(async (m) => {
      const a = await this.load(m, caller, id, true);
      return AgreementDto.from(await applyAgreementTransition(m, actorOf(caller), a, transition, reason?.trim() ?? null));
    });
  }

  async updateLimits(caller: Caller, id: string, dto: UpdateAgreementLimitsDto): Promise<AgreementDto> {
    requireUnbound(caller, 'change agreement limits');
    if (dto.messagesPerHour === undefined && dto.recipientsPerDay === undefined && dto.recipientsPerMessage === undefined) {
      throw new DomainError('validation', 'validation_failed', 'Give at least one of messagesPerHour, recipientsPerDay, recipientsPerMessage', [
        { field: 'messagesPerHour', message: 'at least one limit is required' },
      ]);
    }
    return this.changeCurrent(caller, id, 'agreement.limits_changed', (a) => {
      if (dto.messagesPerHour !== undefined) a.messagesPerHour = dto.messagesPerHour;
      if (dto.recipientsPerDay !== undefined) a.recipientsPerDay = dto.recipientsPerDay;
      if (dto.recipientsPerMessage !== undefined) a.recipientsPerMessage = dto.recipientsPerMessage;
    });
  }

  async setClientNetworks(caller: Caller, id: string, networks: string[]): Promise<AgreementDto> {
    requireUnbound(caller, 'change client networks');
    const canonical: string[] = [];
    networks.forEach((n, i) => {
      const parsed = parseCidr(n);
      if ('problem' in parsed) {
        throw new DomainError('validation', 'validation_failed', `clientNetworks[${i}]: ${parsed.problem}`, [{ field: `clientNetworks[${i}]`, message: parsed.problem }]);
      }
      if (!canonical.includes(parsed.cidr)) canonical.push(parsed.cidr);
    });
    return this.changeCurrent(caller, id, 'agreement.client_networks_changed', (a) => {
      a.clientNetworks = canonical;
    });
  }

  async receipt(caller: Caller, id: string): Promise<string> {
    const a = await this.load(this.db.manager, caller, id);
    const [version, customer] = await Promise.all([
      this.db.manager.findOneByOrFail(AgreementVersion, { id: a.versionId }),
      this.db.manager.findOneByOrFail(Customer, { id: a.customerId }),
    ]);
    return renderReceipt(a, version, customer);
  }

  /** Changes the terms-in-force of a current (active or suspended) agreement, with an event. */
  private async changeCurrent(caller: Caller, id: string, action: string, change: (a: Agreement) => void): Promise<AgreementDto> {
    return this.db.transaction(async (m) => {
      const a = await this.load(m, caller, id, true);
      if (a.status !== 'active' && a.status !== 'suspended') {
        throw conflict('agreement_not_current', `The agreement is ${a.status}; change the customer's current agreement instead`);
      }
      const before = agreementView(a);
      change(a);
      await m.save(a);
      const after = agreementView(a);
      await recordEvent(m, actorOf(caller), { action, targetType: 'agreement', targetId: a.id, customerId: a.customerId, before, after });
      await notifyAgreementChanged(m, a);
      return AgreementDto.from(a);
    });
  }

  private async load(m: EntityManager, caller: Caller, id: string, lock = false): Promise<Agreement> {
    const a = await m.findOne(Agreement, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!a) throw notFound('agreement', id);
    requireVisible(caller, a.customerId, 'agreement', id);
    return a;
  }
}
