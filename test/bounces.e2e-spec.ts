import { simpleParser } from 'mailparser';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDataSource } from '../libs/core/src/database/data-source';
import { BounceConfig, bouncePending, BounceLog, noticeDelays } from '../libs/core/src/delivery';
import { deliverMessage, OutboundRequest } from '../libs/core/src/mail-store/deliver';
import { rfc5322Date as rfc5322 } from '../libs/core/src/mail-store/received-header';
import { unique } from './support/api';
import { readDsn } from './support/dsn-reader';
import { makeAlias, makeDomain, makeMailbox, storedMessages, TestMailbox } from './support/mail-fixtures';

const CONFIG: BounceConfig = {
  mailHostname: 'mail.bounces.test',
  dsnOriginalMaxBytes: 1024 * 1024,
  queueLifetimeSeconds: 5 * 86400,
  delayNoticeSeconds: 4 * 3600,
};

/** Every log line of the passes, to see what they decided about messages that leave no mail behind. */
const logged: { level: 'info' | 'warn'; fields: Record<string, unknown> }[] = [];
const log: BounceLog = {
  info: (fields) => logged.push({ level: 'info', fields }),
  warn: (fields) => logged.push({ level: 'warn', fields }),
};

function original(subject: string): Buffer {
  return Buffer.from(
    `Received: from client (client [192.0.2.7])\r\n\tby mail.bounces.test (Postbode) with ESMTPSA id t.1; Fri, 20 Nov 2026 10:00:00 +0000\r\n` +
      `From: <sender@hosted.test>\r\nSubject: ${subject}\r\nMessage-ID: <${unique('m')}@bounces.test>\r\n\r\nThe body of ${subject}.\r\n`,
  );
}

interface QueueOptions {
  envelopeFrom?: string;
  box?: TestMailbox | null;
  recipients: OutboundRequest['recipients'];
  dsnRet?: string | null;
  dsnEnvid?: string | null;
  subject?: string;
}

