import createClient from 'openapi-fetch';
import { ApiError, networkError, toApiError } from './errors';
import type { components, paths } from './schema';
import { session } from './session';

/** Every schema of openapi/openapi.json, e.g. `Schemas['CustomerDto']`. */
export type Schemas = components['schemas'];

/**
 * The one way the console talks to the API: typed from openapi/openapi.json, so
 * a change of the spec that breaks a page breaks `npm run build`.
 */
export const api = createClient<paths>({ baseUrl: window.location.origin });

api.use({
  onRequest({ request }) {
    const key = session.apiKey();
    // the signing portal's calls carry only the link's token: a staff key in the same tab stays out of them
    const isSigning = new URL(request.url).pathname.startsWith('/v1/signing/');
    if (key && !isSigning && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${key}`);
    return request;
  },
  onResponse({ request, response }) {
    // The stored key stopped working (revoked, or the database was reset): back to sign-in.
    const key = session.apiKey();
    if (response.status === 401 && key && request.headers.get('Authorization') === `Bearer ${key}`) {
      session.signOut('Your API key is no longer accepted (revoked or unknown). Sign in with a valid key.');
    }
    return response;
  },
});

/**
 * Unwraps an openapi-fetch result: the data on success, an ApiError otherwise.
 * `await call(api.GET('/v1/customers/{id}', { params: { path: { id } } }))`
 */
export async function call<D>(request: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let result: { data?: D; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw networkError();
  }
  if (!result.response.ok) throw toApiError(result.response.status, result.error ?? null);
  return result.data as D;
}
