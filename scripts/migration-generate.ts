/**
 * Writes migrations/<timestamp>-<Name>.ts with the SQL that brings a fresh
 * database (all current migrations applied) in line with the entities, and
 * registers it in migrations/index.ts. Usage: npm run migration:generate -- Name
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDataSource } from '../libs/core/src/database/data-source';
import { makeTempDir, startEmbeddedPostgres } from '../libs/core/src/database/embedded-postgres';

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
    console.error('usage: npm run migration:generate -- PascalCaseName');
    process.exit(2);
  }
  const dir = makeTempDir('postbode-migrate-');
  const pg = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port: 54000 + Math.floor(Math.random() * 900), fastUnsafe: true });
  const ds = createDataSource(pg.url);
  try {
    await ds.initialize();
    await ds.runMigrations();
    const log = await ds.driver.createSchemaBuilder().log();
    if (log.upQueries.length === 0) {
      console.log('No changes: entities and migrations agree.');
      return;
    }
    const ts = Date.now();
    const cls = `${name}${ts}`;
    const q = (s: string) => '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
    const up = log.upQueries.map((x) => `    await queryRunner.query(${q(x.query)});`).join('\n');
    const down = log.downQueries.reverse().map((x) => `    await queryRunner.query(${q(x.query)});`).join('\n');
    const file = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${cls} implements MigrationInterface {
  name = '${cls}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down}
  }
}
`;
    const root = resolve(__dirname, '../..');
    writeFileSync(join(root, 'migrations', `${ts}-${name}.ts`), file);
    const indexPath = join(root, 'migrations', 'index.ts');
    let index = readFileSync(indexPath, 'utf8');
    index = `import { ${cls} } from './${ts}-${name}';\n` + index;
    index = index.replace(/export const MIGRATIONS: Function\[\] = \[([^\]]*)\];/, (_m, list: string) => {
      const items = list.split(',').map((s) => s.trim()).filter(Boolean);
      items.push(cls);
      return `export const MIGRATIONS: Function[] = [\n  ${items.join(',\n  ')},\n];`;
    });
    writeFileSync(indexPath, index);
    console.log(`Wrote migrations/${ts}-${name}.ts (${log.upQueries.length} statements)`);
  } finally {
    await ds.destroy().catch(() => undefined);
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
