import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { localPartProblem, normaliseAddress, splitAddress } from '../../../../libs/core/src/addresses';
import { databaseDirectory } from '../../../../libs/core/src/aliases/directory';
import { assertCatchAllLoopFree, assertNoAliasLoop } from '../../../../libs/core/src/aliases/loop-guard';
import { AddressDirectory, matchAddress, withAlias } from '../../../../libs/core/src/aliases/resolve';
import { Alias, Domain } from '../../../../libs/core/src/entities';
import { DomainError, invalid, notFound } from '../../../../libs/core/src/errors';
import { recordEvent } from '../../../../libs/core/src/events';
import { actorOf, requireVisible, scopeToCaller } from '../common/access';
import { addressTaken, assertAddressFree, notifyChange } from '../common/addresses';
import { Caller } from '../common/caller';
import { Page, paginate } from '../common/pagination';
import { containsPattern, insertRow, isUniqueViolation } from '../common/sql';
import { AliasDto, AliasListQuery, CreateAliasDto, UpdateAliasDto } from './alias.dto';

/**
 * Aliases. Whether a change makes mail loop depends on aliases in every
 * domain, so alias writes take one transaction-scoped advisory lock: two
 * concurrent changes cannot each pass the loop check and close a loop together.
 */
@Injectable()
export class AliasesService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(caller: Caller, dto: CreateAliasDto): Promise<AliasDto> {
    const { local, domainName } = parseAliasAddress(dto.address);
    const { targets, fieldOf } = normaliseTargets(dto.targets);
    const address = `${local}@${domainName}`;
    try {
      return await this.db.transaction(async (m) => {
        await lockAliasGraph(m);
        const domain = await m.findOne(Domain, { where: { name: domainName }, lock: { mode: 'pessimistic_write' } });
        if (!domain || (caller.customerId && caller.customerId !== domain.customerId)) {
          throw new DomainError('unprocessable', 'domain_not_hosted', `${domainName} is not one of your hosted domains`, { field: 'address', domain: domainName });
        }
        await assertAddressFree(m, address, 'address');
        const alias = m.create(Alias, { domainId: domain.id, customerId: domain.customerId, address, targets });
        await assertTargetsResolve(withAlias(databaseDirectory(m), alias), alias, fieldOf);
        await insertRow(m, Alias, alias);
        const out = AliasDto.from(alias);
        await recordEvent(m, actorOf(caller), { action: 'alias.created', targetType: 'alias', targetId: alias.id, customerId: alias.customerId, after: out });
        await notifyChange(m, { kind: 'alias', id: alias.id, address: alias.address });
        return out;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'uq_aliases_address')) throw addressTaken(address, 'address', 'alias');
      throw err;
    }
  }

  async get(caller: Caller, id: string): Promise<AliasDto> {
    return AliasDto.from(await this.load(this.db.manager, caller, id));
  }

  async list(caller: Caller, q: AliasListQuery): Promise<Page<AliasDto>> {
    const qb = scopeToCaller(this.db.getRepository(Alias).createQueryBuilder('a'), caller);
    if (q.domainId) qb.andWhere('a.domainId = :domainId', { domainId: q.domainId });
    if (q.customerId) qb.andWhere('a.customerId = :customerId', { customerId: q.customerId });
    if (q.q) qb.andWhere(`a.address LIKE :q ESCAPE '\\'`, { q: containsPattern(q.q.trim().toLowerCase()) });
    if (q.target !== undefined) qb.andWhere(':target = ANY(a.targets)', { target: normaliseAddress(q.target) ?? q.target.toLowerCase() });
    const page = await paginate(qb, q);
    return { items: page.items.map(AliasDto.from), nextCursor: page.nextCursor };
  }

  async update(caller: Caller, id: string, dto: UpdateAliasDto): Promise<AliasDto> {
    const given = dto.targets ? normaliseTargets(dto.targets) : null;
    return this.db.transaction(async (m) => {
      await lockAliasGraph(m);
      const alias = await this.load(m, caller, id, true);
      const before = AliasDto.from(alias);
      if (!given || sameList(given.targets, alias.targets)) return before;
      alias.targets = given.targets;
      await assertTargetsResolve(withAlias(databaseDirectory(m), alias), alias, given.fieldOf);
      await m.save(alias);
      const after = AliasDto.from(alias);
      await recordEvent(m, actorOf(caller), { action: 'alias.updated', targetType: 'alias', targetId: alias.id, customerId: alias.customerId, before, after });
      await notifyChange(m, { kind: 'alias', id: alias.id, address: alias.address });
      return after;
    });
  }

  async remove(caller: Caller, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await lockAliasGraph(m);
      const alias = await this.load(m, caller, id, true);
      await recordEvent(m, actorOf(caller), { action: 'alias.deleted', targetType: 'alias', targetId: alias.id, customerId: alias.customerId, before: AliasDto.from(alias) });
      await m.delete(Alias, { id: alias.id });
      if (!alias.address.startsWith('*@')) {
        await assertCatchAllLoopFree(databaseDirectory(m), alias.address.slice(alias.address.lastIndexOf('@') + 1), alias.address);
      }
      await notifyChange(m, { kind: 'alias', id: alias.id, address: alias.address });
    });
  }

  /** Loads an alias the caller may see (404 otherwise), optionally locking its row. */
  async load(m: EntityManager, caller: Caller, id: string, lock = false): Promise<Alias> {
    const alias = await m.findOne(Alias, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!alias) throw notFound('alias', id);
    requireVisible(caller, alias.customerId, 'alias', id);
    return alias;
  }
}

