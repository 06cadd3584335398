import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConsoleDir } from '../apps/api/src/console/serve-console';
import { ADMIN_KEY, bearer, startApi, TestApi, unique } from './support/api';
import { launchBrowser, TestBrowser } from './support/browser';

/**
 * The console in a real headless Chromium against the real API (which serves
 * the console built by `npm test`'s build step), clicking what staff click.
 */
const SCREENSHOTS = resolve(__dirname, '../test-results/screenshots');

describe('console in a browser', () => {
  let api: TestApi;
  let browser: TestBrowser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(resolve(defaultConsoleDir(), 'index.html'))) {
      throw new Error('dist/console is not built: run `npm run build` (npm test does) before this test');
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    api = await startApi();
    await api.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(15_000);
  }, 900_000); // a fresh machine installs Chromium first
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  const shot = (name: string) => page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true });
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();
  const gotoNav = async (label: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
    await heading(label);
  };

  it('signs in with an API key kept only in this tab, never in the URL', async () => {
    await page.goto(base);
    await heading('Sign in to the console');
    await shot('login');
    // a wrong key is refused next to the field
    browser.expectHttpError(401, '/v1/stats');
    await page.getByLabel('API key').fill('pb_000000000000_notarealkeynotarealkeynota');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The API key is not valid').waitFor();
    expect(await page.getByLabel('API key').getAttribute('aria-invalid')).toBe('true');
    // keyboard only: type and press Enter
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.keyboard.press('Enter');
    await heading('Dashboard');
    expect(page.url()).not.toContain(ADMIN_KEY);
    expect(await page.evaluate(() => sessionStorage.getItem('postbode.apiKey'))).toBe(ADMIN_KEY);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.getByText('Signed in with the key “ADMIN_API_KEY”').waitFor();
    await page.getByRole('list', { name: 'Counts' }).getByText('Customers').waitFor();
    // the outbound queue's counts (GET /v1/stats queue) for keys with queue:read
    await page.getByRole('list', { name: 'Counts' }).getByText('Outbound queue').waitFor();
    await page.getByRole('list', { name: 'Counts' }).getByText('Sent, last 24 h').waitFor();
    // a reload keeps the session
    await page.reload();
    await heading('Dashboard');
  });

  const name = `Bakkerij ${unique('bv')}`;
  const billingId = unique('CUST-');
  let customerId = '';

  it('creates a customer, showing the API field errors next to the fields', async () => {
    await gotoNav('Customers');
    await page.getByRole('button', { name: 'New customer' }).click();
    await heading('New customer');
    browser.expectHttpError(400, '/v1/customers');
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Contact e-mail').fill('not-an-address');
    await page.getByLabel('Billing id').fill(billingId);
    await page.getByRole('button', { name: 'Create customer' }).click();
    const email = page.getByLabel('Contact e-mail');
    await page.getByText('contactEmail must be an e-mail address').waitFor();
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    // the error is tied to the field and the field has the focus
    const describedBy = (await email.getAttribute('aria-describedby'))!.split(' ')[0];
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain('must be an e-mail address');
    expect(await email.evaluate((el) => el === document.activeElement)).toBe(true);
    await shot('customer-new-field-error');
    await email.fill('admin@bakkerij.example');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await heading(name);
    customerId = page.url().split('/').pop()!;
    expect(customerId).toMatch(/^[0-9a-f-]{36}$/);
    await page.getByText('Customer “' + name + '” created.').waitFor();
  });

  it('finds the customer in the list by name and by billing id', async () => {
    await gotoNav('Customers');
    const search = page.getByRole('searchbox', { name: 'Search' });
    for (const term of [name.split(' ')[1], billingId.toLowerCase()]) {
      await search.fill(term);
      await search.press('Enter');
      await page.waitForURL((u) => u.searchParams.get('q') === term);
      const rows = page.getByRole('table', { name: 'Customers' }).getByRole('row');
      await rows.filter({ hasText: name }).waitFor();
      expect(await rows.count()).toBe(2); // header + our customer
    }
    await shot('customers');
    await search.fill('no-such-customer-' + unique());
    await search.press('Enter');
    await page.getByText('No customer matches.').waitFor();
  });

  it('suspends with a reason and reactivates, each after a confirmation', async () => {
    await page.goto(`${base}/customers/${customerId}`);
    await heading(name);
    await page.getByRole('button', { name: 'Suspend' }).click();
    const dialog = page.getByRole('dialog', { name: `Suspend ${name}?` });
    await dialog.waitFor();
    // Escape cancels: nothing happened
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Suspend' }).click();
    browser.expectHttpError(400, '/suspend');
    await dialog.getByRole('button', { name: 'Suspend customer' }).click();
    await dialog.getByText('reason should not be empty').waitFor();
    await dialog.getByLabel('Reason').fill('Invoice 2026-113 unpaid');
    await dialog.getByRole('button', { name: 'Suspend customer' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Suspended since').waitFor();
    await page.getByText('Invoice 2026-113 unpaid').first().waitFor();
    expect((await api.http().get(`/v1/customers/${customerId}`).set(api.admin)).body.status).toBe('suspended');
    await shot('customer-suspended');

    await page.getByRole('button', { name: 'Reactivate' }).click();
    const again = page.getByRole('dialog', { name: `Reactivate ${name}?` });
    await again.getByRole('button', { name: 'Reactivate customer' }).click();
    await again.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Suspend' }).waitFor();
    expect((await api.http().get(`/v1/customers/${customerId}`).set(api.admin)).body.status).toBe('active');
  });

  it('creates an API key with scopes, shows its secret once, and revokes it', async () => {
    await gotoNav('API keys');
    await page.getByRole('button', { name: 'New API key' }).click();
    const keyName = unique('billing-');
    browser.expectHttpError(400, '/v1/api-keys');
    await page.getByLabel('Name').fill(keyName);
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('scopes must contain at least 1 elements').waitFor();
    await page.getByRole('checkbox', { name: /^customers:read/ }).check();
    await page.getByRole('checkbox', { name: /^events:read/ }).check();
    await page.getByLabel('Find bound to customer').fill(billingId);
    await page.getByLabel('Bound to customer', { exact: true }).locator('option', { hasText: name }).waitFor({ state: 'attached' });
    await page.getByLabel('Bound to customer', { exact: true }).selectOption({ label: `${name} (${billingId})` });
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = page.getByRole('textbox', { name: 'New API key' });
    await secret.waitFor();
    const token = await secret.inputValue();
    expect(token).toMatch(/^pb_[0-9a-f]{12}_/);
    await shot('api-key-secret-once');
    // the secret is real, and bound to the customer
    const asKey = await api.http().get('/v1/customers').set(bearer(token)).expect(200);
    expect(asKey.body.items.map((c: { id: string }) => c.id)).toEqual([customerId]);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await secret.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(token);

    // the list pages oldest first and the shared test database holds other files' keys: look at this customer's
    await page.goto(`${base}/api-keys?customerId=${customerId}`);
    const row = page.getByRole('row').filter({ hasText: keyName });
    await row.waitFor();
    await row.getByRole('button', { name: `Revoke ${keyName}` }).click();
    await page.getByRole('dialog', { name: `Revoke “${keyName}”?` }).getByRole('button', { name: 'Revoke key' }).click();
    await row.getByText('revoked').waitFor();
    await api.http().get('/v1/customers').set(bearer(token)).expect(401);
    await shot('api-keys');
  });

  it('shows the audit log with filters, newest first', async () => {
    await gotoNav('Audit log');
    await page.getByLabel('Customer id').fill(customerId);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((u) => u.searchParams.get('customerId') === customerId);
    const table = page.getByRole('table', { name: 'Audit log entries' });
    await table.getByText('customer.reactivated').waitFor();
    const actions = await table.locator('tbody tr td[data-label="What"] code').allTextContents();
    expect(actions).toEqual(['api_key.revoked', 'api_key.created', 'customer.reactivated', 'customer.suspended', 'customer.created']);
    // what changed, in words
    const suspendedRow = table.getByRole('row').filter({ hasText: 'customer.suspended' });
    await suspendedRow.locator('summary').click();
    await suspendedRow.locator('ins', { hasText: 'Invoice 2026-113 unpaid' }).waitFor();
    await shot('audit-log');

    await page.getByLabel('Action').fill('customer.');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((u) => u.searchParams.get('action') === 'customer.');
    await table.getByText('api_key.created').waitFor({ state: 'detached' });
    expect(await table.locator('tbody tr').count()).toBe(3);
  });

  it('works on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, title] of [
      ['/', 'Dashboard'],
      ['/customers', 'Customers'],
      [`/customers/${customerId}`, name],
    ] as const) {
      await page.goto(base + path);
      await heading(title);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways on a phone`).toBeLessThanOrEqual(0);
      await shot(`phone-${path === '/' ? 'dashboard' : path.split('/').length > 2 ? 'customer' : 'customers'}`);
    }
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('signs out, forgetting the key', async () => {
    await page.goto(base + '/');
    await heading('Dashboard');
    await page.getByRole('list', { name: 'Counts' }).getByText('Suspended relays').waitFor();
    await shot('dashboard');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in to the console');
    expect(await page.evaluate(() => sessionStorage.getItem('postbode.apiKey'))).toBeNull();
    await page.goto(base + '/customers');
    await heading('Sign in to the console');
  });

  const signInWith = async (key: string) => {
    await page.goto(base + '/');
    await heading('Sign in to the console');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Dashboard');
  };

  it('shows a customer-bound key only its customer and only the pages its scopes allow', async () => {
    const bound = (
      await api.http().post('/v1/api-keys').set(api.admin).send({ name: unique('portal-'), scopes: ['customers:read'], customerId }).expect(201)
    ).body;
    await signInWith(bound.key);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Dashboard', 'Customers']);
    await gotoNav('Customers');
    const rows = page.getByRole('table', { name: 'Customers' }).locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.allTextContents()).toEqual([expect.stringContaining(name)]);
    expect(await page.getByRole('button', { name: 'New customer' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in to the console');
  });

  it('sends the browser back to sign-in when the key in use is revoked', async () => {
    const staff = (await api.http().post('/v1/api-keys').set(api.admin).send({ name: unique('staff-'), scopes: ['admin'] }).expect(201)).body;
    await signInWith(staff.key);
    await api.http().delete(`/v1/api-keys/${staff.id}`).set(api.admin).expect(200);
    // every request the open pages still make with the revoked key is refused the same way
    browser.expectHttpErrors(401, '/v1/');
    await gotoNav('Customers').catch(() => undefined); // the page starts loading, then the 401 ends the session
    await heading('Sign in to the console');
    await page.getByText('Your API key is no longer accepted').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('postbode.apiKey'))).toBeNull();
  });

  it('produced no console errors or uncaught exceptions', () => {
    expect(browser.unexpectedErrors()).toEqual([]);
  });
});
