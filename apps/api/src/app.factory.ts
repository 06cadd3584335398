import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { json, NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { toErrorResponse } from './common/errors';
import { DataSource } from 'typeorm';
import { PostbodeConfig } from '../../../libs/core/src/config/config';
import { AppModule } from './app.module';
import { createValidationPipe } from './common/validation';
import { serveConsole } from './console/serve-console';

export interface ApiAppOptions {
  /** Build the module graph without instantiating providers (OpenAPI generation, no database). */
  preview?: boolean;
  /** Where the built console is; defaults to dist/console under the repository root. */
  consoleDir?: string;
}

export async function createApiApp(config: PostbodeConfig, dataSource: DataSource | null, opts: ApiAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, dataSource), {
    bufferLogs: true,
    bodyParser: false,
    preview: opts.preview ?? false,
    abortOnError: false,
    logger: opts.preview ? false : undefined,
  });
  if (!opts.preview) app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  // Our own JSON parser, so a malformed body is answered in the one error shape with its own code.
  app.use(json({ limit: '1mb' }));
  app.use((err: unknown, req: Request & { id?: string }, res: Response, next: NextFunction) => {
    if (!err) return next();
    const { status, body } = toErrorResponse(err, (req.id as string) ?? null);
    res.status(status).json(body);
  });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', customSiteTitle: 'Postbode API' });
  if (!opts.preview) serveConsole(app, opts.consoleDir);
  return app;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Postbode API')
    .setDescription(
      'Provisioning API for Postbode mail hosting: customers, domains, mailboxes, aliases, API keys, the audit log, and no-spam agreements. ' +
        'Send `Authorization: Bearer <api key>`. Errors are `{ "error": { "code", "message", "details" } }`. ' +
        'Lists take `limit` and `cursor` and answer `{ "items": [...], "nextCursor": ... }`. POST accepts `Idempotency-Key`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (pb_...)' }, 'apiKey')
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
}
