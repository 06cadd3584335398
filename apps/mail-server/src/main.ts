import 'reflect-metadata';
import { loadConfigOrExit } from '../../../libs/core/src/config/config';
import { openDatabase } from '../../../libs/core/src/database/open-database';
import { startMailServer } from './mail-server';
import { describeImapListener } from './imap/imap.service';
import { describeListener } from './smtp/smtp-listeners';

/**
 * The mail server process: SMTP for receiving (MX) and for users sending
 * (submission), IMAP for reading, on the shared PostgreSQL. Runs the migrations when asked
 * (--migrate or RUN_MIGRATIONS=true); prints "Mail server ready" once every
 * listener is open (the launcher waits for that line).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const runMigrations = process.argv.includes('--migrate') || process.env.RUN_MIGRATIONS === 'true';
  const db = await openDatabase(config, { runMigrations, applicationName: 'postbode-mail-server', poolSize: 20 + (config.deliveryWorker ? config.deliveryConcurrency : 0) });
  let server;
  try {
    server = await startMailServer(config, db.dataSource, db.url);
  } catch (err) {
    await db.close();
    throw err;
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`Mail server: ${signal} received, closing\n`);
    await server.close().catch(() => undefined);
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const lines = [`Mail server ready (host name ${config.mailHostname}, pid ${process.pid})`];
  for (const p of server.ports) lines.push(`  SMTP ${describeListener(p)}`);
  if (server.ports.length === 0) lines.push('  every SMTP listener is off');
  for (const p of server.pop3Ports) lines.push(`  ${p.kind === 'pop3' ? 'POP3 (STLS)' : 'POP3S (implicit TLS)'} on ${p.host}:${p.port}`);
  for (const p of server.imapPorts) lines.push(`  ${describeImapListener(p)}`);
  lines.push(`  TLS certificate: ${server.tlsSource}`);
  process.stdout.write(lines.join('\n') + '\n');

}

main().catch((err) => {
  process.stderr.write(`Mail server failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
