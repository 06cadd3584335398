/**
 * Turns an event's before/after snapshots into lines a person reads: what was
 * set on create, what changed on update, what was there on delete.
 */
export interface Change {
  field: string;
  before?: string;
  after?: string;
}

type Snapshot = Record<string, unknown> | null | undefined;

/** Bookkeeping fields every snapshot has; they change on every update and say nothing. */
const NOISE = new Set(['id', 'createdAt', 'updatedAt']);

export function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(show).join(', ') || '—';
  return JSON.stringify(value);
}

export function describeChanges(before: Snapshot, after: Snapshot): Change[] {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter((f) => !NOISE.has(f));
  const out: Change[] = [];
  for (const field of fields) {
    const b = before ? show(before[field]) : undefined;
    const a = after ? show(after[field]) : undefined;
    if (before && after && b === a) continue;
    out.push({ field, ...(before ? { before: b } : {}), ...(after ? { after: a } : {}) });
  }
  return out;
}

/** The name a person knows the target by (a customer's name, a mailbox's address), from either snapshot. */
export function targetLabel(before: Snapshot, after: Snapshot): string | null {
  for (const snap of [after, before]) {
    for (const key of ['name', 'address', 'title']) {
      const v = snap?.[key];
      if (typeof v === 'string' && v) return v;
    }
  }
  return null;
}
