import { EntityManager, Not } from 'typeorm';
import { databaseDirectory } from '../aliases/directory';
import { planLocalDelivery } from '../aliases/local-delivery';
import { Agreement, Alias, Customer, Domain, Mailbox } from '../entities';
import { normaliseIp } from './client-networks';
import { parseEnvelopeAddress } from './envelope-address';
import { LocalRecipientState, MailboxRelaySubject, NetworkRelaySubject, RelayAgreementSnapshot } from './relay-decision';

/**
 * Loads the facts decideRelay needs from the database. Shared by the API
 * (relay-permission) and the mail server (RCPT TO), so both see the same thing.
 */

/**
 * The customer's current agreement (active or suspended) or, when the last
 * one was revoked, that one, so the decision can say "revoked" rather than
 * "never signed". Superseded agreements always have a newer one.
 */
export async function loadAgreementSnapshot(m: EntityManager, customerId: string): Promise<RelayAgreementSnapshot | null> {
  const a = await m.findOne(Agreement, { where: { customerId, status: Not('superseded') }, order: { id: 'DESC' } });
  if (!a || a.status === 'superseded') return null;
  return {
    id: a.id,
    status: a.status,
    limits: { messagesPerHour: a.messagesPerHour, recipientsPerDay: a.recipientsPerDay, recipientsPerMessage: a.recipientsPerMessage },
    clientNetworks: a.clientNetworks,
  };
}

/**
 * The relay subject of a client that authenticated as a mailbox, looked up by
 * id or by address (any case, one trailing dot allowed). null: no such mailbox.
 */
export async function loadRelaySubject(m: EntityManager, key: { mailboxId: string } | { address: string }): Promise<MailboxRelaySubject | null> {
  let mailbox: Mailbox | null;
  if ('mailboxId' in key) {
    mailbox = await m.findOne(Mailbox, { where: { id: key.mailboxId } });
  } else {
    const parsed = parseEnvelopeAddress(key.address);
    mailbox = parsed.kind === 'mailbox' ? await m.findOne(Mailbox, { where: { address: parsed.address } }) : null;
  }
  if (!mailbox) return null;
  // One after another: the caller may pass a transaction's manager, which has a single connection.
  const customer = await m.findOne(Customer, { where: { id: mailbox.customerId } });
  const agreement = await loadAgreementSnapshot(m, mailbox.customerId);
  const aliases = await m
    .getRepository(Alias)
    .createQueryBuilder('a')
    .select('a.address', 'address')
    .where(':address = ANY(a.targets)', { address: mailbox.address })
    .getRawMany<{ address: string }>();
  if (!customer) return null;
  return {
    kind: 'mailbox',
    mailboxId: mailbox.id,
    address: mailbox.address,
    mailboxStatus: mailbox.status,
    relayBlocked: mailbox.relayBlocked,
    relayBlockedReason: mailbox.relayBlockedReason,
    customerId: customer.id,
    customerStatus: customer.status,
    agreement,
    ownedAddresses: [mailbox.address, ...aliases.map((a) => a.address)],
  };
}

/**
 * The relay subject of an unauthenticated client whose IP lies in a current
 * agreement's clientNetworks (the most specific network wins), or null.
 */
export async function loadClientNetworkSubject(m: EntityManager, clientIp: string): Promise<NetworkRelaySubject | null> {
  const ip = normaliseIp(clientIp);
  if (!ip) return null;
  const [match] = await m.query(
    `SELECT a.customer_id, max(masklen(n::cidr)) AS prefix
       FROM agreements a, unnest(a.client_networks) AS n
      WHERE a.status IN ('active', 'suspended') AND $1::inet <<= n::cidr
      GROUP BY a.customer_id
      ORDER BY prefix DESC
      LIMIT 1`,
    [ip],
  );
  if (!match) return null;
  const customerId: string = match.customer_id;
  const customer = await m.findOne(Customer, { where: { id: customerId } });
  const agreement = await loadAgreementSnapshot(m, customerId);
  const domains = await m.find(Domain, { where: { customerId }, select: { name: true } });
  if (!customer) return null;
  return { kind: 'client_network', customerId, customerStatus: customer.status, agreement, ownedDomains: domains.map((d) => d.name) };
}

/**
 * The two recipient facts decideRelay takes: is the domain hosted, and what is
 * there at that address, by the shared resolver and delivery rules
 * (planLocalDelivery), as the mail server sees it at RCPT TO.
 */
export async function loadRecipientFacts(
  m: EntityManager,
  recipient: string,
): Promise<{ recipientDomainHosted: boolean; localRecipient: LocalRecipientState | null }> {
  const parsed = parseEnvelopeAddress(recipient);
  if (parsed.kind !== 'mailbox') return { recipientDomainHosted: false, localRecipient: null };
  const dir = databaseDirectory(m);
  if (!(await dir.isHostedDomain(parsed.domain))) return { recipientDomainHosted: false, localRecipient: null };
  return { recipientDomainHosted: true, localRecipient: (await planLocalDelivery(dir, parsed.address)).state };
}
