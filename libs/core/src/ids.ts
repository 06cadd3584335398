import { v7 as uuidv7 } from 'uuid';

/**
 * Ids are UUIDv7: unique like v4, but time-ordered, so "ORDER BY id" is creation
 * order and a list cursor is just the last id seen (keyset pagination that
 * stays fast whatever the table size).
 */
export function newId(): string {
  return uuidv7();
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}
