import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi, unique } from './support/api';

describe('customers', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  it('creates, reads, updates, suspends, reactivates and deletes a customer', async () => {
    const ref = unique('CUST-');
    const created = await api.http().post('/v1/customers').set(api.admin).send({ name: 'Bakkerij', contactEmail: 'a@bakkerij.example', externalRef: ref });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Bakkerij', contactEmail: 'a@bakkerij.example', externalRef: ref, status: 'active', suspendedReason: null });
    const id = created.body.id;

    expect((await api.http().get(`/v1/customers/${id}`).set(api.admin)).body.id).toBe(id);
    expect((await api.http().get(`/v1/customers/by-external-ref/${ref}`).set(api.admin)).body.id).toBe(id);
    const listed = await api.http().get('/v1/customers').query({ externalRef: ref }).set(api.admin);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([id]);

    const patched = await api.http().patch(`/v1/customers/${id}`).set(api.admin).send({ name: 'Bakkerij de Vries' });
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe('Bakkerij de Vries');

    const suspended = await api.http().post(`/v1/customers/${id}/suspend`).set(api.admin).send({ reason: 'unpaid invoice' });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ status: 'suspended', suspendedReason: 'unpaid invoice' });
    expect((await api.http().post(`/v1/customers/${id}/suspend`).set(api.admin).send({ reason: 'again' })).status).toBe(409);
    const reactivated = await api.http().post(`/v1/customers/${id}/reactivate`).set(api.admin).send();
    expect(reactivated.body).toMatchObject({ status: 'active', suspendedReason: null });

    expect((await api.http().delete(`/v1/customers/${id}`).set(api.admin)).status).toBe(204);
    expect((await api.http().get(`/v1/customers/${id}`).set(api.admin)).status).toBe(404);
  });

  it('names every bad field', async () => {
    const res = await api.http().post('/v1/customers').set(api.admin).send({ name: '', contactEmail: 'nope', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'contactEmail', 'extra']));
  });

  it('refuses a second customer with the same externalRef', async () => {
    const ref = unique('DUP-');
    await api.http().post('/v1/customers').set(api.admin).send({ name: 'A', contactEmail: 'a@a.example', externalRef: ref }).expect(201);
    const dup = await api.http().post('/v1/customers').set(api.admin).send({ name: 'B', contactEmail: 'b@b.example', externalRef: ref });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('external_ref_taken');
  });

  it('answers invalid JSON with 400, not 500', async () => {
    const res = await api.http().post('/v1/customers').set(api.admin).set('Content-Type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it('answers unknown and malformed ids with 404', async () => {
    expect((await api.http().get('/v1/customers/0190a4e8-0000-7000-8000-000000000000').set(api.admin)).status).toBe(404);
    expect((await api.http().get('/v1/customers/not-a-uuid').set(api.admin)).status).toBe(404);
  });

  it('needs a valid bearer key', async () => {
    expect((await api.http().get('/v1/customers')).status).toBe(401);
    const bad = await api.http().get('/v1/customers').set('Authorization', 'Bearer pb_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_api_key');
  });
});
