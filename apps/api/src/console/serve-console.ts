import { NestExpressApplication } from '@nestjs/platform-express';
import { NextFunction, Request, Response, static as serveStatic } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Paths that belong to the API process itself; everything else may be a console page. */
const SERVER_PATHS = /^\/(v1|docs|openapi\.json|openapi\.yaml|healthz|readyz)(\/|$|-)/;

const STATIC_FILE = /\.(js|mjs|css|map|ico|png|jpe?g|gif|svg|webp|woff2?|ttf|json|txt|xml|webmanifest)$/i;

/**
 * The console's pages only talk to this origin; the signing link carries its
 * token in the path, so no Referer may leak it to another site.
 */
const CONSOLE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

/** dist/console, found from the repository root both when running from dist/ and from source (tests). */
export function defaultConsoleDir(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return resolve(dir, 'dist', 'console');
}

/**
 * Serves the built console (apps/console → dist/console) under `/`: hashed
 * assets cached for a year, and index.html for every other GET that is not an
 * API, Swagger or probe path, so a reload on /customers/<id> opens that page.
 * Unknown /v1 paths still reach Nest and get the API's JSON 404.
 */
export function serveConsole(app: NestExpressApplication, dir = defaultConsoleDir()): void {
  const index = join(dir, 'index.html');
  const setConsoleHeaders = (res: Response) => {
    for (const [name, value] of Object.entries(CONSOLE_HEADERS)) res.setHeader(name, value);
  };
  app.use(
    serveStatic(dir, {
      index: false,
      fallthrough: true,
      setHeaders: (res, path) => {
        setConsoleHeaders(res as Response);
        // Vite puts a content hash in every asset name: a new build is a new URL.
        res.setHeader('Cache-Control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path)) return next();
    // a missing file (/assets/old-hash.js, /favicon.ico) is a 404, not the page; a signing
    // token may contain dots, so only names that look like files count
    if (req.path.startsWith('/assets/') || STATIC_FILE.test(req.path)) return next();
    setConsoleHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The console is not built. Run `npm run build` (or `npm start`, which builds it) and reload.\n');
      return;
    }
    res.sendFile(index);
  });
}
