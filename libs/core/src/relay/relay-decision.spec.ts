import { describe, expect, it } from 'vitest';
import { parseEnvelopeAddress } from './envelope-address';
import {
  decideRelay,
  decideSender,
  LocalRecipientState,
  MailboxRelaySubject,
  NetworkRelaySubject,
  RelayAgreementSnapshot,
  RelayInput,
  RelayUsageCounts,
} from './relay-decision';

// The world the table runs in: two hosted domains, a few local addresses, one customer.
const HOSTED = new Set(['hosted.example', 'shop.example']);
const LOCAL: Record<string, LocalRecipientState> = {
  'user@hosted.example': 'deliverable',
  'info@hosted.example': 'deliverable',
  'off@hosted.example': 'disabled',
  'full@hosted.example': 'over_quota',
};

const LIMITS = { messagesPerHour: 10, recipientsPerDay: 100, recipientsPerMessage: 5 };
const active: RelayAgreementSnapshot = { id: 'agr-1', status: 'active', limits: LIMITS, clientNetworks: ['192.0.2.0/24', '2001:db8:10::/48'] };
const suspended: RelayAgreementSnapshot = { ...active, status: 'suspended' };
const revoked: RelayAgreementSnapshot = { ...active, status: 'revoked' };

function jan(over: Partial<MailboxRelaySubject> = {}): MailboxRelaySubject {
  return {
    kind: 'mailbox',
    mailboxId: 'mbx-1',
    address: 'jan@hosted.example',
    mailboxStatus: 'active',
    relayBlocked: false,
    relayBlockedReason: null,
    customerId: 'cus-1',
    customerStatus: 'active',
    agreement: active,
    ownedAddresses: ['jan@hosted.example', 'sales@hosted.example', '*@shop.example'],
    ...over,
  };
}

function network(over: Partial<NetworkRelaySubject> = {}): NetworkRelaySubject {
  return { kind: 'client_network', customerId: 'cus-1', customerStatus: 'active', agreement: active, ownedDomains: ['hosted.example', 'shop.example'], ...over };
}

const NO_USAGE: RelayUsageCounts = { messagesThisHour: 0, recipientsLast24Hours: 0, recipientsInMessage: 0 };

/** What the mail server does before deciding: parse, then look the recipient up (loadRecipientFacts). */
function facts(recipient: string): Pick<RelayInput, 'recipientDomainHosted' | 'localRecipient'> {
  const parsed = parseEnvelopeAddress(recipient);
  if (parsed.kind !== 'mailbox' || !HOSTED.has(parsed.domain)) return { recipientDomainHosted: false, localRecipient: null };
  return { recipientDomainHosted: true, localRecipient: LOCAL[parsed.address] ?? 'unknown' };
}

interface Case {
  name: string;
  recipient: string;
  sender?: string;
  subject?: MailboxRelaySubject | NetworkRelaySubject | null;
  clientIp?: string | null;
  usage?: Partial<RelayUsageCounts>;
  /** Facts a careless caller might claim, to show they cannot open a relay. */
  claim?: Pick<RelayInput, 'recipientDomainHosted' | 'localRecipient'>;
  expect: { verdict: 'accept'; route: 'local' | 'remote'; recipient?: string } | { code: number; enhancedCode: string; reason: string };
}

