import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { agreementTextSha256, normaliseAgreementText } from '../../../../libs/core/src/agreements/agreement-text';
import { AgreementVersion } from '../../../../libs/core/src/entities';
import { conflict, DomainError, notFound } from '../../../../libs/core/src/errors';
import { recordEvent } from '../../../../libs/core/src/events';
import { actorOf, requireUnbound } from '../common/access';
import { Caller } from '../common/caller';
import { Page, paginate } from '../common/pagination';
import { AgreementVersionDto, AgreementVersionListQuery, CreateAgreementVersionDto, UpdateAgreementVersionDto } from './agreement-version.dto';

/**
 * Staff write the terms as drafts and publish them. A published version is
 * evidence: it never changes and is never deleted. Customer-bound keys see
 * published versions only.
 */
@Injectable()
export class AgreementVersionsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(caller: Caller, dto: CreateAgreementVersionDto): Promise<AgreementVersionDto> {
    requireUnbound(caller, 'write agreement versions');
    return this.db.transaction(async (m) => {
      const v = m.create(AgreementVersion, {
        title: dto.title.trim(),
        text: normaliseAgreementText(dto.text),
        status: 'draft',
        number: null,
        sha256: null,
        publishedAt: null,
        ...dto.limits,
      });
      await m.save(v);
      await recordEvent(m, actorOf(caller), { action: 'agreement_version.created', targetType: 'agreement_version', targetId: v.id, customerId: null, after: AgreementVersionDto.summary(v) });
      return AgreementVersionDto.from(v);
    });
  }

  async list(caller: Caller, q: AgreementVersionListQuery): Promise<Page<AgreementVersionDto>> {
    const qb = this.db.getRepository(AgreementVersion).createQueryBuilder('v');
    if (caller.customerId) qb.andWhere(`v.status = 'published'`);
    if (q.status) qb.andWhere('v.status = :status', { status: q.status });
    const page = await paginate(qb, q);
    return { items: page.items.map(AgreementVersionDto.from), nextCursor: page.nextCursor };
  }

  async get(caller: Caller, id: string): Promise<AgreementVersionDto> {
    return AgreementVersionDto.from(await this.load(this.db.manager, caller, id));
  }

  /** The latest published version: what new invitations ask customers to sign. */
  async current(): Promise<AgreementVersionDto> {
    const v = await this.db.getRepository(AgreementVersion).findOne({ where: { status: 'published' }, order: { number: 'DESC' } });
    if (!v) throw new DomainError('not_found', 'no_published_agreement_version', 'No agreement version has been published yet');
    return AgreementVersionDto.from(v);
  }

  async update(caller: Caller, id: string, dto: UpdateAgreementVersionDto): Promise<AgreementVersionDto> {
    requireUnbound(caller, 'write agreement versions');
    return this.db.transaction(async (m) => {
      const v = await this.loadDraft(m, caller, id, 'changed');
      const before = AgreementVersionDto.summary(v);
      if (dto.title !== undefined) v.title = dto.title.trim();
      if (dto.text !== undefined) v.text = normaliseAgreementText(dto.text);
      if (dto.limits) Object.assign(v, dto.limits);
      await m.save(v);
      await recordEvent(m, actorOf(caller), { action: 'agreement_version.updated', targetType: 'agreement_version', targetId: v.id, customerId: null, before, after: AgreementVersionDto.summary(v) });
      return AgreementVersionDto.from(v);
    });
  }

  async remove(caller: Caller, id: string): Promise<void> {
    requireUnbound(caller, 'delete agreement versions');
    await this.db.transaction(async (m) => {
      const v = await this.loadDraft(m, caller, id, 'deleted');
      await recordEvent(m, actorOf(caller), { action: 'agreement_version.deleted', targetType: 'agreement_version', targetId: v.id, customerId: null, before: AgreementVersionDto.summary(v) });
      await m.delete(AgreementVersion, { id: v.id });
    });
  }

  async publish(caller: Caller, id: string): Promise<AgreementVersionDto> {
    requireUnbound(caller, 'publish agreement versions');
    return this.db.transaction(async (m) => {
      const v = await this.load(m, caller, id, true);
      if (v.status === 'published') throw conflict('agreement_version_already_published', `Version ${v.number} is already published`);
      // Numbers are handed out one publisher at a time.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['postbode:agreement-version-number']);
      const [{ next }] = await m.query(`SELECT coalesce(max(number), 0) + 1 AS next FROM agreement_versions`);
      const before = AgreementVersionDto.summary(v);
      v.status = 'published';
      v.number = Number(next);
      v.sha256 = agreementTextSha256(v.text);
      v.publishedAt = new Date();
      await m.save(v);
      await recordEvent(m, actorOf(caller), { action: 'agreement_version.published', targetType: 'agreement_version', targetId: v.id, customerId: null, before, after: AgreementVersionDto.summary(v) });
      return AgreementVersionDto.from(v);
    });
  }

  private async load(m: EntityManager, caller: Caller, id: string, lock = false): Promise<AgreementVersion> {
    const v = await m.findOne(AgreementVersion, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    // Drafts are staff work in progress: a customer-bound key does not see them.
    if (!v || (caller.customerId && v.status !== 'published')) throw notFound('agreement version', id);
    return v;
  }

  private async loadDraft(m: EntityManager, caller: Caller, id: string, verb: string): Promise<AgreementVersion> {
    const v = await this.load(m, caller, id, true);
    if (v.status === 'published') {
      throw conflict('agreement_version_published', `Version ${v.number} is published and can no longer be ${verb}; write a new version instead`);
    }
    return v;
  }
}
