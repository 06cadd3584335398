import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { domainToASCII } from 'node:url';
import { DataSource, EntityManager } from 'typeorm';
import { normaliseDomain } from '../../../../libs/core/src/addresses';
import { PostbodeConfig } from '../../../../libs/core/src/config/config';
import { dkimSelectorFor, generateDkimKeyPair } from '../../../../libs/core/src/domains/dkim';
import { dnsRecordsFor } from '../../../../libs/core/src/domains/dns-records';
import { assertLimitsCoverUsage } from '../../../../libs/core/src/domains/limits';
import { Alias, Customer, Domain, Mailbox } from '../../../../libs/core/src/entities';
import { conflict, DomainError, notFound } from '../../../../libs/core/src/errors';
import { recordEvent } from '../../../../libs/core/src/events';
import { actorOf, requireUnbound, requireVisible, scopeToCaller } from '../common/access';
import { Caller } from '../common/caller';
import { Page, paginate } from '../common/pagination';
import { containsPattern, insertRow, isUniqueViolation } from '../common/sql';
import { CONFIG } from '../config.module';
import { CreateDomainDto, DnsRecordsDto, DomainDto, DomainListQuery, UpdateDomainDto } from './domain.dto';

const LIMIT_FIELDS = ['maxMailboxes', 'storageBytes'] as const;