const CASES: Case[] = [
  // Local mail: nobody needs to log in or to have signed anything to receive.
  { name: 'local recipient, unauthenticated, no agreement anywhere', recipient: 'user@hosted.example', subject: null, expect: { verdict: 'accept', route: 'local', recipient: 'user@hosted.example' } },
  { name: 'local recipient from a user whose customer never signed', recipient: 'user@hosted.example', subject: jan({ agreement: null }), expect: { verdict: 'accept', route: 'local' } },
  { name: 'local recipient from a user whose agreement is revoked', recipient: 'info@hosted.example', subject: jan({ agreement: revoked }), expect: { verdict: 'accept', route: 'local' } },
  { name: 'local recipient, unknown user', recipient: 'nobody@hosted.example', expect: { code: 550, enhancedCode: '5.1.1', reason: 'unknown_recipient' } },
  { name: 'local recipient, disabled mailbox', recipient: 'off@hosted.example', expect: { code: 550, enhancedCode: '5.2.1', reason: 'recipient_disabled' } },
  { name: 'local recipient, mailbox full', recipient: 'full@hosted.example', expect: { code: 552, enhancedCode: '5.2.2', reason: 'recipient_over_quota' } },
  { name: 'upper case and one trailing dot are local mail', recipient: 'User@Hosted.Example.', subject: null, expect: { verdict: 'accept', route: 'local', recipient: 'user@hosted.example' } },
  { name: 'upper case local part is the same mailbox', recipient: 'USER@HOSTED.EXAMPLE', subject: null, expect: { verdict: 'accept', route: 'local', recipient: 'user@hosted.example' } },
  { name: 'angle brackets are accepted', recipient: '<user@hosted.example>', subject: null, expect: { verdict: 'accept', route: 'local' } },
  { name: 'quoted local part that needs no quotes is the plain address', recipient: '"user"@hosted.example', subject: null, expect: { verdict: 'accept', route: 'local', recipient: 'user@hosted.example' } },
  { name: 'a trailing dot on a remote domain is still remote', recipient: 'user@remote.example.', subject: null, expect: { code: 530, enhancedCode: '5.7.0', reason: 'authentication_required' } },
  { name: 'a trailing dot on a remote domain is relayed for a signed user', recipient: 'Someone@Remote.Example.', expect: { verdict: 'accept', route: 'remote', recipient: 'someone@remote.example' } },
  { name: 'two trailing dots are malformed', recipient: 'user@hosted.example..', expect: { code: 501, enhancedCode: '5.1.3', reason: 'bad_address' } },
  { name: 'no domain at all', recipient: 'user', expect: { code: 501, enhancedCode: '5.1.3', reason: 'bad_address' } },

  // Remote mail: who, what they claim, what they may, how much.
  { name: 'remote recipient, unauthenticated', recipient: 'x@remote.example', subject: null, expect: { code: 530, enhancedCode: '5.7.0', reason: 'authentication_required' } },
  { name: 'remote recipient, signed and active', recipient: 'x@remote.example', expect: { verdict: 'accept', route: 'remote', recipient: 'x@remote.example' } },
  { name: 'remote recipient, authenticated without agreement', recipient: 'x@remote.example', subject: jan({ agreement: null }), expect: { code: 550, enhancedCode: '5.7.1', reason: 'no_agreement' } },
  { name: 'remote recipient, agreement suspended', recipient: 'x@remote.example', subject: jan({ agreement: suspended }), expect: { code: 550, enhancedCode: '5.7.1', reason: 'agreement_suspended' } },
  { name: 'remote recipient, agreement revoked', recipient: 'x@remote.example', subject: jan({ agreement: revoked }), expect: { code: 550, enhancedCode: '5.7.1', reason: 'agreement_revoked' } },
  { name: 'remote recipient, customer suspended', recipient: 'x@remote.example', subject: jan({ customerStatus: 'suspended' }), expect: { code: 550, enhancedCode: '5.7.1', reason: 'customer_suspended' } },
  { name: 'remote recipient, mailbox disabled', recipient: 'x@remote.example', subject: jan({ mailboxStatus: 'disabled' }), expect: { code: 550, enhancedCode: '5.7.1', reason: 'mailbox_disabled' } },
  { name: 'remote recipient, relay blocked for this one mailbox', recipient: 'x@remote.example', subject: jan({ relayBlocked: true, relayBlockedReason: 'leaked password' }), expect: { code: 550, enhancedCode: '5.7.1', reason: 'relay_blocked' } },
  { name: 'relay block wins over a suspended agreement (the more specific reason)', recipient: 'x@remote.example', subject: jan({ relayBlocked: true, agreement: suspended }), expect: { code: 550, enhancedCode: '5.7.1', reason: 'relay_blocked' } },

  // The sender must be the user's.
  { name: 'sender not owned by the user', recipient: 'x@remote.example', sender: 'ceo@hosted.example', expect: { code: 553, enhancedCode: '5.7.1', reason: 'sender_not_owned' } },
  { name: 'sender in a foreign domain', recipient: 'x@remote.example', sender: 'jan@gmail.example', expect: { code: 553, enhancedCode: '5.7.1', reason: 'sender_not_owned' } },
  { name: 'null sender from a user', recipient: 'x@remote.example', sender: '', expect: { code: 553, enhancedCode: '5.7.1', reason: 'sender_not_owned' } },
  { name: 'sender that carries routing is never owned', recipient: 'x@remote.example', sender: 'jan%evil.example@hosted.example', expect: { code: 553, enhancedCode: '5.7.1', reason: 'sender_not_owned' } },
  { name: 'sender as an alias of the user', recipient: 'x@remote.example', sender: 'sales@hosted.example', expect: { verdict: 'accept', route: 'remote' } },
  { name: 'sender with a +tag of the own address', recipient: 'x@remote.example', sender: 'jan+news@hosted.example', expect: { verdict: 'accept', route: 'remote' } },
  { name: 'sender in upper case with a trailing dot', recipient: 'x@remote.example', sender: 'Jan@Hosted.Example.', expect: { verdict: 'accept', route: 'remote' } },
  { name: 'sender in a domain whose catch-all delivers to the user', recipient: 'x@remote.example', sender: 'anything@shop.example', expect: { verdict: 'accept', route: 'remote' } },

  // Limits used up: try later.
  { name: 'messages per hour used up', recipient: 'x@remote.example', usage: { messagesThisHour: 10 }, expect: { code: 451, enhancedCode: '4.7.1', reason: 'messages_per_hour' } },
  { name: 'one message left this hour', recipient: 'x@remote.example', usage: { messagesThisHour: 9 }, expect: { verdict: 'accept', route: 'remote' } },
  { name: 'recipients per day used up', recipient: 'x@remote.example', usage: { recipientsLast24Hours: 100 }, expect: { code: 451, enhancedCode: '4.7.1', reason: 'recipients_per_day' } },
  { name: 'recipients per day counts this message too', recipient: 'x@remote.example', usage: { recipientsLast24Hours: 97, recipientsInMessage: 3 }, expect: { code: 451, enhancedCode: '4.7.1', reason: 'recipients_per_day' } },
  { name: 'recipients per message used up', recipient: 'x@remote.example', usage: { recipientsInMessage: 5 }, expect: { code: 452, enhancedCode: '4.5.3', reason: 'recipients_per_message' } },
  { name: 'limits do not apply to local mail', recipient: 'user@hosted.example', usage: { messagesThisHour: 999, recipientsLast24Hours: 9999, recipientsInMessage: 99 }, expect: { verdict: 'accept', route: 'local' } },

  // Addresses that carry their own routing never gain relay permission, whoever asks.
  { name: 'percent hack, unauthenticated', recipient: 'user%remote.example@hosted.example', subject: null, expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'percent hack, even for a signed user', recipient: 'user%remote.example@hosted.example', expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'percent hack, even if the caller claims a deliverable local address', recipient: 'user%remote.example@hosted.example', subject: null, claim: { recipientDomainHosted: true, localRecipient: 'deliverable' }, expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'quoted @ in the local part', recipient: '"user@remote.example"@hosted.example', subject: null, expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'quoted @ in the local part, claimed local', recipient: '"user@remote.example"@hosted.example', subject: null, claim: { recipientDomainHosted: true, localRecipient: 'deliverable' }, expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'quoted percent hack', recipient: '"user%remote.example"@hosted.example', expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'bang path', recipient: 'remote.example!user@hosted.example', subject: null, expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'bang path, even for a signed user', recipient: 'remote.example!user@hosted.example', expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'source route', recipient: '@hosted.example:user@remote.example', subject: null, expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'source route, even for a signed user', recipient: '@hosted.example:user@remote.example', expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'source route in angle brackets with two hops', recipient: '<@a.example,@hosted.example:user@remote.example>', subject: null, expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'a second unquoted @', recipient: 'user@remote.example@hosted.example', subject: null, claim: { recipientDomainHosted: true, localRecipient: 'deliverable' }, expect: { code: 550, enhancedCode: '5.7.1', reason: 'routed_address' } },
  { name: 'IPv4 literal, unauthenticated', recipient: 'user@[192.0.2.1]', subject: null, expect: { code: 550, enhancedCode: '5.7.1', reason: 'ip_literal' } },
  { name: 'IPv4 literal, even for a signed user', recipient: 'user@[192.0.2.1]', expect: { code: 550, enhancedCode: '5.7.1', reason: 'ip_literal' } },
  { name: 'IPv6 literal', recipient: 'user@[IPv6:2001:db8::1]', expect: { code: 550, enhancedCode: '5.7.1', reason: 'ip_literal' } },

  // The customer's own mail servers (agreement clientNetworks), without SMTP AUTH.
  { name: 'client network, sender in the customer domain', recipient: 'x@remote.example', sender: 'billing@shop.example', subject: network(), clientIp: '192.0.2.25', expect: { verdict: 'accept', route: 'remote' } },
  { name: 'client network over IPv6', recipient: 'x@remote.example', sender: 'a@hosted.example', subject: network(), clientIp: '2001:db8:10::25', expect: { verdict: 'accept', route: 'remote' } },
  { name: 'client network seen as an IPv4-mapped IPv6 address', recipient: 'x@remote.example', sender: 'a@hosted.example', subject: network(), clientIp: '::ffff:192.0.2.25', expect: { verdict: 'accept', route: 'remote' } },
  { name: 'client network, null sender (its server sends bounces)', recipient: 'x@remote.example', sender: '<>', subject: network(), clientIp: '192.0.2.25', expect: { verdict: 'accept', route: 'remote' } },
  { name: 'client network, sender in someone else\'s domain', recipient: 'x@remote.example', sender: 'ceo@bank.example', subject: network(), clientIp: '192.0.2.25', expect: { code: 553, enhancedCode: '5.7.1', reason: 'sender_not_owned' } },
  { name: 'client network subject but the IP is outside its networks', recipient: 'x@remote.example', sender: 'a@hosted.example', subject: network(), clientIp: '198.51.100.7', expect: { code: 530, enhancedCode: '5.7.0', reason: 'authentication_required' } },
  { name: 'client network with a suspended agreement', recipient: 'x@remote.example', sender: 'a@hosted.example', subject: network({ agreement: suspended }), clientIp: '192.0.2.25', expect: { code: 550, enhancedCode: '5.7.1', reason: 'agreement_suspended' } },
  { name: 'client network of a suspended customer', recipient: 'x@remote.example', sender: 'a@hosted.example', subject: network({ customerStatus: 'suspended' }), clientIp: '192.0.2.25', expect: { code: 550, enhancedCode: '5.7.1', reason: 'customer_suspended' } },
  { name: 'client network, limits used up', recipient: 'x@remote.example', sender: 'a@hosted.example', subject: network(), clientIp: '192.0.2.25', usage: { messagesThisHour: 10 }, expect: { code: 451, enhancedCode: '4.7.1', reason: 'messages_per_hour' } },
];

