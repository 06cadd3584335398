import { useEffect, useState } from 'react';
import { api, call } from '../../api/client';
import { SelectField, TextField } from '../../ui/fields';
import { useLoad } from '../../ui/hooks';

/**
 * Chooses a customer by searching its name or billing id (an API key's
 * binding now; a new domain's owner later). The select lists the matches.
 */
export function CustomerPicker({
  label,
  value,
  onChange,
  error,
  hint,
  optional = false,
}: {
  label: string;
  value: string;
  onChange: (customerId: string) => void;
  error?: string;
  hint?: string;
  optional?: boolean;
}) {
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);
  const matches = useLoad(() => call(api.GET('/v1/customers', { params: { query: { q: debounced || undefined, limit: 20 } } })), debounced);
  // the chosen customer stays selectable when a new search does not find it
  const chosen = useLoad(() => (value ? call(api.GET('/v1/customers/{id}', { params: { path: { id: value } } })) : Promise.resolve(null)), value);
  const options = [...(matches.data?.items ?? [])];
  if (chosen.data && !options.some((c) => c.id === chosen.data!.id)) options.unshift(chosen.data);

  return (
    <div className="picker">
      <TextField label={`Find ${label.toLowerCase()}`} type="search" placeholder="Name or billing id" value={search} onChange={(e) => setSearch(e.target.value)} />
      <SelectField label={label} value={value} onChange={(e) => onChange(e.target.value)} error={error ?? matches.error?.message} hint={hint} aria-busy={matches.loading || undefined}>
        <option value="">{optional ? 'None' : 'Choose a customer'}</option>
        {options.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
            {c.externalRef ? ` (${c.externalRef})` : ''}
          </option>
        ))}
      </SelectField>
    </div>
  );
}
