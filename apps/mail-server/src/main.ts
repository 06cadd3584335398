import 'reflect-metadata';
import { loadConfigOrExit } from '../../../libs/core/src/config/config';
import { openDatabase } from '../../../libs/core/src/database/open-database';

/**
 * The mail server process. For now it connects to the database, runs the
 * migrations when asked (--migrate or RUN_MIGRATIONS=true), reports ready and
 * stops cleanly on SIGTERM; SMTP, POP3 and IMAP listeners arrive in their issues.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const runMigrations = process.argv.includes('--migrate') || process.env.RUN_MIGRATIONS === 'true';
  const db = await openDatabase(config, { runMigrations, applicationName: 'postbode-mail-server' });
  const [{ count }] = await db.dataSource.query('SELECT count(*)::int AS count FROM mailboxes');
  process.stdout.write(`Mail server ready (host name ${config.mailHostname}, ${count} mailboxes; no protocol listeners yet)\n`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`Mail server: ${signal} received, closing\n`);
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // keep the event loop alive until a signal arrives
  setInterval(() => undefined, 1 << 30);
}

main().catch((err) => {
  process.stderr.write(`Mail server failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
