import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');

/**
 * The console's client is generated from openapi/openapi.json and type-checked
 * in the build: an API change the console does not follow must break the build,
 * not the page in a browser. This builds the console's types against a spec
 * with a renamed field and a removed route, and expects tsc to name both.
 */
describe('console contract with openapi/openapi.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'postbode-contract-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails to type-check when the spec drops what the console uses', async () => {
    // the same layout as the repository, so the console's relative imports resolve
    cpSync(resolve(ROOT, 'apps/console'), join(dir, 'apps/console'), { recursive: true, filter: (src) => !src.endsWith('schema.ts') });
    symlinkSync(resolve(ROOT, 'libs'), join(dir, 'libs'));
    symlinkSync(resolve(ROOT, 'node_modules'), join(dir, 'node_modules'));
    mkdirSync(join(dir, 'openapi'));

    const spec = JSON.parse(readFileSync(resolve(ROOT, 'openapi/openapi.json'), 'utf8'));
    const customer = spec.components.schemas.CustomerDto;
    customer.properties.displayName = customer.properties.name;
    delete customer.properties.name;
    customer.required = customer.required.map((f: string) => (f === 'name' ? 'displayName' : f));
    delete spec.paths['/v1/customers/{id}/suspend'];
    writeFileSync(join(dir, 'openapi/openapi.json'), JSON.stringify(spec));

    const node = process.execPath;
    await run(node, [resolve(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), 'openapi/openapi.json', '--enum-values', '-o', 'apps/console/src/api/schema.ts'], { cwd: dir });
    const tsc = await run(node, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'apps/console'], { cwd: dir }).then(
      () => null,
      (err: { stdout: string }) => err.stdout,
    );
    expect(tsc, 'tsc accepted a spec the console cannot work with').not.toBeNull();
    expect(tsc).toMatch(/Property 'name' does not exist on type/);
    expect(tsc).toMatch(/\/v1\/customers\/\{id\}\/suspend/);
  }, 120_000);
});
