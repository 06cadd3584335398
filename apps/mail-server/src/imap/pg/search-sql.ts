import type { SearchKey } from '../imap-backend';

/**
 * SEARCH keys as SQL conditions on `mm` (mailbox_messages) and `m`
 * (messages). Parameters are appended to `params`.
 *
 * `indexed` is for messages stored with their search text
 * (messages.search_headers / search_body, see computeSearchText): every key
 * is a substring test of the lower-cased needle with strpos, exactly what
 * matchesMessage() does on the same text, so the two agree. `legacy` is for
 * rows stored before that text existed (or whose text was too long to
 * store): the header summary answers SUBJECT, FROM, TO and CC (first
 * field of each, ILIKE); for BCC, HEADER, BODY and TEXT it is null and the
 * caller decodes those messages in JavaScript (matchesMessage).
 *
 * Sent dates are the stored Date: header in both (UTC calendar day).
 */
export interface SearchConditions {
  indexed: string;
  legacy: string | null;
}

const SUMMARY_COLUMNS: Record<string, string> = { subject: 'm.subject', from: 'm.from_header', to: 'm.to_header', cc: 'm.cc_header' };

const COMPARE = { before: '<', on: '=', since: '>=' } as const;

export function searchConditions(key: SearchKey, params: unknown[]): SearchConditions {
  const indexed = searchSql(key, params, 'indexed')!;
  // legacy on a copy: a parameter the statement does not use would fail it (its type cannot be inferred)
  const trial = [...params];
  const legacy = searchSql(key, trial, 'legacy');
  if (legacy !== null) params.push(...trial.slice(params.length));
  return { indexed, legacy };
}

type Mode = 'indexed' | 'legacy';

function searchSql(key: SearchKey, params: unknown[], mode: Mode): string | null {
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  switch (key.type) {
    case 'and': {
      const parts = key.keys.map((k) => searchSql(k, params, mode));
      if (parts.some((x) => x === null)) return null;
      return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
    }
    case 'or': {
      const left = searchSql(key.left, params, mode);
      const right = left === null ? null : searchSql(key.right, params, mode);
      return left === null || right === null ? null : `(${left} OR ${right})`;
    }
    case 'not': {
      const inner = searchSql(key.key, params, mode);
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
      if (mode === 'legacy') {
        const column = SUMMARY_COLUMNS[key.field];
        if (!column) return null;
        if (key.value === '') return `(${column} IS NOT NULL)`;
        // coalesce: a message without the field is not a match, and NOT of it is
        return `coalesce(${column} ILIKE ${p('%' + key.value.replace(/[\\%_]/g, (c) => '\\' + c) + '%')}, FALSE)`;
      }
      const needle = key.value.toLowerCase();
      if (needle.includes('\0')) return 'FALSE'; // no stored text holds a NUL, and PostgreSQL text cannot carry one
      // a line "name: ...needle..." (values hold no line break); strpos first, as it rules out most rows cheaply
      const line = `(^|\n)${regexLiteral(key.field)}: [^\n]*${regexLiteral(needle)}`;
      return `(strpos(m.search_headers, ${p(needle)}) > 0 AND m.search_headers ~ ${p(line)})`;
    }
    case 'body':
    case 'text': {
      if (mode === 'legacy') return null;
      const needle = key.value.toLowerCase();
      if (needle.includes('\0')) return 'FALSE';
      const n = p(needle);
      const inBody = `strpos(m.search_body, ${n}) > 0`;
      // a header line never holds a line break, so a needle with one cannot match there (and must not match across two lines)
      if (key.type === 'body' || /[\r\n]/.test(needle)) return `(${inBody})`;
      return `(${inBody} OR strpos(m.search_headers, ${n}) > 0)`;
    }
  }
}

/** A literal string inside a PostgreSQL (ARE) regular expression. */
function regexLiteral(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, (c) => '\\' + c);
}
