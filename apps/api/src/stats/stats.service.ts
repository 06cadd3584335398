import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { hasAnyScope } from '../../../../libs/core/src/auth/scopes';
import { Agreement, Alias, ApiKey, Customer, Domain, Mailbox } from '../../../../libs/core/src/entities';
import { scopeToCaller } from '../common/access';
import { countQueue } from '../queue/queue-counts';
import { Caller } from '../common/caller';
import { StatsDto } from './stats.dto';

@Injectable()
export class StatsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async get(caller: Caller): Promise<StatsDto> {
    const may = (scope: string) => hasAnyScope(caller.scopes, [scope]);
    const [keyName, customers, domains, mailboxes, aliases, apiKeys, agreements, relayBlocked, queue] = await Promise.all([
      this.keyName(caller.keyId),
      may('customers:read') ? this.countByStatus(Customer, caller, 'id') : null,
      may('domains:read') ? this.countByStatus(Domain, caller, 'customerId', null) : null,
      may('mailboxes:read') ? this.countByStatus(Mailbox, caller, 'customerId') : null,
      may('aliases:read') ? this.countByStatus(Alias, caller, 'customerId', null) : null,
      caller.scopes.includes('admin') && !caller.customerId ? this.apiKeyCounts() : null,
      may('agreements:read') ? this.countByStatus(Agreement, caller, 'customerId') : null,
      may('mailboxes:read') ? this.countByStatus(Mailbox, caller, 'customerId', 'relayBlocked') : null,
      may('queue:read') ? countQueue(this.db.manager, { customerId: caller.customerId }) : null,
    ]);
    return {
      caller: { keyId: caller.keyId, keyName, scopes: [...caller.scopes], customerId: caller.customerId },
      customers: customers && { total: sum(customers), active: customers.active ?? 0, suspended: customers.suspended ?? 0 },
      domains: domains && { total: sum(domains) },
      mailboxes: mailboxes && { total: sum(mailboxes), active: mailboxes.active ?? 0, disabled: mailboxes.disabled ?? 0 },
      aliases: aliases && { total: sum(aliases) },
      apiKeys,
      agreements: agreements && {
        total: sum(agreements),
        active: agreements.active ?? 0,
        suspended: agreements.suspended ?? 0,
        revoked: agreements.revoked ?? 0,
        superseded: agreements.superseded ?? 0,
      },
      relayBlockedMailboxes: relayBlocked && { total: relayBlocked.true ?? 0 },
      queue: queue && queue.total,
    };
  }

  /** Row counts per status (or one total under "all" when the table has no status column). */
  private async countByStatus<E extends ObjectLiteral>(
    entity: EntityTarget<E>,
    caller: Caller,
    tenancyColumn: string,
    statusColumn: string | null = 'status',
  ): Promise<Record<string, number>> {
    const qb = scopeToCaller(this.db.getRepository(entity).createQueryBuilder('t'), caller, tenancyColumn);
    const rows: { status: string; n: number }[] = statusColumn
      ? await qb.select(`t.${statusColumn}`, 'status').addSelect('count(*)::int', 'n').groupBy(`t.${statusColumn}`).getRawMany()
      : await qb.select(`'all'`, 'status').addSelect('count(*)::int', 'n').getRawMany();
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  private async apiKeyCounts(): Promise<{ active: number; revoked: number }> {
    const [row] = await this.db
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .select('count(*) FILTER (WHERE k.revokedAt IS NULL)::int', 'active')
      .addSelect('count(*) FILTER (WHERE k.revokedAt IS NOT NULL)::int', 'revoked')
      .getRawMany();
    return { active: row.active, revoked: row.revoked };
  }

  private async keyName(keyId: string | null): Promise<string | null> {
    if (!keyId) return null;
    const key = await this.db.getRepository(ApiKey).findOne({ where: { id: keyId }, select: { id: true, name: true } });
    return key?.name ?? null;
  }
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
