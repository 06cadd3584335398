import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsUUID('all', { message: 'cursor must be a nextCursor value from a previous page' })
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Keyset pagination on the UUIDv7 id (creation order): each page is one index
 * range scan, so a page costs the same at 1,000 rows as at 10 million.
 */
export async function paginate<E extends ObjectLiteral & { id: string }>(
  qb: SelectQueryBuilder<E>,
  query: PageQuery,
  order: 'asc' | 'desc' = 'asc',
): Promise<Page<E>> {
  const limit = query.limit ?? 50;
  const alias = qb.alias;
  if (query.cursor) qb.andWhere(`${alias}.id ${order === 'asc' ? '>' : '<'} :cursor`, { cursor: query.cursor });
  const rows = await qb.orderBy(`${alias}.id`, order === 'asc' ? 'ASC' : 'DESC').limit(limit + 1).getMany();
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? items[items.length - 1].id : null };
}
