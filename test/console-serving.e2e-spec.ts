import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from './support/api';

/** How the API process serves the console next to /v1, /docs and the probes (a stand-in build, no browser). */
describe('console served by the API', () => {
  let api: TestApi;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postbode-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Postbode</title><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("hi")');
    api = await startApi({}, { consoleDir: dir });
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the page for / and for deep links, with headers that keep the signing token private', async () => {
    for (const path of ['/', '/customers', '/customers/0190a1b2-0000-7000-8000-000000000000', '/sign/abc.def']) {
      const res = await api.http().get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('<div id="root">');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
  });

  it('serves hashed assets with a long cache life, and missing files as 404', async () => {
    const asset = await api.http().get('/assets/index-abc123.js').expect(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    await api.http().get('/assets/index-gone.js').expect(404);
    await api.http().get('/favicon.ico').expect(404);
  });

  it('leaves the API, Swagger UI and the probes alone', async () => {
    const unknown = await api.http().get('/v1/no-such-thing').expect(404);
    expect(unknown.body.error.code).toBe('not_found');
    const unknownPost = await api.http().post('/not-an-api').send({}).expect(404);
    expect(unknownPost.body.error.code).toBe('not_found');
    await api.http().get('/v1/customers').expect(401);
    const docs = await api.http().get('/docs/').expect(200);
    expect(docs.text).toContain('swagger');
    expect((await api.http().get('/openapi.json').expect(200)).body.openapi).toMatch(/^3\./);
    expect((await api.http().get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
  });

  it('says how to build the console when it is missing', async () => {
    const bare = await startApi({}, { consoleDir: join(dir, 'not-built') });
    try {
      const res = await bare.http().get('/customers').expect(503);
      expect(res.text).toContain('npm run build');
      await bare.http().get('/v1/no-such-thing').expect(404);
    } finally {
      await bare.close();
    }
  });
});
