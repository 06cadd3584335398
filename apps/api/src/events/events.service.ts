import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventRecord } from '../../../../libs/core/src/entities';
import { scopeToCaller } from '../common/access';
import { Caller } from '../common/caller';
import { Page, paginate } from '../common/pagination';
import { EventDto, EventListQuery } from './event.dto';

@Injectable()
export class EventsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(caller: Caller, q: EventListQuery): Promise<Page<EventDto>> {
    const qb = scopeToCaller(this.db.getRepository(EventRecord).createQueryBuilder('e'), caller);
    if (q.action?.endsWith('.')) qb.andWhere('e.action LIKE :prefix', { prefix: `${q.action.replace(/[\\%_]/g, (x) => `\\${x}`)}%` });
    else if (q.action) qb.andWhere('e.action = :action', { action: q.action });
    if (q.targetType) qb.andWhere('e.targetType = :targetType', { targetType: q.targetType });
    if (q.targetId) qb.andWhere('e.targetId = :targetId', { targetId: q.targetId });
    if (q.customerId) qb.andWhere('e.customerId = :customerId', { customerId: q.customerId });
    if (q.actorId) qb.andWhere('e.actorId = :actorId', { actorId: q.actorId });
    if (q.since) qb.andWhere('e.createdAt >= :since', { since: q.since });
    if (q.until) qb.andWhere('e.createdAt < :until', { until: q.until });
    const page = await paginate(qb, q, q.order ?? 'asc');
    return { items: page.items.map(EventDto.from), nextCursor: page.nextCursor };
  }
}
