import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { databaseDirectory } from '../../../../libs/core/src/aliases/directory';
import { assertCatchAllLoopFree } from '../../../../libs/core/src/aliases/loop-guard';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { assertRoomForMailbox, assertStorageFor } from '../../../../libs/core/src/domains/limits';
import { Domain, Mailbox } from '../../../../libs/core/src/entities';
import { invalid, notFound } from '../../../../libs/core/src/errors';
import { recordEvent } from '../../../../libs/core/src/events';
import { hashMailboxPassword, loginAddress, passwordProblem } from '../../../../libs/core/src/mailboxes/credentials';
import { actorOf, requireVisible, scopeToCaller } from '../common/access';
import { addressTaken, assertAddressFree, notifyChange } from '../common/addresses';
import { Caller } from '../common/caller';
import { Page, paginate } from '../common/pagination';
import { containsPattern, insertRow, isUniqueViolation } from '../common/sql';
import { CONFIG } from '../config.module';
import { DomainsService } from '../domains/domains.service';
import { CreateMailboxDto, MailboxDto, MailboxListQuery, UpdateMailboxDto } from './mailbox.dto';

/**
 * Mailboxes. Every change that touches a domain's usage (create, quota
 * change, delete) locks the domain row first and keeps its counters in the
 * same transaction, so limits hold under concurrent requests. Passwords are
 * hashed before any lock is taken and appear in no response, event or log.
 */
