/**
 * Sequence sets (RFC 3501 9 sequence-set): "1,3:5,7:*". `*` is the largest
 * number in use (the last sequence number, or the largest UID). A range may
 * be written backwards ("5:3" is "3:5").
 */

/** One range; `null` stands for `*`. */
export type SequenceRange = [number | null, number | null];

const MAX_RANGES = 10_000;

export function parseSequenceSet(text: string): SequenceRange[] | null {
  if (!text || text.length > 100_000) return null;
  const ranges: SequenceRange[] = [];
  for (const piece of text.split(',')) {
    if (ranges.length >= MAX_RANGES) return null;
    const m = /^(\d{1,10}|\*)(?::(\d{1,10}|\*))?$/.exec(piece);
    if (!m) return null;
    const a = m[1] === '*' ? null : Number(m[1]);
    const b = m[2] === undefined ? a : m[2] === '*' ? null : Number(m[2]);
    if (a === 0 || b === 0 || (a !== null && a > 0xffffffff) || (b !== null && b > 0xffffffff)) return null;
    ranges.push([a, b]);
  }
  return ranges;
}

/**
 * Sequence numbers → 0-based indexes into the folder view, ascending and
 * unique. Null when a number is beyond the last message (RFC 3501: an
 * invalid sequence number is an error). `*` in an empty folder selects nothing.
 */
export function resolveSequenceNumbers(ranges: SequenceRange[], count: number): number[] | null {
  const picked = new Uint8Array(count);
  let found = 0;
  for (const [a, b] of ranges) {
    if ((a === null || b === null) && count === 0) continue;
    const x = a ?? count;
    const y = b ?? count;
    const lo = Math.min(x, y);
    const hi = Math.max(x, y);
    if (hi > count) return null;
    for (let n = lo; n <= hi; n++) {
      if (!picked[n - 1]) {
        picked[n - 1] = 1;
        found++;
      }
    }
  }
  const out: number[] = new Array(found);
  let j = 0;
  for (let i = 0; i < count; i++) if (picked[i]) out[j++] = i;
  return out;
}

/**
 * UID set → 0-based indexes of the messages in the view whose UID is in the
 * set (ascending, unique). UIDs that do not exist are simply not matched;
 * `*` is the largest UID in the view, so "N:*" always includes the last message.
 */
export function resolveUidSet(ranges: SequenceRange[], uids: readonly number[]): number[] {
  const count = uids.length;
  if (count === 0) return [];
  const maxUid = uids[count - 1];
  if (ranges.length === 1) {
    // the common case (1:*, a single range): one slice, no bitmap
    const [lo, hi] = bounds(ranges[0], maxUid);
    const from = lowerBound(uids, lo);
    const to = lowerBound(uids, hi + 1);
    const out: number[] = new Array(Math.max(0, to - from));
    for (let i = from; i < to; i++) out[i - from] = i;
    return out;
  }
  const picked = new Uint8Array(count);
  for (const range of ranges) {
    const [lo, hi] = bounds(range, maxUid);
    for (let i = lowerBound(uids, lo); i < count && uids[i] <= hi; i++) picked[i] = 1;
  }
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (picked[i]) out.push(i);
  return out;
}

function bounds([a, b]: SequenceRange, max: number): [number, number] {
  const x = a ?? max;
  const y = b ?? max;
  return [Math.min(x, y), Math.max(x, y)];
}

/** First index whose value is >= v (the array is ascending). */
export function lowerBound(values: readonly number[], v: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Compact "1:3,5" form of ascending numbers (COPYUID, SEARCH results are not compacted). */
export function compactSet(values: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j] + 1) j++;
    out.push(j === i ? String(values[i]) : `${values[i]}:${values[j]}`);
    i = j + 1;
  }
  return out.join(',');
}
