import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverMessage } from '../libs/core/src/mail-store/deliver';
import { startApi, TestApi, unique } from './support/api';
import { ensureDebianCommand } from './support/debian';
import { createDomain, publishVersion, signAgreement } from './support/fixtures';
import { isolatedDatabase } from './support/isolated-database';
import { readDsn } from './support/dsn-reader';
import { makeCustomer, makeMailbox, storedMessages, TestMailbox } from './support/mail-fixtures';
import { rfc5322, smtpClient, startTestMailServer, TestMailServer } from './support/smtp';
import { Sink, startSink } from './support/sink';

/**
 * Outbound delivery end to end: users submit through the real mail server,
 * its delivery worker sends to a loopback SMTP sink reached through
 * TRANSPORT_MAP, the sink answers as each test needs. This file has a
 * database of its own: a worker takes every due message in its database.
 */

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await pause(50);
  }
}

describe('outbound delivery', () => {
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let api: TestApi;
  let mail: TestMailServer;
  let sink: Sink;
  let version: { id: string; sha256: string };

  beforeAll(async () => {
    db = await isolatedDatabase('delivery_');
    sink = await startSink({ starttls: true });
    api = await startApi({ DATABASE_URL: db.url });
    mail = await startTestMailServer({
      DATABASE_URL: db.url,
      DELIVERY_WORKER: 'on',
      DELIVERY_CONCURRENCY: '3',
      DELIVERY_POLL_MS: '100',
      DELIVERY_RETRY_SCHEDULE: '1',
      TRANSPORT_MAP: `*=127.0.0.1:${sink.port}`,
      AUTO_SUSPEND_LIMIT_HITS: '3',
      AUTO_SUSPEND_MIN_RECIPIENTS: '4',
      AUTO_SUSPEND_FAILURE_RATIO: '0.5',
    });
    version = await publishVersion(api, { messagesPerHour: 1000, recipientsPerDay: 10000, recipientsPerMessage: 50 });
  });
  afterAll(async () => {
    await mail?.close();
    await api?.close();
    await sink?.close();
    await db?.drop();
  });

  /** A signed customer with a real domain (DKIM key made by the API) and one mailbox. */
  async function user(signed: { id: string; sha256: string } = version): Promise<TestMailbox & { domainName: string; domainId: string; agreementId: string }> {
    const customerId = await makeCustomer(mail.db);
    const domain = await createDomain(api, customerId);
    const box = await makeMailbox(mail.db, { id: domain.id, name: domain.name, customerId }, 'jan');
    const { agreement } = await signAgreement(api, customerId, signed);
    return { ...box, domainName: domain.name, domainId: domain.id, agreementId: agreement.id };
  }

  /** Sink answers for addresses starting with `prefix` while the test runs. */
  async function withRcptReply<T>(prefix: string, reply: () => { code: number; text: string } | null, body: () => Promise<T>): Promise<T> {
    const previous = sink.onRcpt;
    sink.onRcpt = (address, session) => (address.startsWith(prefix) ? reply() : previous(address, session));
    try {
      return await body();
    } finally {
      sink.onRcpt = previous;
    }
  }

  async function submit(box: TestMailbox, to: string[], subject = unique('subject ')): Promise<string> {
    const t = smtpClient(mail.smtps, { secure: true, auth: { user: box.address, pass: box.password } });
    try {
      const messageId = `${unique('m')}@client.test`;
      await t.sendMail({ envelope: { from: box.address, to }, raw: rfc5322({ from: box.address, to: to[0], subject, messageId }) });
      return messageId;
    } finally {
      t.close();
    }
  }

  const recipients = (messageId: string) =>
    mail.db.query(
      `SELECT r.id, r.recipient, r.status, r.attempts, r.last_reply, r.last_status, r.remote_mta, r.finished_at
         FROM outbound_messages o JOIN outbound_recipients r ON r.outbound_message_id = o.id JOIN messages m ON m.id = o.message_id
        WHERE m.message_id_header = $1 ORDER BY r.recipient`,
      [messageId],
    );

  const atSink = (messageId: string) => sink.messages.filter((m) => m.raw.includes(Buffer.from(messageId)));

  it('delivers submitted mail to the remote server over STARTTLS, DKIM-signed, and records the reply', async () => {
    const box = await user();
    const to = `${unique('r')}@remote.test`;
    const messageId = await submit(box, [to]);
    await sink.waitFor(() => atSink(messageId).length === 1);
    const [got] = atSink(messageId);
    expect(got.from).toBe(box.address);
    expect(got.to).toEqual([to]);
    expect(got.secure).toBe(true);
    expect(got.raw.toString('latin1')).toMatch(/^DKIM-Signature: /);
    const [row] = await until('recipient delivered', async () => {
      const rows = await recipients(messageId);
      return rows[0]?.status === 'delivered' && rows;
    });
    expect(row.attempts).toBe(1);
    expect(row.last_reply).toMatch(/^250 2\.6\.0 .*queued by sink/);
    expect(row.last_status).toBe('2.6.0'); // the enhanced code of the remote's reply
    expect(row.remote_mta).toBe('127.0.0.1');
    expect(row.finished_at).not.toBeNull();
    const attempts = await mail.db.query(`SELECT outcome, reply FROM outbound_attempts WHERE recipient_id = $1`, [row.id]);
    expect(attempts).toEqual([{ outcome: 'delivered', reply: row.last_reply }]);
  });

  it('the DKIM signature verifies with an independent verifier (dkimpy) against the published DNS record', async () => {
    ensureDebianCommand('dkimverify', 'python3-dkim');
    const box = await user();
    const messageId = await submit(box, [`${unique('r')}@remote.test`], 'Signed mail');
    await sink.waitFor(() => atSink(messageId).length === 1);
    const dns = await api.http().get(`/v1/domains/${box.domainId}/dns-records`).set(api.admin).expect(200);
    const dkim = dns.body.records.find((r: { purpose: string }) => r.purpose === 'dkim');
    const dir = mkdtempSync(`${tmpdir()}/dkim-`);
    writeFileSync(`${dir}/msg.eml`, atSink(messageId)[0].raw);
    const script = [
      'import sys, dkim',
      `name, value = ${JSON.stringify(`${dkim.name}.`)}, ${JSON.stringify(dkim.value)}`,
      'def dns(q, timeout=5):',
      '    q = q.decode() if isinstance(q, bytes) else q',
      '    return value.encode() if q.rstrip(".") == name.rstrip(".") else None',
      `msg = open(${JSON.stringify(`${dir}/msg.eml`)}, "rb").read()`,
      'ok = dkim.verify(msg, dnsfunc=dns)',
      'print("PASS" if ok else "FAIL")',
    ].join('\n');
    const out = execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }).trim();
    expect(out).toBe('PASS');
    // and a changed body fails, so the check is real
    const tampered = atSink(messageId)[0].raw.toString('latin1').replace(/\r\n\r\n([\s\S]*)$/, '\r\n\r\nchanged body\r\n');
    writeFileSync(`${dir}/msg.eml`, Buffer.from(tampered, 'latin1'));
    expect(execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }).trim()).toBe('FAIL');
  });

  it('a 4xx is retried after the retry delay and then delivered; both attempts are kept', async () => {
    const box = await user();
    const to = `${unique('grey')}@remote.test`;
    let refused = 0;
    const previous = sink.onRcpt;
    sink.onRcpt = (address, session) => {
      if (address === to && refused === 0) {
        refused++;
        return { code: 451, text: '4.7.1 Greylisted, try again later' };
      }
      return previous(address, session);
    };
    try {
      const messageId = await submit(box, [to]);
      const [row] = await until('delivered after a retry', async () => {
        const rows = await recipients(messageId);
        return rows[0]?.status === 'delivered' && rows;
      });
      expect(row.attempts).toBe(2);
      const attempts = await mail.db.query(`SELECT outcome, reply, status FROM outbound_attempts WHERE recipient_id = $1 ORDER BY id`, [row.id]);
      expect(attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['deferred', 'delivered']);
      expect(attempts[0].reply).toBe('451 4.7.1 Greylisted, try again later');
      expect(attempts[0].status).toBe('4.7.1');
      expect(atSink(messageId)).toHaveLength(1);
    } finally {
      sink.onRcpt = previous;
    }
  });

  it('one message to several domains and recipients: one SMTP transaction per domain, each recipient its own outcome', async () => {
    const box = await user();
    const a1 = `${unique('a')}@one.remote.test`;
    const a2 = `${unique('b')}@one.remote.test`;
    const b1 = `${unique('c')}@two.remote.test`;
    const messageId = await submit(box, [a1, a2, b1]);
    await sink.waitFor(() => atSink(messageId).length === 2);
    const envelopes = atSink(messageId).map((m) => [...m.to].sort());
    expect(envelopes).toEqual(expect.arrayContaining([[a1, a2].sort(), [b1]]));
    await until('all delivered', async () => (await recipients(messageId)).every((r: { status: string }) => r.status === 'delivered'));
  });

  it('mail parsed from the sink is the message the user sent', async () => {
    const box = await user();
    const messageId = await submit(box, [`${unique('p')}@remote.test`], 'Round trip');
    await sink.waitFor(() => atSink(messageId).length === 1);
    const parsed = await simpleParser(atSink(messageId)[0].raw);
    expect(parsed.subject).toBe('Round trip');
    expect(parsed.messageId).toBe(`<${messageId}>`);
    expect(parsed.headers.get('received')).toBeDefined();
  });

  it('mail queued straight into the store (a forward from <>) is delivered too', async () => {
    const to = `${unique('fwd')}@remote.test`;
    const messageId = `${unique('f')}@outside.test`;
    await deliverMessage(mail.db, {
      raw: Buffer.from(rfc5322({ from: 'someone@outside.test', to, subject: 'forwarded', messageId })),
      envelopeFrom: '',
      mailboxIds: [],
      outbound: { recipients: [{ address: to }], source: 'forward', mailboxId: null, customerId: null, clientAddress: '127.0.0.1' },
    });
    await sink.waitFor(() => atSink(messageId).length === 1);
    expect(atSink(messageId)[0].from).toBe('');
    // From is not a hosted domain: never signed with a key of ours
    expect(atSink(messageId)[0].raw.toString('latin1')).not.toMatch(/^DKIM-Signature/m);
  });

  it('a message still undeliverable when its queue lifetime ends fails with 4.4.7, quoting the last reply', async () => {
    const box = await user();
    const to = `${unique('late')}@remote.test`;
    await withRcptReply(to, () => ({ code: 451, text: '4.3.0 Mailbox temporarily unavailable' }), async () => {
      const messageId = await submit(box, [to]);
      await until('first deferral', async () => (await recipients(messageId))[0]?.status === 'deferred');
      // five days pass (QUEUE_LIFETIME_SECONDS defaults to 5 days)
      await mail.db.query(
        `UPDATE outbound_messages SET created_at = now() - interval '5 days 1 minute'
          WHERE message_id = (SELECT id FROM messages WHERE message_id_header = $1)`,
        [messageId],
      );
      const [row] = await until('failed for good', async () => {
        const rows = await recipients(messageId);
        return rows[0]?.status === 'failed' && rows;
      });
      expect(row.last_status).toBe('4.4.7');
      expect(row.last_reply).toMatch(/^Delivery time expired: gave up after 5 days in the queue and \d+ attempts; last reply: 451 4\.3\.0 Mailbox temporarily unavailable$/);
      expect(row.finished_at).not.toBeNull();
    });
  });

  it('a sending burst over the limits suspends the agreement automatically, holds the queued mail, and reinstating sends it', async () => {
    const tight = await publishVersion(api, { messagesPerHour: 3, recipientsPerDay: 1000, recipientsPerMessage: 10 });
    const box = await user(tight);
    const hook = await api.http().post('/v1/webhooks').set(api.admin).send({ url: 'https://hooks.isp.example/postbode', eventTypes: ['agreement.*'] }).expect(201);
    const prefix = unique('burst');
    let accepting = false;
    await withRcptReply(prefix, () => (accepting ? null : { code: 451, text: '4.7.1 Try again later' }), async () => {
      // three messages fit the hourly limit; the remote defers them for now
      const sent = [];
      for (let i = 0; i < 3; i++) sent.push(await submit(box, [`${prefix}${i}@remote.test`]));
      await until('all three deferred', async () => {
        const rows = (await Promise.all(sent.map(recipients))).flat();
        return rows.length === 3 && rows.every((r: { status: string }) => r.status === 'deferred');
      });
      // the burst: each further message is refused at RCPT with the limit named
      for (let i = 0; i < 3; i++) {
        await expect(submit(box, [`${prefix}x${i}@remote.test`])).rejects.toThrow(/451 4\.7\.1 Sending limit reached: 3 messages per hour/);
      }
      const agreement = await until('agreement suspended', async () => {
        const a = (await api.http().get(`/v1/agreements/${box.agreementId}`).set(api.admin).expect(200)).body;
        return a.status === 'suspended' && a;
      });
      expect(agreement.statusReason).toMatch(/^Automatic: 3 messages refused for exceeding the sending limits within 1 hour \(last by jan@/);
      const [event] = await mail.db.query(
        `SELECT id, actor_type FROM events WHERE action = 'agreement.suspended' AND target_id = $1`,
        [box.agreementId],
      );
      expect(event.actor_type).toBe('system');
      const deliveries = await mail.db.query(`SELECT status FROM webhook_deliveries WHERE webhook_id = $1 AND event_id = $2`, [hook.body.id, event.id]);
      expect(deliveries).toHaveLength(1);
      // the queued mail is held, not sent, even once the remote would take it
      const held = (await Promise.all(sent.map(recipients))).flat();
      expect(held.map((r: { status: string }) => r.status)).toEqual(['held', 'held', 'held']);
      accepting = true;
      await pause(500);
      expect(sent.flatMap(atSink)).toHaveLength(0);
      // and new mail is refused at once
      await expect(submit(box, [`${prefix}y@remote.test`])).rejects.toThrow(/550 5\.7\.1/);

      // staff reinstate: the held mail goes out
      await api.http().post(`/v1/agreements/${box.agreementId}/reinstate`).set(api.admin).send({ reason: 'customer cleaned the account' }).expect(200);
      await sink.waitFor(() => sent.every((id) => atSink(id).length === 1));
      await until('all delivered', async () => (await Promise.all(sent.map(recipients))).flat().every((r: { status: string }) => r.status === 'delivered'));
    });
  });

  it('when most of a customer\'s recent recipients fail, the agreement is suspended automatically', async () => {
    const box = await user();
    const prefix = unique('nosuch');
    await withRcptReply(prefix, () => ({ code: 550, text: '5.1.1 No such user' }), async () => {
      for (let i = 0; i < 4; i++) await submit(box, [`${prefix}${i}@remote.test`]);
      const agreement = await until('agreement suspended', async () => {
        const a = (await api.http().get(`/v1/agreements/${box.agreementId}`).set(api.admin).expect(200)).body;
        return a.status === 'suspended' && a;
      });
      expect(agreement.statusReason).toMatch(/^Automatic: 4 of 4 remote recipients \(100%\) failed within 1 hour$/);
    });
  });

  it('a 5xx fails the recipient and bounces one DSN to the sender, with every field of RFC 3464', async () => {
    const box = await user();
    const to = `${unique('gone')}@remote.test`;
    await withRcptReply(to, () => ({ code: 550, text: '5.1.1 <' + to + '>: Recipient address rejected: User unknown' }), async () => {
      const messageId = await submit(box, [to], 'Will bounce');
      const [row] = await until('failed', async () => {
        const rows = await recipients(messageId);
        return rows[0]?.status === 'failed' && rows;
      });
      expect(row.last_reply).toBe(`550 5.1.1 <${to}>: Recipient address rejected: User unknown`);
      expect(row.last_status).toBe('5.1.1');
      const [dsn] = await until('DSN in the sender\'s INBOX', async () => {
        const copies = await storedMessages(mail.db, box.id);
        return copies.length === 1 && copies;
      });
      const raw = Buffer.from(dsn.raw, 'latin1');
      const parsed = await simpleParser(raw);
      expect(parsed.subject).toBe('Undelivered Mail Returned to Sender');
      expect(parsed.from?.value[0].address).toBe('MAILER-DAEMON@mx.postbode.test');
      expect(parsed.to && 'value' in parsed.to ? parsed.to.value[0].address : null).toBe(box.address);
      expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
      expect(String((parsed.headers.get('content-type') as { value: string; params: Record<string, string> }).value)).toBe('multipart/report');
      expect((parsed.headers.get('content-type') as { params: Record<string, string> }).params['report-type']).toBe('delivery-status');
      const report = readDsn(raw);
      expect(report.parts.map((p) => p.type)).toEqual(['text/plain', 'message/delivery-status', 'message/rfc822']);
      expect(report.text).toContain(to);
      expect(report.text).toContain(`550 5.1.1 <${to}>: Recipient address rejected: User unknown`);
      const perMessage = Object.fromEntries(report.perMessage.map(([k, v]) => [k.toLowerCase(), v]));
      expect(perMessage['reporting-mta']).toBe('dns; mx.postbode.test');
      expect(perMessage['arrival-date']).toBeDefined();
      expect(report.perRecipient).toHaveLength(1);
      const rcpt = Object.fromEntries(report.perRecipient[0].map(([k, v]) => [k.toLowerCase(), v]));
      expect(rcpt['final-recipient']).toBe(`rfc822; ${to}`);
      expect(rcpt['action']).toBe('failed');
      expect(rcpt['status']).toBe('5.1.1');
      expect(rcpt['remote-mta']).toBe('dns; 127.0.0.1');
      expect(rcpt['diagnostic-code']).toBe(`smtp; 550 5.1.1 <${to}>: Recipient address rejected: User unknown`);
      expect(rcpt['last-attempt-date']).toBeDefined();
      // the original message comes back whole
      expect(report.parts[2].body).toContain(`Message-ID: <${messageId}>`);
      expect(report.parts[2].body).toContain('Subject: Will bounce');
      // the DSN itself was not queued anywhere: it went straight to the sender's mailbox
      const [{ n }] = await mail.db.query(`SELECT count(*)::int AS n FROM outbound_messages WHERE envelope_from = '' AND message_id IN (SELECT id FROM messages WHERE subject = 'Undelivered Mail Returned to Sender')`);
      expect(n).toBe(0);
    });
  });

  it('never bounces mail whose sender was empty (<>)', async () => {
    const to = `${unique('nullbounce')}@remote.test`;
    const messageId = `${unique('n')}@outside.test`;
    await withRcptReply(to, () => ({ code: 550, text: '5.1.1 User unknown' }), async () => {
      await deliverMessage(mail.db, {
        raw: Buffer.from(rfc5322({ from: 'someone@outside.test', to, subject: 'no bounce', messageId })),
        envelopeFrom: '',
        mailboxIds: [],
        outbound: { recipients: [{ address: to }], source: 'forward', mailboxId: null, customerId: null, clientAddress: '127.0.0.1' },
      });
      const rows = await until('failed and settled', async () => {
        const r = await mail.db.query(
          `SELECT r.status, r.bounced_at FROM outbound_recipients r JOIN outbound_messages o ON o.id = r.outbound_message_id JOIN messages m ON m.id = o.message_id WHERE m.message_id_header = $1`,
          [messageId],
        );
        return r[0]?.status === 'failed' && r[0]?.bounced_at && r;
      });
      expect(rows).toHaveLength(1);
      // no DSN quoting it exists anywhere: not queued, not stored
      const [{ n }] = await mail.db.query(`SELECT count(*)::int AS n FROM messages WHERE position($1 in convert_from(raw, 'LATIN1')) > 0`, [`<${messageId}>`]);
      expect(n).toBe(1);
    });
  });
});
