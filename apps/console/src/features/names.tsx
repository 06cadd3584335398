import { api, call } from '../api/client';
import { session } from '../api/session';
import { useCaller } from '../app/caller';
import { Link } from '../app/router';
import { useLoad } from '../ui/hooks';

/**
 * Lists and the audit log hold ids (the actor's key, a key's customer); people
 * know names. Each name is fetched once per signed-in key and shared.
 */
const cache = new Map<string, Promise<string | null>>();

function cachedName(kind: string, id: string, load: () => Promise<string>): Promise<string | null> {
  const key = `${session.apiKey()}|${kind}|${id}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = load().catch(() => null); // gone or not visible to this key: show the short id
    cache.set(key, hit);
  }
  return hit;
}

/** UUIDv7 ids start with the time, so the end tells ids made together apart. */
export const shortId = (id: string) => `…${id.slice(-8)}`;

export function CustomerName({ id, link = true }: { id: string; link?: boolean }) {
  const name = useLoad(() => cachedName('customer', id, async () => (await call(api.GET('/v1/customers/{id}', { params: { path: { id } } }))).name), id);
  const text = name.data ?? shortId(id);
  return link ? <Link to={`/customers/${id}`}>{text}</Link> : <>{text}</>;
}

/** An API key's name; only admin keys may read keys, others see the short id. */
export function ApiKeyName({ id }: { id: string }) {
  const caller = useCaller();
  const mayRead = caller.scopes.includes('admin') && !caller.customerId;
  const name = useLoad(
    () => (mayRead ? cachedName('api_key', id, async () => (await call(api.GET('/v1/api-keys/{id}', { params: { path: { id } } }))).name) : Promise.resolve(null)),
    `${id}|${mayRead}`,
  );
  const text = id === caller.keyId ? `${caller.keyName ?? 'this key'} (you)` : (name.data ?? shortId(id));
  return <span title={`API key ${id}`}>{text}</span>;
}
