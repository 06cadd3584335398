import 'reflect-metadata';
import { loadConfigOrExit } from '../../../libs/core/src/config/config';
import { ensureAdminKey } from '../../../libs/core/src/auth/bootstrap-admin';
import { openDatabase } from '../../../libs/core/src/database/open-database';
import { createApiApp } from './app.factory';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (config.apiPort === null) {
    process.stderr.write('API_PORT is "off": the API has nothing to do\n');
    process.exit(78);
  }
  const db = await openDatabase(config, { runMigrations: true, applicationName: 'postbode-api' });
  const { createdToken } = await ensureAdminKey(db.dataSource, config.adminApiKey);
  const app = await createApiApp(config, db.dataSource);
  await app.listen(config.apiPort, config.listenHost);
  const base = `http://${config.listenHost.includes(':') ? `[${config.listenHost}]` : config.listenHost}:${config.apiPort}`;
  const lines = [
    `Postbode API listening on ${base}`,
    `  Console:      ${base}/   (log in with an API key)`,
    `  Swagger UI:   ${base}/docs`,
    `  OpenAPI JSON: ${base}/openapi.json`,
  ];
  if (createdToken) {
    lines.push(
      '',
      '  First start: an admin API key was created. It is shown only this once; store it now:',
      `    ${createdToken}`,
      `  Log in with:  curl -H "Authorization: Bearer ${createdToken}" ${base}/v1/customers`,
      '',
    );
  } else {
    lines.push('  Log in with your admin API key as "Authorization: Bearer <key>" (ADMIN_API_KEY, or the key printed on first start)');
  }
  process.stdout.write(lines.join('\n') + '\n');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`API: ${signal} received, closing\n`);
    await app.close().catch(() => undefined);
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`API failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