describe('the bounce pass', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = createDataSource(inject('databaseUrl'), { poolSize: 4 });
    await db.initialize();
  });
  afterAll(async () => db?.destroy());

  /** Queues a message for remote recipients the way SMTP submission (or an MX forward) does. */
  async function queue(opts: QueueOptions): Promise<{ outboundId: string; raw: Buffer }> {
    const raw = original(opts.subject ?? unique('Subject '));
    const result = await deliverMessage(db, {
      raw,
      envelopeFrom: opts.envelopeFrom ?? opts.box!.address,
      mailboxIds: [],
      outbound: {
        recipients: opts.recipients,
        source: opts.box ? 'submission' : 'forward',
        mailboxId: opts.box?.id ?? null,
        customerId: opts.box?.customerId ?? null,
        clientAddress: '192.0.2.7',
        dsnRet: opts.dsnRet ?? null,
        dsnEnvid: opts.dsnEnvid ?? null,
      },
    });
    return { outboundId: result.outboundMessageId!, raw };
  }

  /** What the delivery worker does when a remote server refuses a recipient for good. */
  async function fail(outboundId: string, recipient: string, reply: string | null, status: string | null, remoteMta: string | null = 'mx1.remote.test') {
    const updated = await db.query(
      `UPDATE outbound_recipients SET status = 'failed', last_reply = $3, last_status = $4, remote_mta = $5, attempts = attempts + 1,
              last_attempt_at = '2026-11-20T10:01:05Z', finished_at = now()
        WHERE outbound_message_id = $1 AND recipient = $2 RETURNING id`,
      [outboundId, recipient, reply, status, remoteMta],
    );
    expect(updated[0]).toHaveLength(1);
  }

  async function recipientRows(outboundId: string) {
    return db.query(`SELECT recipient, status, bounced_at, delay_notified_at FROM outbound_recipients WHERE outbound_message_id = $1 ORDER BY recipient`, [outboundId]);
  }

  /** Runs the pass until it has nothing left (other test files share the database and may leave work too). */
  async function bounceAll(): Promise<void> {
    while ((await bouncePending(db, CONFIG, { limit: 50, log })) === 50);
  }

  async function sender(): Promise<TestMailbox> {
    const d = await makeDomain(db);
    return makeMailbox(db, d, 'jan');
  }

  const remote = () => `${unique('r').toLowerCase()}.remote.test`;

  it('stores a DSN in the hosted sender\u2019s INBOX with every field, and marks the recipient bounced in the same pass', async () => {
    const box = await sender();
    const to = `x@${remote()}`;
    const { outboundId, raw } = await queue({ box, recipients: [{ address: to, dsnNotify: ['FAILURE'], dsnOrcpt: `rfc822;${to.toUpperCase()}` }], dsnEnvid: 'ENV-42' });
    await fail(outboundId, to, `550 5.1.1 <${to}>: no such user`, '5.1.1');

    await bounceAll();

    const inbox = await storedMessages(db, box.id);
    expect(inbox).toHaveLength(1);
    expect(inbox[0].subject).toBe('Undelivered Mail Returned to Sender');
    const [stored] = await db.query(
      `SELECT m.envelope_from, m.raw FROM messages m JOIN mailbox_messages mm ON mm.message_id = m.id WHERE mm.mailbox_id = $1`,
      [box.id],
    );
    expect(stored.envelope_from).toBe(''); // a DSN's sender is <>: it is never bounced itself
    const dsnRaw: Buffer = stored.raw;

    const parsed = await simpleParser(dsnRaw);
    expect(parsed.from?.value[0]).toEqual({ name: 'Mail Delivery System', address: 'MAILER-DAEMON@mail.bounces.test' });
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0].address : null).toBe(box.address);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.text).toContain(`<${to}>`);
    expect(parsed.text).toContain('The mail server mx1.remote.test refused it for good');
    expect(parsed.text).toContain(`550 5.1.1 <${to}>: no such user`);
    expect(parsed.attachments.find((a) => a.contentType === 'message/rfc822')?.content.equals(raw)).toBe(true);

    const [queued] = await db.query(`SELECT created_at FROM outbound_messages WHERE id = $1`, [outboundId]);
    const dsn = readDsn(dsnRaw);
    expect(Object.fromEntries(dsn.perMessage)).toEqual({
      'Original-Envelope-Id': 'ENV-42',
      'Reporting-MTA': 'dns; mail.bounces.test',
      'Arrival-Date': rfc5322(queued.created_at),
    });
    expect(dsn.perRecipient).toEqual([
      [
        ['Original-Recipient', `rfc822; ${to.toUpperCase()}`],
        ['Final-Recipient', `rfc822; ${to}`],
        ['Action', 'failed'],
        ['Status', '5.1.1'],
        ['Remote-MTA', 'dns; mx1.remote.test'],
        ['Diagnostic-Code', `smtp; 550 5.1.1 <${to}>: no such user`],
        ['Last-Attempt-Date', 'Fri, 20 Nov 2026 10:01:05 +0000'],
      ],
    ]);

    const [row] = await recipientRows(outboundId);
    expect(row.status).toBe('failed');
    expect(row.bounced_at).toBeInstanceOf(Date);

    // a second pass finds nothing owed: no second DSN
    await bounceAll();
    expect(await storedMessages(db, box.id)).toHaveLength(1);
  });

  it('one DSN per message for all recipients that failed so far; a later failure gets its own', async () => {
    const box = await sender();
    const domain = remote();
    const [a, b, c] = ['a', 'b', 'c'].map((l) => `${l}@${domain}`);
    const { outboundId } = await queue({ box, recipients: [{ address: a }, { address: b }, { address: c }] });
    await fail(outboundId, a, '550 5.1.1 no such user a', '5.1.1');
    await fail(outboundId, b, '552 5.2.2 mailbox full', '5.2.2');

    await bounceAll();
    let inbox = await storedMessages(db, box.id);
    expect(inbox).toHaveLength(1);
    const first = readDsn(Buffer.from(inbox[0].raw, 'latin1'));
    expect(first.perRecipient.map((r) => Object.fromEntries(r)['Final-Recipient'])).toEqual([`rfc822; ${a}`, `rfc822; ${b}`]);
    expect(first.perRecipient.map((r) => Object.fromEntries(r).Status)).toEqual(['5.1.1', '5.2.2']);
    expect((await recipientRows(outboundId)).map((r: { bounced_at: Date | null }) => r.bounced_at !== null)).toEqual([true, true, false]);

    await fail(outboundId, c, '550 5.7.1 refused by policy', '5.7.1');
    await bounceAll();
    inbox = await storedMessages(db, box.id);
    expect(inbox).toHaveLength(2);
    const second = readDsn(Buffer.from(inbox[1].raw, 'latin1'));
    expect(second.perRecipient.map((r) => Object.fromEntries(r)['Final-Recipient'])).toEqual([`rfc822; ${c}`]);
  });

  it('expiry and cancellation: 5.4.7 with the last temporary reply, and "cancelled by the postmaster"', async () => {
    const box = await sender();
    const domain = remote();
    const [slow, cancelled] = [`slow@${domain}`, `gone@${domain}`];
    const { outboundId } = await queue({ box, recipients: [{ address: slow }, { address: cancelled }] });
    await fail(outboundId, slow, '451 4.7.1 greylisted, try again later', '4.7.1');
    await db.query(`UPDATE outbound_recipients SET status = 'cancelled', finished_at = now() WHERE outbound_message_id = $1 AND recipient = $2`, [outboundId, cancelled]);

    await bounceAll();
    const [stored] = await storedMessages(db, box.id);
    const dsn = readDsn(Buffer.from(stored.raw, 'latin1'));
    const byRecipient = new Map(dsn.perRecipient.map((r) => [Object.fromEntries(r)['Final-Recipient'], Object.fromEntries(r)]));
    expect(byRecipient.get(`rfc822; ${slow}`)).toMatchObject({ Action: 'failed', Status: '5.4.7', 'Diagnostic-Code': 'smtp; 451 4.7.1 greylisted, try again later' });
    expect(byRecipient.get(`rfc822; ${cancelled}`)).toEqual({ 'Final-Recipient': `rfc822; ${cancelled}`, Action: 'failed', Status: '5.0.0' });
    expect(dsn.text).toContain('We tried to deliver it for');
    expect(dsn.text).toContain('cancelled by the postmaster');
  });

  it('never sends a DSN to the null sender, but settles the recipient', async () => {
    const to = `x@${remote()}`;
    const { outboundId } = await queue({ envelopeFrom: '', box: null, recipients: [{ address: to }] });
    await fail(outboundId, to, '550 5.1.1 no such user', '5.1.1');
    await bounceAll();
    expect((await recipientRows(outboundId))[0].bounced_at).toBeInstanceOf(Date);
    expect(logged.find((l) => l.fields.outboundMessage === outboundId)?.fields.outcome).toBe('null_sender');
  });

  it('NOTIFY=NEVER, or a list without FAILURE, settles the recipient without a DSN; others of the message still get theirs', async () => {
    const box = await sender();
    const domain = remote();
    const [never, delayOnly, plain] = [`never@${domain}`, `delay@${domain}`, `plain@${domain}`];
    const { outboundId } = await queue({
      box,
      recipients: [{ address: never, dsnNotify: ['NEVER'] }, { address: delayOnly, dsnNotify: ['SUCCESS', 'DELAY'] }, { address: plain, dsnNotify: null }],
    });
    await fail(outboundId, never, '550 5.1.1 no', '5.1.1');
    await fail(outboundId, delayOnly, '550 5.1.1 no', '5.1.1');
    await bounceAll();
    expect(await storedMessages(db, box.id)).toHaveLength(0);
    expect(logged.find((l) => l.fields.outboundMessage === outboundId)?.fields.outcome).toBe('not_requested');
    expect((await recipientRows(outboundId)).filter((r: { bounced_at: Date | null }) => r.bounced_at).map((r: { recipient: string }) => r.recipient)).toEqual([delayOnly, never]);

    await fail(outboundId, plain, '550 5.1.1 no', '5.1.1');
    await bounceAll();
    const inbox = await storedMessages(db, box.id);
    expect(inbox).toHaveLength(1);
    expect(readDsn(Buffer.from(inbox[0].raw, 'latin1')).perRecipient.map((r) => Object.fromEntries(r)['Final-Recipient'])).toEqual([`rfc822; ${plain}`]);
  });

  it('RET=HDRS returns only the header lines', async () => {
    const box = await sender();
    const to = `x@${remote()}`;
    const { outboundId } = await queue({ box, recipients: [{ address: to }], dsnRet: 'HDRS', subject: 'Headers only please' });
    await fail(outboundId, to, '550 5.1.1 no', '5.1.1');
    await bounceAll();
    const [stored] = await storedMessages(db, box.id);
    const returned = readDsn(Buffer.from(stored.raw, 'latin1')).parts[2];
    expect(returned.type).toBe('text/rfc822-headers');
    expect(returned.body).toContain('Subject: Headers only please\r\n');
    expect(returned.body).not.toContain('The body of');
  });

  it('a remote sender gets the DSN through the queue, from <>, counted against nobody, and a failing DSN is never bounced', async () => {
    const from = `someone@${remote()}`;
    const to = `x@${remote()}`;
    const { outboundId } = await queue({ envelopeFrom: from, box: null, recipients: [{ address: to }] });
    await fail(outboundId, to, '550 5.1.1 no such user', '5.1.1');
    await bounceAll();

    const dsnRows = await db.query(
      `SELECT o.id, o.envelope_from, o.source, o.customer_id, o.mailbox_id, o.client_address, r.status, m.raw
         FROM outbound_messages o JOIN outbound_recipients r ON r.outbound_message_id = o.id JOIN messages m ON m.id = o.message_id
        WHERE r.recipient = $1`,
      [from],
    );
    expect(dsnRows).toHaveLength(1);
    const dsnRow = dsnRows[0];
    expect(dsnRow).toMatchObject({ envelope_from: '', source: 'forward', customer_id: null, mailbox_id: null, client_address: 'localhost', status: 'queued' });
    const parsed = await simpleParser(dsnRow.raw as Buffer);
    expect(parsed.subject).toBe('Undelivered Mail Returned to Sender');
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0].address : null).toBe(from);

    // the DSN itself fails at the remote: settled, no DSN about the DSN
    await fail(dsnRow.id, from, '550 5.1.1 no such user either', '5.1.1');
    await bounceAll();
    expect((await recipientRows(dsnRow.id))[0].bounced_at).toBeInstanceOf(Date);
    expect(logged.find((l) => l.fields.outboundMessage === dsnRow.id)?.fields.outcome).toBe('null_sender');
  });

  it('an alias as sender: its mailboxes get the DSN, its outside targets get it through the queue', async () => {
    const d = await makeDomain(db);
    const box = await makeMailbox(db, d, 'anna');
    const outside = `boekhouder@${remote()}`;
    const alias = await makeAlias(db, d, 'info', [box.address, outside]);
    const to = `x@${remote()}`;
    const { outboundId } = await queue({ envelopeFrom: alias.address, box: { ...box }, recipients: [{ address: to }] });
    await fail(outboundId, to, '550 5.1.1 no', '5.1.1');
    await bounceAll();
    expect(await storedMessages(db, box.id)).toHaveLength(1);
    const [queued] = await db.query(`SELECT o.envelope_from FROM outbound_messages o JOIN outbound_recipients r ON r.outbound_message_id = o.id WHERE r.recipient = $1`, [outside]);
    expect(queued.envelope_from).toBe('');
  });

  it('a hosted sender without an active mailbox: the DSN is dropped, logged, and settled', async () => {
    const d = await makeDomain(db);
    const box = await makeMailbox(db, d, 'former', { status: 'disabled' });
    const to = `x@${remote()}`;
    const { outboundId } = await queue({ box, recipients: [{ address: to }] });
    await fail(outboundId, to, '550 5.1.1 no', '5.1.1');
    await bounceAll();
    expect(await storedMessages(db, box.id)).toHaveLength(0);
    expect((await recipientRows(outboundId))[0].bounced_at).toBeInstanceOf(Date);
    expect(logged.some((l) => l.level === 'warn' && l.fields.event === 'dsn_dropped' && l.fields.outboundMessage === outboundId)).toBe(true);
  });

  it('a full mailbox still gets the DSN about its own mail', async () => {
    const d = await makeDomain(db);
    const box = await makeMailbox(db, d, 'full', { quotaBytes: 1000, usedBytes: 1000 });
    const to = `x@${remote()}`;
    const { outboundId } = await queue({ box, recipients: [{ address: to }] });
    await fail(outboundId, to, '550 5.1.1 no', '5.1.1');
    await bounceAll();
    expect(await storedMessages(db, box.id)).toHaveLength(1);
  });

  it('passes running at once send each DSN exactly once', async () => {
    const box = await sender();
    const domain = remote();
    for (let i = 0; i < 6; i++) {
      const to = `x${i}@${domain}`;
      const { outboundId } = await queue({ box, recipients: [{ address: to }] });
      await fail(outboundId, to, '550 5.1.1 no', '5.1.1');
    }
    await Promise.all([bouncePending(db, CONFIG, { log }), bouncePending(db, CONFIG, { log }), bouncePending(db, CONFIG, { log })]);
    await bounceAll();
    expect(await storedMessages(db, box.id)).toHaveLength(6);
  });

  it('storing the DSN and settling the recipient commit together: a failed store leaves the recipient owed, and the next pass delivers it once', async () => {
    const box = await sender();
    const to = `x@${remote()}`;
    const { outboundId } = await queue({ box, recipients: [{ address: to }] });
    await fail(outboundId, to, '550 5.1.1 no', '5.1.1');
    // the mailbox's usage counter cannot take another message: the store's UPDATE fails inside the pass's transaction
    await db.query(`UPDATE mailboxes SET used_bytes = 9223372036854775000 WHERE id = $1`, [box.id]);
    await bounceAll();
    expect((await recipientRows(outboundId))[0].bounced_at).toBeNull();
    expect(await storedMessages(db, box.id)).toHaveLength(0);
    expect(logged.some((l) => l.fields.event === 'dsn_error' && l.fields.outboundMessage === outboundId)).toBe(true);

    await db.query(`UPDATE mailboxes SET used_bytes = 0 WHERE id = $1`, [box.id]);
    await bounceAll();
    expect((await recipientRows(outboundId))[0].bounced_at).toBeInstanceOf(Date);
    expect(await storedMessages(db, box.id)).toHaveLength(1);
  });

  describe('delay notices', () => {
    async function defer(outboundId: string, recipient: string) {
      await db.query(
        `UPDATE outbound_recipients SET status = 'deferred', attempts = 3, last_reply = '451 4.7.1 greylisted', last_status = '4.7.1',
                remote_mta = 'mx.slow.test', last_attempt_at = now(), next_attempt_at = now() + interval '1 hour'
          WHERE outbound_message_id = $1 AND recipient = $2`,
        [outboundId, recipient],
      );
    }
    const age = (outboundId: string, hours: number) =>
      db.query(`UPDATE outbound_messages SET created_at = now() - make_interval(hours => $2) WHERE id = $1`, [outboundId, hours]);
    const noticeAll = async () => {
      while ((await noticeDelays(db, CONFIG, { limit: 50, log })) === 50);
    };

    it('one "delayed" DSN per message after DELAY_NOTICE_SECONDS, once, for recipients that did not opt out', async () => {
      const box = await sender();
      const domain = remote();
      const [waiting, failureOnly] = [`w@${domain}`, `f@${domain}`];
      const { outboundId } = await queue({ box, recipients: [{ address: waiting, dsnOrcpt: `rfc822;${waiting}` }, { address: failureOnly, dsnNotify: ['FAILURE'] }] });
      await defer(outboundId, waiting);
      await defer(outboundId, failureOnly);

      await noticeAll(); // too young still
      expect(await storedMessages(db, box.id)).toHaveLength(0);

      await age(outboundId, 5);
      await noticeAll();
      const inbox = await storedMessages(db, box.id);
      expect(inbox).toHaveLength(1);
      expect(inbox[0].subject).toBe('Delivery Status Notification (Delay)');
      const [queued] = await db.query(`SELECT created_at FROM outbound_messages WHERE id = $1`, [outboundId]);
      const dsn = readDsn(Buffer.from(inbox[0].raw, 'latin1'));
      expect(dsn.perRecipient).toHaveLength(1);
      const fields = Object.fromEntries(dsn.perRecipient[0]);
      expect(fields).toMatchObject({
        'Original-Recipient': `rfc822; ${waiting}`,
        'Final-Recipient': `rfc822; ${waiting}`,
        Action: 'delayed',
        Status: '4.7.1',
        'Remote-MTA': 'dns; mx.slow.test',
        'Diagnostic-Code': 'smtp; 451 4.7.1 greylisted',
        'Will-Retry-Until': rfc5322(new Date(queued.created_at.getTime() + CONFIG.queueLifetimeSeconds * 1000)),
      });
      expect(fields['Last-Attempt-Date']).toBeTruthy();
      expect(dsn.parts[2].type).toBe('text/rfc822-headers');
      expect(dsn.text).toContain('We will keep trying until');

      const rows = await recipientRows(outboundId);
      expect(rows.map((r: { delay_notified_at: Date | null }) => r.delay_notified_at !== null)).toEqual([false, true]); // f@ sorts first

      await noticeAll();
      expect(await storedMessages(db, box.id)).toHaveLength(1);
    });

    it('no delay notice to <> or once the queue lifetime is over', async () => {
      const to = `x@${remote()}`;
      const { outboundId } = await queue({ envelopeFrom: '', box: null, recipients: [{ address: to }] });
      await defer(outboundId, to);
      await age(outboundId, 5);
      const box = await sender();
      const late = await queue({ box, recipients: [{ address: to }] });
      await defer(late.outboundId, to);
      await age(late.outboundId, 24 * 6);
      await noticeAll();
      expect((await recipientRows(outboundId))[0].delay_notified_at).toBeNull();
      expect((await recipientRows(late.outboundId))[0].delay_notified_at).toBeNull();
      expect(await storedMessages(db, box.id)).toHaveLength(0);
    });
  });
});
