import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's chromium package; playwright-core drives it (never `npx playwright install`: no internet). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * A fresh machine has no browser: install Debian's `chromium` (we run as root in
 * CI and here). flock keeps parallel test files from running apt at the same time.
 * Fails, naming the package, when it cannot be installed: the browser tests are never skipped.
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  try {
    execFileSync('flock', ['/tmp/postbode-chromium-install.lock', 'sh', '-c', `test -x ${CHROMIUM} || (apt-get update && apt-get install -y chromium)`], {
      stdio: 'pipe',
      timeout: 15 * 60_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (err) {
    const output = `${(err as { stderr?: Buffer }).stderr?.toString() ?? ''}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(`The browser tests need Debian's "chromium" package at ${CHROMIUM}; installing it failed (apt-get install -y chromium):\n${output || String(err)}`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed "chromium" but ${CHROMIUM} is missing`);
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions the page produced, minus the HTTP errors a test expected. */
  unexpectedErrors(): string[];
  /** A test that provokes an HTTP error on purpose (a 400 to show field errors) declares it first. */
  expectHttpError(status: number, urlPart: string): void;
  /** Any number of these (a revoked key: every request in flight is refused the same way). */
  expectHttpErrors(status: number, urlPart: string): void;
  close(): Promise<void>;
}

/** Headless Chromium with a throw-away profile and home, so nothing of the machine's user leaks in or out. */
export async function launchBrowser(): Promise<TestBrowser> {
  ensureChromium();
  const home = mkdtempSync(join(tmpdir(), 'postbode-chromium-'));
  for (const dir of ['.config', '.cache']) mkdirSync(join(home, dir));
  // launchPersistentContext is playwright's way to give Chromium its own --user-data-dir
  const context = await chromium.launchPersistentContext(join(home, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache') },
    viewport: { width: 1280, height: 860 },
    locale: 'en-GB',
    timezoneId: 'Europe/Amsterdam',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const expected: { status: number; urlPart: string; any?: boolean }[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() !== 'error') return;
    const status = /status of (\d{3})/.exec(msg.text())?.[1];
    const url = msg.location().url ?? '';
    const i = status ? expected.findIndex((e) => e.status === Number(status) && url.includes(e.urlPart)) : -1;
    if (i >= 0 && !expected[i].any) expected.splice(i, 1);
    else if (i >= 0) return;
    else errors.push(`console.error: ${msg.text()} (${url})`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  return {
    context,
    page,
    unexpectedErrors: () => [...errors],
    expectHttpError: (status, urlPart) => expected.push({ status, urlPart }),
    expectHttpErrors: (status, urlPart) => expected.push({ status, urlPart, any: true }),
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
