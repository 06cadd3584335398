/**
 * Writes openapi/openapi.json from the API's decorators, keys sorted so the
 * file is stable. `--check` compares instead and fails on drift (used by the tests).
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../libs/core/src/config/config';
import { buildOpenApiDocument } from '../apps/api/src/app.factory';
import { AppModule } from '../apps/api/src/app.module';
import { NestFactory } from '@nestjs/core';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export async function generateOpenApi(): Promise<string> {
  const config = loadConfig({ MAIL_HOSTNAME: 'mail.example.net' });
  const app = await NestFactory.create(AppModule.register(config, null), { preview: true, logger: false, abortOnError: false });
  const doc = buildOpenApiDocument(app);
  await app.close();
  return JSON.stringify(sortKeys(doc), null, 2) + '\n';
}

if (require.main === module) {
  const target = resolve(__dirname, '../../openapi/openapi.json');
  generateOpenApi()
    .then((text) => {
      if (process.argv.includes('--check')) {
        const current = readFileSync(target, 'utf8');
        if (current !== text) {
          console.error('openapi/openapi.json is out of date: run `npm run openapi` and commit it');
          process.exit(1);
        }
        console.log('openapi/openapi.json is up to date');
      } else {
        writeFileSync(target, text);
        console.log(`Wrote ${target}`);
      }
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
