import { expect } from 'vitest';
import { bearer, TestApi, unique } from './api';

/** Data every resource test needs, made through the API itself (no shortcuts into the database). */

export const PASSWORD = 'correct horse battery staple';

export async function createCustomer(api: TestApi): Promise<{ id: string }> {
  const res = await api.http().post('/v1/customers').set(api.admin).send({ name: unique('Customer '), contactEmail: 'admin@customer.example' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A unique domain name under .example (tests share one database). */
export function domainName(prefix = 'd'): string {
  return `${unique(prefix).toLowerCase()}.example`;
}

export async function createDomain(api: TestApi, customerId: string, extra: Record<string, unknown> = {}): Promise<{ id: string; name: string } & Record<string, unknown>> {
  const res = await api.http().post('/v1/domains').set(api.admin).send({ customerId, name: domainName(), ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function createMailbox(
  api: TestApi,
  domainId: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; address: string } & Record<string, unknown>> {
  const res = await api.http().post('/v1/mailboxes').set(api.admin).send({ domainId, localPart: unique('u'), password: PASSWORD, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** An API key with these scopes, optionally bound to a customer; returns its Authorization header. */
export async function keyWith(api: TestApi, scopes: string[], customerId?: string): Promise<{ Authorization: string }> {
  const res = await api.http().post('/v1/api-keys').set(api.admin).send({ name: unique('key '), scopes, ...(customerId ? { customerId } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return bearer(res.body.key);
}

/** The fields named in a validation error. */
export function fieldsOf(body: { error: { details: { field: string }[] | null } }): string[] {
  return (body.error.details ?? []).map((d) => d.field);
}