describe('decideRelay', () => {
  it.each(CASES)('$name', (c) => {
    const decision = decideRelay({
      session: { clientIp: c.clientIp ?? null, subject: c.subject === undefined ? jan() : c.subject },
      sender: c.sender ?? 'jan@hosted.example',
      recipient: c.recipient,
      ...(c.claim ?? facts(c.recipient)),
      usage: { ...NO_USAGE, ...c.usage },
    });
    if ('verdict' in c.expect) {
      expect(decision).toMatchObject(c.expect);
    } else {
      expect(decision).toMatchObject({ ...c.expect, verdict: c.expect.code >= 500 ? 'reject' : 'tempfail' });
      expect(decision.verdict !== 'accept' && decision.message.length).toBeGreaterThan(10);
    }
  });

  it('never puts staff notes into the reply text', () => {
    const d = decideRelay({
      session: { clientIp: null, subject: jan({ relayBlocked: true, relayBlockedReason: 'internal ticket 4711' }) },
      sender: 'jan@hosted.example',
      recipient: 'x@remote.example',
      recipientDomainHosted: false,
      localRecipient: null,
      usage: NO_USAGE,
    });
    expect(d.verdict === 'reject' && d.message).not.toContain('4711');
  });

  it('decideSender is the sender part alone: what submission asks at MAIL FROM, before any recipient', () => {
    const at = (subject: MailboxRelaySubject | null, sender: string) => decideSender({ clientIp: null, subject }, sender)?.reason ?? null;
    expect(at(jan(), 'jan@hosted.example')).toBeNull();
    expect(at(jan(), 'Jan+News@Hosted.Example.')).toBeNull();
    expect(at(jan(), 'anyone@shop.example')).toBeNull(); // catch-all alias of jan's
    expect(at(jan(), 'boss@hosted.example')).toBe('sender_not_owned');
    expect(at(jan(), '')).toBe('sender_not_owned');
    expect(at(jan({ mailboxStatus: 'disabled' }), 'jan@hosted.example')).toBe('mailbox_disabled');
    expect(at(jan({ customerStatus: 'suspended' }), 'jan@hosted.example')).toBe('customer_suspended');
    expect(at(null, 'jan@hosted.example')).toBe('authentication_required');
    // the agreement and the relay block concern remote recipients only: local mail still goes
    expect(at(jan({ agreement: null, relayBlocked: true }), 'jan@hosted.example')).toBeNull();
  });
});
