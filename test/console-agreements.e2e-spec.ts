import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConsoleDir } from '../apps/api/src/console/serve-console';
import { ADMIN_KEY, startApi, TestApi, unique } from './support/api';
import { launchBrowser, TestBrowser } from './support/browser';

/**
 * Issue 8's whole flow in a real headless Chromium: staff set up a customer,
 * domain and mailbox and publish the terms; the customer opens the signing
 * link in a tab without any key and signs on a phone-sized screen; the
 * mailbox's relay permission turns to allowed; staff suspend the agreement
 * and the console shows sending refused.
 */
const SCREENSHOTS = resolve(__dirname, '../test-results/screenshots');

describe('console: from a new customer to a signed and suspended agreement', () => {
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

  const shot = (name: string, p: Page = page) => p.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true });
  const heading = (name: string | RegExp, p: Page = page) => p.getByRole('heading', { level: 1, name }).waitFor();
  const gotoNav = async (label: string, title: string | RegExp = label) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
    await heading(title);
  };
  const relayVerdict = () => page.getByTestId('relay-permission');

  const customerName = `Slagerij ${unique('sv')}`;
  const domainName = `${unique('d')}.example`;
  const address = `anna@${domainName}`;
  let customerId = '';
  let mailboxUrl = '';
  let signingUrl = '';

  it('signs in, creates a customer, a domain (with its DNS records) and a mailbox with a generated password', async () => {
    await page.goto(base);
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Dashboard');

    await gotoNav('Customers');
    await page.getByRole('button', { name: 'New customer' }).click();
    await page.getByLabel('Name').fill(customerName);
    await page.getByLabel('Contact e-mail').fill('admin@slagerij.example');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await heading(customerName);
    customerId = page.url().split('/').pop()!;
    await page.getByText('No agreement signed: its users cannot send mail to other domains.').waitFor();

    await page.getByRole('link', { name: 'Add a domain' }).click();
    await heading('New domain');
    await expect.poll(() => page.getByLabel('Customer', { exact: true }).inputValue()).toBe(customerId);
    await page.getByLabel('Domain name').fill(domainName.toUpperCase());
    await page.getByLabel('Maximum mailboxes').fill('5');
    await page.getByLabel('Storage', { exact: true }).fill('10 GiB');
    await page.getByRole('button', { name: 'Create domain' }).click();
    await heading(domainName);
    const dns = page.getByRole('table', { name: 'DNS records to publish' });
    await dns.getByText(`_dmarc.${domainName}`).waitFor();
    expect(await dns.locator('tbody tr').count()).toBe(4); // MX, SPF, DKIM, DMARC
    await dns.getByRole('button', { name: 'Copy MX record value' }).click();
    await dns.getByRole('button', { name: 'Copy MX record value' }).getByText('Copied').waitFor();
    await page.getByText('0 of 5').waitFor();
    await shot('domain-dns-records');

    await page.getByRole('button', { name: 'New mailbox' }).click();
    await heading('New mailbox');
    await page.getByLabel('Address (before the @)').fill('anna');
    await page.getByRole('button', { name: 'Generate' }).click();
    const password = await page.getByLabel('Password', { exact: true }).inputValue();
    expect(password).toHaveLength(16);
    await page.getByLabel('Quota').fill('2 GiB');
    await page.getByRole('button', { name: 'Create mailbox' }).click();
    await heading(new RegExp(address.replace(/\./g, '\\.')));
    mailboxUrl = page.url();
    await page.getByRole('progressbar', { name: `Storage of ${address}` }).waitFor();
    // the generated password is the mailbox's password
    const mailbox = (await api.http().get(`/v1/mailboxes/${mailboxUrl.split('/').pop()}`).set(api.admin).expect(200)).body;
    expect(mailbox).toMatchObject({ address, quotaBytes: 2 * 1024 ** 3, status: 'active' });
    // no agreement yet: sending to other domains is refused, with the reason
    await relayVerdict().getByText('Refused').waitFor();
    await page.getByText('no_agreement').waitFor();
    await shot('mailbox-relay-refused');
  });

  it('writes the terms with a Markdown preview and publishes them', async () => {
    await gotoNav('Terms', 'Agreement terms');
    await page.getByRole('button', { name: 'Write a new version' }).click();
    await heading('New agreement version');
    const title = `No-spam terms ${unique('v')}`;
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Text (Markdown)').fill('# Our terms\n\nYou send **no spam**.\n\n<script>alert(1)</script>\n');
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByRole('heading', { name: 'Our terms' }).waitFor();
    await preview.locator('strong', { hasText: 'no spam' }).waitFor();
    await preview.getByText('<script>alert(1)</script>').waitFor(); // raw HTML is shown as text, never run
    await page.getByLabel('Messages per hour').fill('30');
    await shot('agreement-version-draft');
    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByRole('dialog', { name: `Publish “${title}”?` }).getByRole('button', { name: 'Publish version' }).click();
    await page.getByText(/^published #\d+$/).waitFor();
    await page.getByText('SHA-256 of the text').waitFor();
    await shot('agreement-version-published');
  });

  it('invites the customer and copies the signing link', async () => {
    await page.goto(`${base}/customers/${customerId}`);
    await heading(customerName);
    await page.getByRole('button', { name: 'Send agreement invitation' }).click();
    const link = page.getByRole('textbox', { name: 'Signing link' });
    await link.waitFor();
    signingUrl = await link.inputValue();
    expect(signingUrl).toMatch(/\/sign\/[A-Za-z0-9_-]{20,}$/);
    await page.getByRole('button', { name: 'Copy signing link' }).click();
    await page.getByRole('button', { name: 'Copy signing link' }).getByText('Copied').waitFor();
    await shot('customer-invitation');
  });

  it('lets the customer sign in a tab without any key, on a phone-sized screen, and download the receipt', async () => {
    const customer = await browser.context.newPage();
    const errors: string[] = [];
    customer.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    customer.on('pageerror', (e) => errors.push(e.message));
    const sentKeys: string[] = [];
    const scripts: string[] = [];
    customer.on('request', (r) => {
      if (r.headers().authorization) sentKeys.push(r.url());
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    await customer.setViewportSize({ width: 390, height: 844 });
    const path = new URL(signingUrl).pathname; // PUBLIC_URL is not this test server's port
    await customer.goto(base + path);
    expect(await customer.evaluate(() => sessionStorage.getItem('postbode.apiKey'))).toBeNull();
    await heading(/^No-spam terms /, customer);
    await customer.getByText(`For ${customerName}`).waitFor();
    await customer.getByRole('region', { name: 'Agreement text' }).getByRole('heading', { name: 'Our terms' }).waitFor();
    await shot('phone-signing', customer);

    // nothing typed: each missing answer is named next to its field
    await customer.getByRole('button', { name: 'Sign the agreement' }).click();
    await customer.locator('.field-error').first().waitFor();
    expect(await customer.getByLabel('Your full name').getAttribute('aria-invalid')).toBe('true');
    errors.splice(0, errors.length, ...errors.filter((e) => !e.includes('status of 400')));

    await customer.getByLabel('Your full name').fill('Sven de Slager');
    await customer.getByLabel('Your e-mail address').fill('sven@slagerij.example');
    await customer.getByLabel(/I have read this agreement and accept it on behalf of/).check();
    await customer.getByRole('button', { name: 'Sign the agreement' }).click();
    await heading('Thank you: the agreement is signed', customer);
    await customer.getByText('Sven de Slager (sven@slagerij.example)').waitFor();
    const overflow = await customer.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'the signing page scrolls sideways on a phone').toBeLessThanOrEqual(0);
    await shot('phone-signed', customer);

    const [download] = await Promise.all([customer.waitForEvent('download'), customer.getByRole('button', { name: 'Download the receipt' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^agreement-[0-9a-f-]{36}-receipt\.md$/);
    const receipt = readFileSync((await download.path())!, 'utf8');
    expect(receipt).toContain('Sven de Slager');
    expect(receipt).toContain('You send **no spam**.');

    // the link works once; unknown links are explained in plain words too
    await customer.goto(base + path);
    await heading('This link has already been used', customer);
    await customer.goto(`${base}/sign/${unique('nonsense')}`);
    await heading('We do not know this link', customer);
    const other = (await api.http().post('/v1/customers').set(api.admin).send({ name: unique('Other '), contactEmail: 'o@other.example' }).expect(201)).body;
    const invite = async () => (await api.http().post(`/v1/customers/${other.id}/agreement-invitations`).set(api.admin).send({}).expect(201)).body.signingUrl;
    const replaced = await invite();
    await invite();
    await customer.goto(base + new URL(replaced).pathname);
    await heading('This link has been replaced by a newer one', customer);
    await shot('phone-signing-link-used', customer);
    expect(sentKeys, 'the signing page sent an API key').toEqual([]);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => s.includes('StaffApp')), 'the portal downloaded the staff console').toEqual([]);
    expect(errors.filter((e) => !/status of (410|404)/.test(e))).toEqual([]);
    await customer.close();
  });

  it('shows the agreement active and the mailbox allowed to relay; suspending it refuses relaying', async () => {
    await page.goto(mailboxUrl);
    await relayVerdict().getByText('Allowed').waitFor();
    await page.getByText('Messages this hour').waitFor();
    await page.getByText('0 of 30').waitFor();
    await shot('mailbox-relay-allowed');

    await page.getByRole('link', { name: 'View the agreement' }).click();
    await heading(new RegExp(`Agreement of ${customerName}`));
    await page.getByText('active', { exact: true }).first().waitFor();
    await page.getByText('Sven de Slager', { exact: true }).waitFor();
    await page.getByText('sven@slagerij.example').waitFor();
    await page.getByText('127.0.0.1').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download receipt' }).click()]);
    expect(readFileSync((await download.path())!, 'utf8')).toContain('sven@slagerij.example');
    await shot('agreement-active');

    await page.getByRole('button', { name: 'Suspend' }).click();
    const dialog = page.getByRole('dialog', { name: 'Suspend this agreement?' });
    await dialog.getByLabel('Reason').fill('Spam complaints from 3 recipients');
    await dialog.getByRole('button', { name: 'Suspend agreement' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Suspended: its users may not send mail to other domains.').waitFor();
    await shot('agreement-suspended');

    await page.goto(mailboxUrl);
    await relayVerdict().getByText('Refused').waitFor();
    await page.getByText('agreement_suspended').waitFor();
    await shot('mailbox-relay-suspended');

    await gotoNav('Dashboard');
    await page.getByRole('region', { name: 'Suspended relays' }).getByText(customerName).waitFor();
    await gotoNav('Agreements');
    await page.getByLabel('Status').selectOption('suspended');
    await page.getByRole('table', { name: 'Agreements' }).getByText('Spam complaints from 3 recipients').first().waitFor();
    await shot('agreements-suspended');

    // reinstating lets the mailbox relay again
    const row = page.getByRole('table', { name: 'Agreements' }).getByRole('row').filter({ hasText: 'Spam complaints from 3 recipients' }).filter({ hasText: customerName });
    await row.getByRole('link', { name: 'Sven de Slager' }).click();
    await page.getByRole('button', { name: 'Reinstate' }).click();
    const reinstate = page.getByRole('dialog', { name: 'Reinstate this agreement?' });
    await reinstate.getByLabel('Reason').fill('Customer cleaned up');
    await reinstate.getByRole('button', { name: 'Reinstate agreement' }).click();
    await reinstate.waitFor({ state: 'hidden' });
    await page.goto(mailboxUrl);
    await relayVerdict().getByText('Allowed').waitFor();
  });

  it('blocks relaying for one mailbox with a reason and lifts the block', async () => {
    await page.getByRole('button', { name: 'Block relaying' }).click();
    const dialog = page.getByRole('dialog', { name: `Block relaying for ${address}?` });
    await dialog.getByLabel('Reason').fill('Password leaked');
    await dialog.getByRole('button', { name: 'Block relaying' }).click();
    await relayVerdict().getByText('Refused').waitFor();
    await page.getByText('relay_blocked').waitFor();
    await page.getByText(/Blocked by staff on .*: Password leaked/).waitFor(); // the reason, from the audit log
    await shot('mailbox-relay-blocked');
    await page.getByRole('button', { name: 'Allow relaying again' }).click();
    await page.getByRole('dialog', { name: `Allow relaying for ${address}?` }).getByRole('button', { name: 'Allow relaying' }).click();
    await relayVerdict().getByText('Allowed').waitFor();
  });

  it('creates an alias for the mailbox and deletes it after a confirmation', async () => {
    await gotoNav('Aliases');
    await page.getByRole('button', { name: 'New alias' }).click();
    await page.getByLabel('Address').fill(`info@${domainName}`);
    await page.getByLabel('Deliver to').fill(`${address}\nboekhouder@elders.example`);
    await page.getByRole('button', { name: 'Create alias' }).click();
    await page.getByText(`Alias info@${domainName} created.`).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill(domainName);
    await page.getByRole('searchbox', { name: 'Search' }).press('Enter');
    const row = page.getByRole('table', { name: 'Aliases' }).getByRole('row').filter({ hasText: `info@${domainName}` });
    await row.getByText(`${address}, boekhouder@elders.example`).waitFor();
    await shot('aliases');
    await row.getByRole('button', { name: `Change targets of info@${domainName}` }).click();
    const edit = page.getByRole('dialog', { name: `Targets of info@${domainName}` });
    await edit.getByLabel('Deliver to').fill(address);
    await edit.getByRole('button', { name: 'Save targets' }).click();
    await edit.waitFor({ state: 'hidden' });
    await row.getByText(address, { exact: true }).waitFor();
    await row.getByRole('button', { name: `Delete info@${domainName}` }).click();
    await page.getByRole('dialog', { name: `Delete info@${domainName}?` }).getByRole('button', { name: 'Delete alias' }).click();
    await page.getByText('No alias matches.').waitFor();
  });

  it('produced no console errors or uncaught exceptions', () => {
    expect(browser.unexpectedErrors()).toEqual([]);
  });
});
