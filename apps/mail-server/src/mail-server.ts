import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino, { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../libs/core/src/config/config';
import { ImapListeningPort, ImapService } from './imap/imap.service';
import { MailServerModule } from './mail-server.module';
import { ListeningPort } from './smtp/smtp-listeners';
import { SmtpService } from './smtp/smtp.service';
import { Pop3Service } from './pop3/pop3.service';

export interface RunningMailServer {
  app: INestApplicationContext;
  ports: ListeningPort[];
  pop3Ports: Pop3Service['ports'];
  imapPorts: ImapListeningPort[];
  tlsSource: string;
  close(): Promise<void>;
}

export interface MailServerStartOptions {
  log?: Logger;
}

/** Builds and starts the mail server on an initialised DataSource (main.ts and the tests). */
export async function startMailServer(
  config: PostbodeConfig,
  dataSource: DataSource,
  databaseUrl: string,
  opts: MailServerStartOptions = {},
): Promise<RunningMailServer> {
  const log = opts.log ?? pino({ level: config.logLevel, base: { app: 'mail-server' } });
  const app = await NestFactory.createApplicationContext(
    MailServerModule.register({ config, dataSource, databaseUrl, log }),
    { logger: ['error', 'warn'], abortOnError: false },
  );
  // createApplicationContext has run the lifecycle: LISTEN is up, the listeners are open
  const smtp = app.get(SmtpService);
  return {
    app,
    ports: smtp.ports,
    pop3Ports: app.get(Pop3Service).ports,
    imapPorts: app.get(ImapService).ports,
    tlsSource: smtp.tlsSource,
    close: () => app.close(),
  };
}