/** Serialises alias writes (see the class comment); released at commit or rollback. */
async function lockAliasGraph(m: EntityManager): Promise<void> {
  await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['postbode:aliases']);
}

/** `local@domain` or `*@domain`, lower-case, the domain in IDNA form. */
function parseAliasAddress(input: string): { local: string; domainName: string } {
  const parts = splitAddress(input.trim());
  if (!parts) throw invalid('address', 'must be local@domain, or *@domain for the catch-all');
  if (parts.local !== '*') {
    const problem = localPartProblem(parts.local);
    if (problem) throw invalid('address', `local part ${problem}`);
  }
  return { local: parts.local.toLowerCase(), domainName: parts.domain };
}

/**
 * Normalised, in the given order, duplicates dropped. Errors name the field
 * as sent (`targets[2]`); `fieldOf` maps a normalised target back to it.
 */
function normaliseTargets(raw: string[]): { targets: string[]; fieldOf: Map<string, string> } {
  const fieldOf = new Map<string, string>();
  raw.forEach((t, i) => {
    const field = `targets[${i}]`;
    const address = normaliseAddress(t.trim());
    if (!address) throw invalid(field, `"${t.slice(0, 100)}" is not an e-mail address`);
    if (address.startsWith('*@')) throw invalid(field, 'a target is one address; *@domain (a catch-all) cannot be a target');
    if (!fieldOf.has(address)) fieldOf.set(address, field);
  });
  return { targets: [...fieldOf.keys()], fieldOf };
}

/**
 * Every target in a hosted domain must reach something (a mailbox, an alias,
 * or that domain's catch-all), and following the targets must not loop.
 */
async function assertTargetsResolve(dir: AddressDirectory, alias: Alias, fieldOf: Map<string, string>): Promise<void> {
  for (const target of alias.targets) {
    const match = await matchAddress(dir, target);
    if (match.kind === 'unknown') {
      const field = fieldOf.get(target) ?? 'targets';
      throw new DomainError(
        'unprocessable',
        'alias_target_unknown',
        `${field}: ${target} is in a hosted domain but is no mailbox or alias there, and the domain has no catch-all`,
        { field, target },
      );
    }
  }
  await assertNoAliasLoop(dir, alias.address);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
