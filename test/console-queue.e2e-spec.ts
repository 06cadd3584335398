import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConsoleDir } from '../apps/api/src/console/serve-console';
import { newId } from '../libs/core/src/ids';
import { deliverMessage } from '../libs/core/src/mail-store/deliver';
import { ADMIN_KEY, startApi, TestApi, unique } from './support/api';
import { launchBrowser, TestBrowser } from './support/browser';
import { createMailboxFixture, keyWith, MailboxFixture } from './support/fixtures';

/**
 * The outbound queue pages in a real headless Chromium: the list with its
 * filters, one message with its recipients and attempts, and hold / release /
 * retry / cancel as staff click them, checked through the API. The delivery
 * worker never runs in the API tests, so what is queued stays where it is put.
 */
const SCREENSHOTS = resolve(__dirname, '../test-results/screenshots');

describe('console: the outbound queue', () => {
  let api: TestApi;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  let f: MailboxFixture;

  // recipient domains of their own: the shared test database holds every other file's queue too
  const remote = `${unique('r').toLowerCase()}.test`;
  const other = `${unique('o').toLowerCase()}.test`;
  const offerSubject = unique('Offerte ');
  const sentSubject = unique('Factuur ');
  const relaySubject = unique('Nieuwsbrief ');
  const bounceSubject = unique('Undelivered Mail ');
  const messageIdHeader = `${unique('m')}@queue.test`;
  let offer = '';
  let bounce = '';
  let relayHeld = '';

  /** Queues a message the way submission does (deliverMessage with an outbound part); returns the queue entry's id. */
  async function queueMail(recipients: string[], subject: string, opts: { nullSender?: boolean; messageId?: string } = {}): Promise<string> {
    const from = opts.nullSender ? 'MAILER-DAEMON@mail.postbode.test' : f.mailbox.address;
    const raw = Buffer.from(`From: ${from}\r\nTo: ${recipients.join(', ')}\r\nSubject: ${subject}\r\nMessage-ID: <${opts.messageId ?? unique('m') + '@queue.test'}>\r\n\r\nHallo\r\n`);
    const result = await deliverMessage(api.db, {
      raw,
      envelopeFrom: opts.nullSender ? '' : f.mailbox.address,
      mailboxIds: [],
      outbound: {
        recipients: recipients.map((address) => ({ address, dsnNotify: ['FAILURE', 'DELAY'], dsnOrcpt: `rfc822;${address}` })),
        source: opts.nullSender ? 'forward' : 'submission',
        mailboxId: opts.nullSender ? null : f.mailbox.id,
        customerId: opts.nullSender ? null : f.customer.id,
        clientAddress: '192.0.2.7',
        dsnRet: 'HDRS',
        dsnEnvid: 'envid-console',
      },
    });
    return result.outboundMessageId!;
  }
  const recipientsOf = (outboundId: string): Promise<{ id: string; recipient: string }[]> =>
    api.db.query('SELECT id, recipient FROM outbound_recipients WHERE outbound_message_id = $1 ORDER BY id', [outboundId]);
  const setRecipient = (id: string, sql: string) => api.db.query(`UPDATE outbound_recipients SET ${sql} WHERE id = $1`, [id]);
  const viaApi = async (id: string) => (await api.http().get(`/v1/queue/messages/${id}`).set(api.admin).expect(200)).body;
  const statusesOf = async (id: string) => (await viaApi(id)).recipients.map((r: { recipient: string; status: string }) => `${r.recipient} ${r.status}`);

  beforeAll(async () => {
    if (!existsSync(resolve(defaultConsoleDir(), 'index.html'))) {
      throw new Error('dist/console is not built: run `npm run build` (npm test does) before this test');
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    api = await startApi();
    await api.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;

    f = await createMailboxFixture(api.db);
    offer = await queueMail([`klant@${remote}`, `inkoop@${other}`], offerSubject, { messageId: messageIdHeader });
    const [klant] = (await recipientsOf(offer)).filter((r) => r.recipient.startsWith('klant@'));
    for (const [reply, status, secondsAgo] of [
      ['421 4.4.2 connection dropped', '4.4.2', 600],
      ['451 4.7.1 greylisted, try again later', '4.7.1', 60],
    ] as const) {
      await api.db.query(
        `INSERT INTO outbound_attempts (id, created_at, recipient_id, outcome, reply, status, remote_mta, duration_ms)
         VALUES ($1, now() - make_interval(secs => $5), $2, 'deferred', $3, $4, 'mx.remote.test', 1200)`,
        [newId(), klant.id, reply, status, secondsAgo],
      );
    }
    await setRecipient(
      klant.id,
      `status = 'deferred', attempts = 2, last_attempt_at = now() - interval '1 minute', next_attempt_at = now() + interval '5 minutes',
       last_reply = '451 4.7.1 greylisted, try again later', last_status = '4.7.1', remote_mta = 'mx.remote.test'`,
    );
    bounce = await queueMail([`postmaster@${remote}`], bounceSubject, { nullSender: true });
    const sent = await queueMail([`boekhouding@${other}`], sentSubject);
    await setRecipient((await recipientsOf(sent))[0].id, `status = 'delivered', attempts = 1, finished_at = now(), last_reply = '250 2.0.0 OK', remote_mta = 'mx.other.test'`);
    // held by the delivery worker because the sender may not relay (this customer never signed an agreement)
    relayHeld = await queueMail([`lezer@${other}`], relaySubject);
    await setRecipient((await recipientsOf(relayHeld))[0].id, `status = 'held', held_reason = 'relay_suspended'`);

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
  const table = () => page.getByRole('table', { name: 'Queued messages' });
  const rowOf = (subject: string) => table().getByRole('row').filter({ hasText: subject });
  const recipient = (address: string) => page.getByRole('region', { name: 'Recipients' }).getByRole('listitem').filter({ hasText: address }).first();
  const apply = () => page.getByRole('button', { name: 'Apply filters' }).click();
  const signInWith = async (key: string) => {
    await page.goto(base + '/');
    await heading('Sign in to the console');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Dashboard');
  };

  it('opens the queue from the dashboard card', async () => {
    await signInWith(ADMIN_KEY);
    await page.getByRole('list', { name: 'Counts' }).getByRole('link', { name: 'Outbound queue' }).click();
    await heading('Outbound queue');
    expect(new URL(page.url()).pathname).toBe('/queue');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).and(page.locator('[aria-current="page"]')).waitFor();
  });

  it('filters by recipient domain, showing the null sender and the recipients per status', async () => {
    await page.getByLabel('Recipient domain').fill(remote.toUpperCase());
    await apply();
    await page.waitForURL((u) => u.searchParams.get('domain') === remote.toUpperCase());
    await rowOf(offerSubject).waitFor();
    expect(await table().locator('tbody tr').count()).toBe(2);
    const offerRow = rowOf(offerSubject);
    for (const text of [f.mailbox.address, '1 queued', '1 deferred', [other, remote].sort().join(', '), 'due now', f.customer.name]) {
      await offerRow.getByText(text, { exact: true }).first().waitFor();
    }
    const bounceRow = rowOf(bounceSubject);
    await bounceRow.getByText('<> (bounce)').waitFor();
    await bounceRow.getByText('none (forward)').waitFor();
    await shot('queue');

    // a domain that is not one is refused next to the field
    browser.expectHttpError(400, '/v1/queue/messages');
    await page.getByLabel('Recipient domain').fill('not a domain');
    await apply();
    await page.getByLabel('Recipient domain').and(page.locator('[aria-invalid="true"]')).waitFor();
  });

  it('filters by customer and status', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForURL((u) => u.search === '');
    await page.getByLabel('Find customer').fill(f.customer.name);
    await page.getByLabel('Customer', { exact: true }).locator('option', { hasText: f.customer.name }).waitFor({ state: 'attached' });
    await page.getByLabel('Customer', { exact: true }).selectOption({ label: f.customer.name });
    await page.getByLabel('Status').selectOption('delivered');
    await apply();
    await page.waitForURL((u) => u.searchParams.get('customerId') === f.customer.id && u.searchParams.get('status') === 'delivered');
    await rowOf(sentSubject).getByText('1 delivered').waitFor();
    expect(await table().locator('tbody tr').count()).toBe(1);

    await page.getByLabel('Status').selectOption('unfinished');
    await apply();
    await rowOf(relaySubject).getByText('1 held').waitFor();
    expect(await table().locator('tbody tr td[data-label="Subject"]').allTextContents()).toEqual([offerSubject, relaySubject]);

    await page.getByLabel('Status').selectOption('any');
    await page.getByLabel('Order').selectOption('desc');
    await apply();
    await rowOf(sentSubject).waitFor();
    expect(await table().locator('tbody tr td[data-label="Subject"]').allTextContents()).toEqual([relaySubject, sentSubject, offerSubject]);
    await shot('queue-customer-any');
  });

  it('shows one message: its facts, each recipient and the attempt history', async () => {
    await rowOf(offerSubject).getByRole('link', { name: offerSubject }).click();
    await heading(offerSubject);
    const facts = page.getByRole('region', { name: 'Message' });
    for (const text of [f.mailbox.address, `<${messageIdHeader}>`, 'the header lines only (HDRS)', 'envid-console', '192.0.2.7', f.customer.name]) {
      await facts.getByText(text, { exact: true }).first().waitFor();
    }
    const klant = recipient(`klant@${remote}`);
    await klant.getByText('deferred', { exact: true }).first().waitFor(); // the attempts say deferred too
    await klant.locator('dd code', { hasText: '451 4.7.1 greylisted, try again later' }).waitFor(); // the last reply, not the one in the history
    await klant.getByText('mx.remote.test', { exact: true }).waitFor();
    await recipient(`inkoop@${other}`).getByText('due now').waitFor();
    await klant.getByText('Attempt history (2)').click();
    await klant.locator('ol li code', { hasText: '421 4.4.2 connection dropped' }).waitFor();
    await shot('queue-message');
  });

  it('holds with a reason, releases and retries', async () => {
    await page.getByRole('button', { name: 'Hold', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Hold this message?' });
    browser.expectHttpError(400, '/hold');
    await dialog.getByRole('button', { name: 'Hold message' }).click();
    await dialog.getByText('reason should not be empty').waitFor();
    await dialog.getByLabel('Reason').fill('Looks like spam, checking with the customer');
    await dialog.getByRole('button', { name: 'Hold message' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Message held.').waitFor();
    await recipient(`klant@${remote}`).getByText('the ISP held it: not sent until the ISP releases it').waitFor();
    expect(await statusesOf(offer)).toEqual(expect.arrayContaining([`klant@${remote} held`, `inkoop@${other} held`]));
    expect((await viaApi(offer)).recipients.map((r: { heldReason: string }) => r.heldReason)).toEqual(['staff', 'staff']);
    const events = (await api.http().get('/v1/events').query({ targetId: offer }).set(api.admin).expect(200)).body.items;
    expect(events.map((e: { action: string; after: { reason: string } }) => [e.action, e.after.reason])).toEqual([['queue.held', 'Looks like spam, checking with the customer']]);
    expect(await page.getByRole('button', { name: 'Retry now' }).count()).toBe(0);
    await shot('queue-message-held');

    await page.getByRole('button', { name: 'Release' }).click();
    await page.getByText('Released: the delivery worker sends it at once.').waitFor();
    await recipient(`klant@${remote}`).getByText('queued', { exact: true }).first().waitFor();
    expect(await statusesOf(offer)).toEqual(expect.arrayContaining([`klant@${remote} queued`, `inkoop@${other} queued`]));

    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.getByText('Due now: the delivery worker sends it at once.').waitFor();
    for (const r of (await viaApi(offer)).recipients) expect(new Date(r.nextAttemptAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('cancels after a confirmation that says the sender gets a bounce', async () => {
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this message?' });
    await dialog.getByText(`The sender, ${f.mailbox.address}, gets a bounce`).waitFor();
    await dialog.getByLabel('Reason').fill('Customer asked us to stop it');
    await shot('queue-message-cancel');
    await dialog.getByRole('button', { name: 'Cancel delivery' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Message cancelled.').waitFor();
    await recipient(`klant@${remote}`).getByText('cancelled', { exact: true }).first().waitFor();
    await recipient(`klant@${remote}`).locator('code', { hasText: 'Delivery cancelled by the postmaster (5.0.0)' }).waitFor();
    await recipient(`klant@${remote}`).getByText('not sent yet').waitFor();
    // nothing is left to act on
    for (const name of ['Retry now', 'Hold', 'Release', 'Cancel']) expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    const body = await viaApi(offer);
    expect(body.recipients.map((r: { status: string; lastReply: string }) => [r.status, r.lastReply])).toEqual([
      ['cancelled', 'Delivery cancelled by the postmaster'],
      ['cancelled', 'Delivery cancelled by the postmaster'],
    ]);
    await shot('queue-message-cancelled');

    // a bounce (null sender) gets no bounce of its own, and the dialog says so
    await page.goto(`${base}/queue/${bounce}`);
    await heading(bounceSubject);
    await page.getByRole('region', { name: 'Message' }).getByText('<> (bounce)').waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('dialog', { name: 'Cancel this message?' }).getByText('nobody is told').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(await statusesOf(bounce)).toEqual([`postmaster@${remote} queued`]);
  });

  it('explains in words why mail held for a lost relay permission cannot be released yet', async () => {
    await page.goto(`${base}/queue/${relayHeld}`);
    await heading(relaySubject);
    await recipient(`lezer@${other}`).getByText(/its sender lost relay permission/).waitFor();
    browser.expectHttpError(409, '/release');
    await page.getByRole('button', { name: 'Release' }).click();
    const problem = page.getByRole('alert').filter({ hasText: 'Not released.' });
    await problem.getByText(/the customer has not signed a no-spam agreement: it must sign one first/).waitFor();
    expect(await problem.getByRole('link', { name: 'Open the customer' }).getAttribute('href')).toBe(`/customers/${f.customer.id}`);
    expect(await statusesOf(relayHeld)).toEqual([`lezer@${other} held`]);
    await shot('queue-message-relay-held');
  });

  it("shows a customer's queue counts on its page, linking to its mail", async () => {
    await page.goto(`${base}/customers/${f.customer.id}`);
    await heading(f.customer.name);
    const panel = page.getByRole('region', { name: 'Outbound queue' });
    await panel.getByText('1 recipient (0 deferred, 1 held)').waitFor();
    await panel.getByText('1 sent · 0 bounced · 2 cancelled').waitFor();
    await panel.getByRole('link', { name: 'Its queued mail' }).click();
    await heading('Outbound queue');
    expect(new URL(page.url()).searchParams.get('customerId')).toBe(f.customer.id);
    await rowOf(relaySubject).waitFor();
    expect(await table().locator('tbody tr').count()).toBe(1);
  });

  it('works on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, title, name] of [
      [`/queue?domain=${remote}&status=any`, 'Outbound queue', 'phone-queue'],
      [`/queue/${offer}`, offerSubject, 'phone-queue-message'],
    ] as const) {
      await page.goto(base + path);
      await heading(title);
      await expect.poll(() => page.locator('.loading').count()).toBe(0);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways on a phone`).toBeLessThanOrEqual(0);
      await shot(name);
    }
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('shows a key with queue:read the queue but no actions', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in to the console');
    const readOnly = await keyWith(api, ['queue:read', 'customers:read']);
    await signInWith(readOnly.Authorization.slice('Bearer '.length));
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Dashboard', 'Customers', 'Queue']);
    await page.goto(`${base}/queue/${relayHeld}`);
    await heading(relaySubject);
    await recipient(`lezer@${other}`).getByText('held', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Release' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel', exact: true }).count()).toBe(0);
  });

  it('produced no console errors or uncaught exceptions', () => {
    expect(browser.unexpectedErrors()).toEqual([]);
  });
});
