import { useEffect, useState } from 'react';
import { api, call } from '../../api/client';
import { SelectField, TextField } from '../../ui/fields';
import { useLoad } from '../../ui/hooks';

/** Chooses a domain by searching its name (a new mailbox's or alias's domain). */
export function DomainPicker({ value, onChange, error }: { value: string; onChange: (domainId: string) => void; error?: string }) {
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);
  const matches = useLoad(() => call(api.GET('/v1/domains', { params: { query: { q: debounced || undefined, limit: 20 } } })), debounced);
  const chosen = useLoad(() => (value ? call(api.GET('/v1/domains/{id}', { params: { path: { id: value } } })) : Promise.resolve(null)), value);
  const options = [...(matches.data?.items ?? [])];
  if (chosen.data && !options.some((d) => d.id === chosen.data!.id)) options.unshift(chosen.data);
  return (
    <div className="picker">
      <TextField label="Find domain" type="search" placeholder="Part of the name" value={search} onChange={(e) => setSearch(e.target.value)} />
      <SelectField label="Domain" name="domainId" value={value} onChange={(e) => onChange(e.target.value)} error={error ?? matches.error?.message}>
        <option value="">Choose a domain</option>
        {options.map((d) => (
          <option key={d.id} value={d.id}>
            {d.unicodeName}
          </option>
        ))}
      </SelectField>
    </div>
  );
}