@Injectable()
export class DomainsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: PostbodeConfig,
  ) {}

  async create(caller: Caller, dto: CreateDomainDto): Promise<DomainDto> {
    requireLimitsFromUnbound(caller, dto);
    const name = normaliseDomain(dto.name) as string; // the DTO validated it
    // RSA key generation takes tens of milliseconds of CPU: do it before taking any lock.
    const dkim = await generateDkimKeyPair();
    try {
      return await this.db.transaction(async (m) => {
        // FOR SHARE: the customer cannot be deleted while its new domain is being added
        const customer = await m.findOne(Customer, { where: { id: dto.customerId }, lock: { mode: 'pessimistic_read' } });
        if (!customer) throw notFound('customer', dto.customerId);
        requireVisible(caller, customer.id, 'customer', dto.customerId);
        if (await m.exists(Domain, { where: { name } })) throw domainTaken(name);
        const domain = m.create(Domain, {
          customerId: customer.id,
          name,
          maxMailboxes: dto.maxMailboxes ?? null,
          storageBytes: dto.storageBytes ?? null,
          defaultQuotaBytes: dto.defaultQuotaBytes ?? this.config.defaultQuotaBytes,
          mailboxCount: 0,
          allocatedQuotaBytes: 0,
          dkimSelector: dkimSelectorFor(new Date()),
          dkimPrivateKey: dkim.privateKey,
          dkimPublicKey: dkim.publicKey,
        });
        await insertRow(m, Domain, domain);
        const out = DomainDto.from(domain);
        await recordEvent(m, actorOf(caller), { action: 'domain.created', targetType: 'domain', targetId: domain.id, customerId: domain.customerId, after: out });
        return out;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'uq_domains_name')) throw domainTaken(name);
      throw err;
    }
  }

  async get(caller: Caller, id: string): Promise<DomainDto> {
    return DomainDto.from(await this.load(this.db.manager, caller, id));
  }

  async dnsRecords(caller: Caller, id: string): Promise<DnsRecordsDto> {
    const domain = await this.load(this.db.manager, caller, id);
    const records = dnsRecordsFor(domain, this.config.mailHostname);
    return { domainId: domain.id, domain: domain.name, records, zoneFile: records.map((r) => r.zoneFileLine).join('\n') + '\n' };
  }

  async list(caller: Caller, q: DomainListQuery): Promise<Page<DomainDto>> {
    const qb = scopeToCaller(this.db.getRepository(Domain).createQueryBuilder('d'), caller);
    if (q.customerId) qb.andWhere('d.customerId = :customerId', { customerId: q.customerId });
    if (q.name) qb.andWhere('d.name = :name', { name: normaliseDomain(q.name) });
    if (q.q) {
      // "bücher" should find xn--bcher-kva.example: also search the IDNA form of what was typed
      const text = q.q.trim().toLowerCase();
      const ascii = /[^\x00-\x7f]/.test(text) ? domainToASCII(text) : '';
      qb.andWhere(ascii ? `(d.name LIKE :q ESCAPE '\\' OR d.name LIKE :qa ESCAPE '\\')` : `d.name LIKE :q ESCAPE '\\'`, {
        q: containsPattern(text),
        qa: containsPattern(ascii),
      });
    }
    const page = await paginate(qb, q);
    return { items: page.items.map(DomainDto.from), nextCursor: page.nextCursor };
  }

  async update(caller: Caller, id: string, dto: UpdateDomainDto): Promise<DomainDto> {
    requireLimitsFromUnbound(caller, dto);
    return this.db.transaction(async (m) => {
      const domain = await this.load(m, caller, id, true);
      const before = DomainDto.from(domain);
      if (dto.maxMailboxes !== undefined) domain.maxMailboxes = dto.maxMailboxes;
      if (dto.storageBytes !== undefined) domain.storageBytes = dto.storageBytes;
      if (dto.defaultQuotaBytes !== undefined && dto.defaultQuotaBytes !== null) domain.defaultQuotaBytes = dto.defaultQuotaBytes;
      assertLimitsCoverUsage(domain);
      await m.save(domain);
      const after = DomainDto.from(domain);
      await recordEvent(m, actorOf(caller), { action: 'domain.updated', targetType: 'domain', targetId: domain.id, customerId: domain.customerId, before, after });
      return after;
    });
  }

  /**
   * Deletes a domain. One that still has mailboxes or aliases is refused unless
   * `removeMailboxes` is set; then they go with it, recorded as one
   * `domain.contents_removed` event with the counts, before `domain.deleted`.
   */
  async remove(caller: Caller, id: string, removeMailboxes: boolean): Promise<void> {
    await this.db.transaction(async (m) => {
      const domain = await this.load(m, caller, id, true);
      // Counted, not read from the usage counter: deleting must not depend on the counter being right.
      const mailboxes = await m.count(Mailbox, { where: { domainId: domain.id } });
      const aliases = await m.count(Alias, { where: { domainId: domain.id } });
      const before = DomainDto.from(domain);
      if (mailboxes + aliases > 0) {
        if (!removeMailboxes) {
          throw conflict(
            'domain_has_mailboxes',
            `Domain ${domain.name} still has ${mailboxes} mailbox(es) and ${aliases} alias(es); delete them first, or pass removeMailboxes=true to delete them with it`,
            { mailboxes, aliases },
          );
        }
        await m.delete(Alias, { domainId: domain.id });
        const removed = await m.delete(Mailbox, { domainId: domain.id });
        await recordEvent(m, actorOf(caller), {
          action: 'domain.contents_removed',
          targetType: 'domain',
          targetId: domain.id,
          customerId: domain.customerId,
          before: { mailboxCount: removed.affected ?? mailboxes, aliasCount: aliases },
          after: { mailboxCount: 0, aliasCount: 0 },
        });
      }
      await recordEvent(m, actorOf(caller), { action: 'domain.deleted', targetType: 'domain', targetId: domain.id, customerId: domain.customerId, before });
      await m.delete(Domain, { id: domain.id });
      // mail servers drop everything they cached for this domain and its mailboxes
      await m.query(`SELECT pg_notify('postbode_changes', $1)`, [JSON.stringify({ kind: 'domain', id: domain.id, name: domain.name })]);
    });
  }

  /** Loads a domain the caller may see (404 otherwise), optionally locking its row (SELECT ... FOR UPDATE). */
  async load(m: EntityManager, caller: Caller, id: string, lock = false): Promise<Domain> {
    const d = await m.findOne(Domain, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!d) throw notFound('domain', id);
    requireVisible(caller, d.customerId, 'domain', id);
    return d;
  }
}

function domainTaken(name: string): DomainError {
  return conflict('domain_taken', `The domain ${name} is already hosted`, { field: 'name', name });
}

/** Limits are what the ISP sells: a customer's own key may not raise them. */
function requireLimitsFromUnbound(caller: Caller, dto: { maxMailboxes?: number | null; storageBytes?: number | null }): void {
  const field = LIMIT_FIELDS.find((f) => dto[f] !== undefined);
  if (field) requireUnbound(caller, `set the domain limit ${field}`);
}
