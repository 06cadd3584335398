import { holdQueuedMail, releaseHeldMail } from '../../../../libs/core/src/delivery/hold';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Customer, Domain } from '../../../../libs/core/src/entities';
import { conflict, DomainError, notFound } from '../../../../libs/core/src/errors';
import { recordEvent } from '../../../../libs/core/src/events';
import { actorOf, requireUnbound, requireVisible, scopeToCaller } from '../common/access';
import { Caller } from '../common/caller';
import { Page, paginate } from '../common/pagination';
import { CreateCustomerDto, CustomerDto, CustomerListQuery, UpdateCustomerDto } from './customer.dto';

@Injectable()
export class CustomersService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(caller: Caller, dto: CreateCustomerDto): Promise<CustomerDto> {
    requireUnbound(caller, 'create customers');
    return this.db.transaction(async (m) => {
      await this.assertExternalRefFree(m, dto.externalRef ?? null, null);
      const customer = m.create(Customer, {
        name: dto.name.trim(),
        contactEmail: dto.contactEmail.trim(),
        externalRef: dto.externalRef ?? null,
        status: 'active',
        suspendedReason: null,
        suspendedAt: null,
      });
      await m.save(customer);
      const out = CustomerDto.from(customer);
      await recordEvent(m, actorOf(caller), { action: 'customer.created', targetType: 'customer', targetId: customer.id, customerId: customer.id, after: out });
      return out;
    });
  }

  async get(caller: Caller, id: string): Promise<CustomerDto> {
    return CustomerDto.from(await this.load(this.db.manager, caller, id));
  }

  async getByExternalRef(caller: Caller, externalRef: string): Promise<CustomerDto> {
    const qb = this.db.getRepository(Customer).createQueryBuilder('c').where('c.externalRef = :externalRef', { externalRef });
    const c = await scopeToCaller(qb, caller, 'id').getOne();
    if (!c) throw new DomainError('not_found', 'customer_not_found', `No customer with externalRef ${externalRef}`);
    return CustomerDto.from(c);
  }

  async list(caller: Caller, q: CustomerListQuery): Promise<Page<CustomerDto>> {
    const qb = scopeToCaller(this.db.getRepository(Customer).createQueryBuilder('c'), caller, 'id');
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    if (q.externalRef) qb.andWhere('c.externalRef = :externalRef', { externalRef: q.externalRef });
    // staff search by either: "de vries" finds the name, "CUST-100" the billing id
    if (q.q) qb.andWhere(`(c.name ILIKE :q ESCAPE '\\' OR c.externalRef ILIKE :q ESCAPE '\\')`, { q: `%${q.q.replace(/[\\%_]/g, (x) => `\\${x}`)}%` });
    const page = await paginate(qb, q);
    return { items: page.items.map(CustomerDto.from), nextCursor: page.nextCursor };
  }

  async update(caller: Caller, id: string, dto: UpdateCustomerDto): Promise<CustomerDto> {
    return this.db.transaction(async (m) => {
      const c = await this.load(m, caller, id, true);
      const before = CustomerDto.from(c);
      if (dto.externalRef !== undefined && dto.externalRef !== c.externalRef) {
        requireUnbound(caller, "change a customer's billing id");
        await this.assertExternalRefFree(m, dto.externalRef, c.id);
        c.externalRef = dto.externalRef;
      }
      if (dto.name !== undefined) c.name = dto.name.trim();
      if (dto.contactEmail !== undefined) c.contactEmail = dto.contactEmail.trim();
      await m.save(c);
      const after = CustomerDto.from(c);
      await recordEvent(m, actorOf(caller), { action: 'customer.updated', targetType: 'customer', targetId: c.id, customerId: c.id, before, after });
      return after;
    });
  }

  async remove(caller: Caller, id: string): Promise<void> {
    requireUnbound(caller, 'delete customers');
    await this.db.transaction(async (m) => {
      const c = await this.load(m, caller, id, true);
      const domains = await m.count(Domain, { where: { customerId: c.id } });
      if (domains > 0) {
        throw conflict('customer_has_domains', `The customer still has ${domains} domain(s); delete them first`, { domains });
      }
      await recordEvent(m, actorOf(caller), { action: 'customer.deleted', targetType: 'customer', targetId: c.id, customerId: c.id, before: CustomerDto.from(c) });
      await m.delete(Customer, { id: c.id });
    });
  }

  async suspend(caller: Caller, id: string, reason: string): Promise<CustomerDto> {
    requireUnbound(caller, 'suspend a customer');
    return this.setStatus(caller, id, 'suspended', reason.trim());
  }

  async reactivate(caller: Caller, id: string): Promise<CustomerDto> {
    requireUnbound(caller, 'reactivate a customer');
    return this.setStatus(caller, id, 'active', null);
  }

  private async setStatus(caller: Caller, id: string, status: 'active' | 'suspended', reason: string | null): Promise<CustomerDto> {
    return this.db.transaction(async (m) => {
      const c = await this.load(m, caller, id, true);
      if (c.status === status) {
        throw conflict(`customer_already_${status}`, `The customer is already ${status}`);
      }
      const before = CustomerDto.from(c);
      c.status = status;
      c.suspendedReason = reason;
      c.suspendedAt = status === 'suspended' ? new Date() : null;
      await m.save(c);
      const after = CustomerDto.from(c);
      await recordEvent(m, actorOf(caller), {
        action: status === 'suspended' ? 'customer.suspended' : 'customer.reactivated',
        targetType: 'customer',
        targetId: c.id,
        customerId: c.id,
        before,
        after,
      });
      // a suspended customer's queued outbound mail waits (held) until it is reactivated
      if (status === 'suspended') await holdQueuedMail(m, { customerId: c.id });
      else await releaseHeldMail(m, { customerId: c.id });
      await m.query(`SELECT pg_notify('postbode_changes', $1)`, [JSON.stringify({ kind: 'customer', id: c.id })]);
      return after;
    });
  }

  /** Loads a customer the caller may see (404 otherwise), optionally locking the row. */
  async load(m: EntityManager, caller: Caller, id: string, lock = false): Promise<Customer> {
    const c = await m.findOne(Customer, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!c) throw notFound('customer', id);
    requireVisible(caller, c.id, 'customer', id);
    return c;
  }

  private async assertExternalRefFree(m: EntityManager, externalRef: string | null, selfId: string | null): Promise<void> {
    if (!externalRef) return;
    const other = await m.findOne(Customer, { where: { externalRef } });
    if (other && other.id !== selfId) {
      throw conflict('external_ref_taken', `Another customer already has externalRef ${externalRef}`, { field: 'externalRef' });
    }
  }
}
