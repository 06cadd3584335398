import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Customer, EventRecord, Webhook, WebhookDelivery } from '../../../../libs/core/src/entities';
import { invalid, notFound } from '../../../../libs/core/src/errors';
import { recordEvent } from '../../../../libs/core/src/events';
import { generateWebhookSecret } from '../../../../libs/core/src/webhooks/webhook-signature';
import { actorOf, scopeToCaller } from '../common/access';
import { Caller } from '../common/caller';
import { Page, paginate } from '../common/pagination';
import { CreatedWebhookDto, CreateWebhookDto, DeliveryListQuery, UpdateWebhookDto, WebhookDeliveryDto, WebhookDto, WebhookListQuery } from './webhook.dto';

/**
 * Webhook endpoints. A customer-bound key manages webhooks of its own
 * customer, and those receive only that customer's events.
 */
@Injectable()
export class WebhooksService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(caller: Caller, dto: CreateWebhookDto): Promise<CreatedWebhookDto> {
    if (caller.customerId && dto.customerId && dto.customerId !== caller.customerId) {
      throw invalid('customerId', "a customer-bound key can only register webhooks for its own customer's events");
    }
    const customerId = caller.customerId ?? dto.customerId ?? null;
    return this.db.transaction(async (m) => {
      if (customerId && !(await m.exists(Customer, { where: { id: customerId } }))) throw invalid('customerId', 'no such customer');
      const secret = dto.secret ?? generateWebhookSecret();
      const w = m.create(Webhook, {
        customerId,
        url: dto.url,
        description: dto.description?.trim() || null,
        eventTypes: dto.eventTypes,
        active: dto.active ?? true,
        secret,
      });
      await m.save(w);
      const out = WebhookDto.from(w);
      await recordEvent(m, actorOf(caller), { action: 'webhook.created', targetType: 'webhook', targetId: w.id, customerId, after: out });
      return { ...out, secret };
    });
  }

  async list(caller: Caller, q: WebhookListQuery): Promise<Page<WebhookDto>> {
    const qb = scopeToCaller(this.db.getRepository(Webhook).createQueryBuilder('w'), caller);
    if (q.customerId) qb.andWhere('w.customerId = :customerId', { customerId: q.customerId });
    const page = await paginate(qb, q);
    return { items: page.items.map(WebhookDto.from), nextCursor: page.nextCursor };
  }

  async get(caller: Caller, id: string): Promise<WebhookDto> {
    return WebhookDto.from(await this.load(this.db.manager, caller, id));
  }

  async update(caller: Caller, id: string, dto: UpdateWebhookDto): Promise<WebhookDto> {
    return this.db.transaction(async (m) => {
      const w = await this.load(m, caller, id, true);
      const before = WebhookDto.from(w);
      if (dto.url !== undefined) w.url = dto.url;
      if (dto.eventTypes !== undefined) w.eventTypes = dto.eventTypes;
      if (dto.active !== undefined) w.active = dto.active;
      if (dto.description !== undefined) w.description = dto.description.trim() || null;
      await m.save(w);
      const after = WebhookDto.from(w);
      await recordEvent(m, actorOf(caller), { action: 'webhook.updated', targetType: 'webhook', targetId: w.id, customerId: w.customerId, before, after });
      return after;
    });
  }

  /** Deletes the webhook and its delivery history. */
  async remove(caller: Caller, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const w = await this.load(m, caller, id, true);
      await recordEvent(m, actorOf(caller), { action: 'webhook.deleted', targetType: 'webhook', targetId: w.id, customerId: w.customerId, before: WebhookDto.from(w) });
      await m.delete(Webhook, { id: w.id });
    });
  }

  async deliveries(caller: Caller, id: string, q: DeliveryListQuery): Promise<Page<WebhookDeliveryDto>> {
    const w = await this.load(this.db.manager, caller, id);
    const qb = this.db.getRepository(WebhookDelivery).createQueryBuilder('d').where('d.webhookId = :id', { id: w.id });
    if (q.status) qb.andWhere('d.status = :status', { status: q.status });
    const page = await paginate(qb, q);
    const events = page.items.length
      ? await this.db.getRepository(EventRecord).find({ where: { id: In(page.items.map((d) => d.eventId)) }, select: { id: true, action: true } })
      : [];
    const actions = new Map(events.map((e) => [e.id, e.action]));
    return { items: page.items.map((d) => WebhookDeliveryDto.from(d, actions.get(d.eventId) ?? '')), nextCursor: page.nextCursor };
  }

  private async load(m: EntityManager, caller: Caller, id: string, lock = false): Promise<Webhook> {
    const w = await m.findOne(Webhook, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    // A bound key sees only its own customer's webhooks, not the staff-wide ones.
    if (!w || (caller.customerId && w.customerId !== caller.customerId)) throw notFound('webhook', id);
    return w;
  }
}
