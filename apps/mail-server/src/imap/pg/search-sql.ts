import type { SearchKey } from '../imap-backend';

/**
 * SEARCH keys as a SQL condition on `mm` (mailbox_messages) and `m`
 * (messages), or null when a key needs the message text (BODY, TEXT, header
 * fields that are not in the stored summary): the caller then applies
 * matchesMessage() to the raw bytes. Parameters are appended to `params`.
 *
 * The stored header summary holds the decoded first Subject, From, To and
 * Cc field and the parsed Date, which is what SUBJECT, FROM, TO, CC and
 * SENTBEFORE/ON/SINCE look at (case-insensitive substring, UTC calendar day).
 */
const SUMMARY_COLUMNS: Record<string, string> = { subject: 'm.subject', from: 'm.from_header', to: 'm.to_header', cc: 'm.cc_header' };

const COMPARE = { before: '<', on: '=', since: '>=' } as const;

export function searchSql(key: SearchKey, params: unknown[]): string | null {
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  switch (key.type) {
    case 'and': {
      const parts = key.keys.map((k) => searchSql(k, params));
      if (parts.some((x) => x === null)) return null;
      return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
    }
    case 'or': {
      const left = searchSql(key.left, params);
      const right = left === null ? null : searchSql(key.right, params);
      return left === null || right === null ? null : `(${left} OR ${right})`;
    }
    case 'not': {
      const inner = searchSql(key.key, params);
      return inner === null ? null : `NOT ${inner}`;
    }
    case 'uid':
      return `mm.uid = ANY(${p(key.uids)}::bigint[])`;
    case 'flag': {
      const has = `EXISTS (SELECT 1 FROM unnest(mm.flags) AS fl(f) WHERE lower(fl.f) = lower(${p(key.flag)}))`;
      return key.set ? has : `NOT ${has}`;
    }
    case 'size':
      return `mm.size ${key.comparison === 'larger' ? '>' : '<'} ${p(key.size)}::bigint`;
    case 'date': {
      const column = key.field === 'internal' ? 'mm.internal_date' : 'm.date_header';
      const day = `(${column} AT TIME ZONE 'UTC')::date`;
      const cond = `${day} ${COMPARE[key.comparison]} ${p(key.date)}::date`;
      return key.field === 'internal' ? cond : `(${column} IS NOT NULL AND ${cond})`;
    }
    case 'header': {
      const column = SUMMARY_COLUMNS[key.field];
      if (!column) return null;
      if (key.value === '') return `${column} IS NOT NULL`;
      return `${column} ILIKE ${p('%' + key.value.replace(/[\\%_]/g, (c) => '\\' + c) + '%')}`;
    }
    default:
      return null;
  }
}
