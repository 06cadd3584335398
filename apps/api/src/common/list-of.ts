import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

const cache = new Map<Type<unknown>, Type<unknown>>();

/** `{ items: T[], nextCursor }` as a named OpenAPI schema (e.g. CustomerList). */
export function ListOf<T>(item: Type<T>): Type<{ items: T[]; nextCursor: string | null }> {
  const hit = cache.get(item);
  if (hit) return hit as Type<{ items: T[]; nextCursor: string | null }>;
  class List {
    @ApiProperty({ type: [item] }) items: T[];
    @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor to get the next page; null on the last page' })
    nextCursor: string | null;
  }
  Object.defineProperty(List, 'name', { value: `${item.name.replace(/Dto$/, '')}List` });
  cache.set(item, List);
  return List;
}