@Injectable()
export class MailboxesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: PostbodeConfig,
    private readonly domains: DomainsService,
  ) {}

  async create(caller: Caller, dto: CreateMailboxDto): Promise<MailboxDto> {
    const passwordHash = await this.hashNewPassword(dto.password);
    let address = '';
    try {
      return await this.db.transaction(async (m) => {
        const domain = await this.domains.load(m, caller, dto.domainId, true);
        address = `${dto.localPart.toLowerCase()}@${domain.name}`;
        await assertAddressFree(m, address, 'localPart');
        assertRoomForMailbox(domain);
        const quotaBytes = dto.quotaBytes ?? domain.defaultQuotaBytes;
        assertStorageFor(domain, quotaBytes);
        const mailbox = m.create(Mailbox, {
          domainId: domain.id,
          customerId: domain.customerId,
          localPart: dto.localPart,
          address,
          passwordHash,
          passwordChangedAt: new Date(),
          displayName: dto.displayName?.trim() || null,
          quotaBytes,
          usedBytes: 0,
          messageCount: 0,
          status: 'active',
        });
        await insertRow(m, Mailbox, mailbox);
        await this.addUsage(m, domain.id, 1, quotaBytes);
        const out = MailboxDto.from(mailbox);
        await recordEvent(m, actorOf(caller), { action: 'mailbox.created', targetType: 'mailbox', targetId: mailbox.id, customerId: mailbox.customerId, after: out });
        return out;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'uq_mailboxes_address')) throw addressTaken(address, 'localPart', 'mailbox');
      throw err;
    }
  }

  async get(caller: Caller, id: string): Promise<MailboxDto> {
    return MailboxDto.from(await this.load(this.db.manager, caller, id));
  }

  async list(caller: Caller, q: MailboxListQuery): Promise<Page<MailboxDto>> {
    const qb = scopeToCaller(this.db.getRepository(Mailbox).createQueryBuilder('m'), caller);
    if (q.domainId) qb.andWhere('m.domainId = :domainId', { domainId: q.domainId });
    if (q.customerId) qb.andWhere('m.customerId = :customerId', { customerId: q.customerId });
    if (q.status) qb.andWhere('m.status = :status', { status: q.status });
    if (q.address !== undefined) qb.andWhere('m.address = :address', { address: loginAddress(q.address) ?? q.address.toLowerCase() });
    if (q.q) qb.andWhere(`m.address LIKE :q ESCAPE '\\'`, { q: containsPattern(q.q.trim().toLowerCase()) });
    const page = await paginate(qb, q);
    return { items: page.items.map(MailboxDto.from), nextCursor: page.nextCursor };
  }

  async update(caller: Caller, id: string, dto: UpdateMailboxDto): Promise<MailboxDto> {
    return this.db.transaction(async (m) => {
      // The domain is locked only when its usage may change.
      const domain = typeof dto.quotaBytes === 'number' ? await this.lockDomainOf(m, caller, id) : null;
      const mailbox = await this.load(m, caller, id, true);
      const before = MailboxDto.from(mailbox);
      if (domain && typeof dto.quotaBytes === 'number' && dto.quotaBytes !== mailbox.quotaBytes) {
        const delta = dto.quotaBytes - mailbox.quotaBytes;
        assertStorageFor(domain, delta);
        await this.addUsage(m, domain.id, 0, delta);
        mailbox.quotaBytes = dto.quotaBytes;
      }
      if (dto.displayName !== undefined) mailbox.displayName = dto.displayName?.trim() || null;
      if (dto.status !== undefined && dto.status !== null) mailbox.status = dto.status;
      const after = MailboxDto.from(mailbox);
      if (JSON.stringify(before) === JSON.stringify(after)) return before; // nothing to change, nothing to record
      await m.save(mailbox);
      const saved = MailboxDto.from(mailbox);
      const action = before.status !== saved.status ? (saved.status === 'disabled' ? 'mailbox.disabled' : 'mailbox.enabled') : 'mailbox.updated';
      await recordEvent(m, actorOf(caller), { action, targetType: 'mailbox', targetId: mailbox.id, customerId: mailbox.customerId, before, after: saved });
      await notifyChange(m, { kind: 'mailbox', id: mailbox.id, address: mailbox.address });
      return saved;
    });
  }

  async changePassword(caller: Caller, id: string, password: string): Promise<void> {
    const passwordHash = await this.hashNewPassword(password);
    await this.db.transaction(async (m) => {
      const mailbox = await this.load(m, caller, id, true);
      const before = { passwordChangedAt: mailbox.passwordChangedAt };
      const passwordChangedAt = new Date();
      await m.update(Mailbox, { id: mailbox.id }, { passwordHash, passwordChangedAt });
      // The event says that it changed and when; never what it is.
      await recordEvent(m, actorOf(caller), {
        action: 'mailbox.password_changed',
        targetType: 'mailbox',
        targetId: mailbox.id,
        customerId: mailbox.customerId,
        before,
        after: { passwordChangedAt },
      });
      await notifyChange(m, { kind: 'mailbox', id: mailbox.id, address: mailbox.address });
    });
  }

  async remove(caller: Caller, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const domain = await this.lockDomainOf(m, caller, id);
      const mailbox = await this.load(m, caller, id, true);
      await recordEvent(m, actorOf(caller), { action: 'mailbox.deleted', targetType: 'mailbox', targetId: mailbox.id, customerId: mailbox.customerId, before: MailboxDto.from(mailbox) });
      await m.delete(Mailbox, { id: mailbox.id });
      await this.addUsage(m, domain.id, -1, -mailbox.quotaBytes);
      await assertCatchAllLoopFree(databaseDirectory(m), domain.name, mailbox.address);
      await notifyChange(m, { kind: 'mailbox', id: mailbox.id, address: mailbox.address });
    });
  }

  /** Loads a mailbox the caller may see (404 otherwise), optionally locking its row. */
  async load(m: EntityManager, caller: Caller, id: string, lock = false): Promise<Mailbox> {
    const mailbox = await m.findOne(Mailbox, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!mailbox) throw notFound('mailbox', id);
    requireVisible(caller, mailbox.customerId, 'mailbox', id);
    return mailbox;
  }

  /**
   * Locks the row of the mailbox's domain. Lock order everywhere is domain,
   * then mailbox, so a quota change and a create in one domain cannot deadlock.
   */
  private async lockDomainOf(m: EntityManager, caller: Caller, mailboxId: string): Promise<Domain> {
    const { domainId } = await this.load(m, caller, mailboxId);
    return this.domains.load(m, caller, domainId, true);
  }

  private async hashNewPassword(password: string): Promise<string> {
    const problem = passwordProblem(password, this.config.passwordMinLength);
    if (problem) throw invalid('password', problem);
    return hashMailboxPassword(password);
  }

  /** The domain's usage counters; the caller holds the domain row's lock. */
  private async addUsage(m: EntityManager, domainId: string, mailboxes: number, quotaBytes: number): Promise<void> {
    await m.query('UPDATE domains SET mailbox_count = mailbox_count + $2, allocated_quota_bytes = allocated_quota_bytes + $3 WHERE id = $1', [
      domainId,
      mailboxes,
      quotaBytes,
    ]);
  }
}
