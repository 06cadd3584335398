import { EntityManager, EntityTarget, ObjectLiteral, QueryFailedError } from 'typeorm';

/** `%text%` for LIKE/ILIKE with the wildcard characters in the text taken literally (use with ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (x) => `\\${x}`)}%`;
}

/**
 * True when a unique index refused the row. Services check first, but two
 * requests can pass the check together: the index is the last word, and this
 * lets the service answer that case with the same specific 409.
 */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { constraint?: string } };
  return err instanceof QueryFailedError && e.code === '23505' && (e.constraint ?? e.driverError?.constraint) === constraint;
}

/**
 * INSERT of a new resource row in one statement, with no RETURNING and no
 * read-back: the row is exactly the entity we built (id, timestamps and all
 * defaults set here), so the response is made from it. TypeORM's own insert
 * would merge the database's raw defaults back unconverted (bigints as strings).
 */
export async function insertRow<E extends ObjectLiteral & { createdAt: Date; updatedAt: Date }>(m: EntityManager, target: EntityTarget<E>, row: E): Promise<E> {
  const now = new Date();
  row.createdAt ??= now;
  row.updatedAt ??= row.createdAt;
  await m.createQueryBuilder().insert().into(target).values(row as never).updateEntity(false).execute();
  return row;
}
