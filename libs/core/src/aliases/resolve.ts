import { normaliseAddress } from '../addresses';
import type { MailboxStatus } from '../entities/mailbox.entity';

/**
 * Address resolution shared by the API (validating alias targets, refusing
 * loops) and the mail server (RCPT checks, delivering to an alias's
 * mailboxes). For `local@domain` in a hosted domain the order is:
 *
 *   1. the mailbox with that exact address
 *   2. the alias with that exact address
 *   3. the same two for the base of a subaddress (`user+tag` → `user`)
 *   4. the domain's catch-all alias `*@domain`
 *
 * Anything else in a hosted domain is unknown; other domains are external.
 */

export interface DirectoryMailbox {
  id: string;
  address: string;
  domainId: string;
  customerId: string;
  status: MailboxStatus;
  quotaBytes: number;
  usedBytes: number;
}

export interface DirectoryAlias {
  id: string;
  address: string;
  domainId: string;
  customerId: string;
  targets: string[];
}

/** Where addresses are looked up. All arguments are already normalised (lower-case, IDNA). */
export interface AddressDirectory {
  isHostedDomain(domain: string): Promise<boolean>;
  findMailbox(address: string): Promise<DirectoryMailbox | null>;
  findAlias(address: string): Promise<DirectoryAlias | null>;
}

export type AddressMatch =
  | { kind: 'mailbox'; address: string; mailbox: DirectoryMailbox }
  | { kind: 'alias'; address: string; alias: DirectoryAlias }
  | { kind: 'catch_all'; address: string; alias: DirectoryAlias }
  | { kind: 'external'; address: string }
  | { kind: 'unknown'; address: string }
  | { kind: 'invalid'; address: string };

export const SUBADDRESS_SEPARATOR = '+';

export function catchAllAddress(domain: string): string {
  return `*@${domain}`;
}

/** What one address is, without following aliases. */
export async function matchAddress(dir: AddressDirectory, input: string): Promise<AddressMatch> {
  const address = normaliseAddress(input);
  if (!address) return { kind: 'invalid', address: String(input) };
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!(await dir.isHostedDomain(domain))) return { kind: 'external', address };

  const exact = await matchExact(dir, address);
  if (exact) return exact;
  const plus = local.indexOf(SUBADDRESS_SEPARATOR);
  if (plus > 0) {
    const base = await matchExact(dir, `${local.slice(0, plus)}@${domain}`);
    if (base) return { ...base, address };
  }
  const catchAll = await dir.findAlias(catchAllAddress(domain));
  if (catchAll) return { kind: 'catch_all', address, alias: catchAll };
  return { kind: 'unknown', address };
}

async function matchExact(dir: AddressDirectory, address: string): Promise<AddressMatch | null> {
  const mailbox = await dir.findMailbox(address);
  if (mailbox) return { kind: 'mailbox', address, mailbox };
  const alias = await dir.findAlias(address);
  if (alias) return { kind: 'alias', address, alias };
  return null;
}

export interface ExpandOptions {
  /** Alias hops followed before giving up (a chain this long is a misconfiguration). */
  maxDepth?: number;
  /** Distinct final recipients (mailboxes + external) before giving up. */
  maxRecipients?: number;
}

export interface Expansion {
  /** Distinct mailboxes the address delivers to (any status: the caller decides about disabled ones). */
  mailboxes: DirectoryMailbox[];
  /** Distinct external addresses it forwards to. */
  external: string[];
  /** Local addresses reached that nothing answers for (e.g. a deleted mailbox still listed as a target). */
  unknown: string[];
  /** The first loop found, as the addresses followed, e.g. [a, b, a] or [*@d, x@d, *@d]; null when none. */
  loop: string[] | null;
  /** Set when a limit stopped the expansion early. */
  truncated: 'depth' | 'recipients' | null;
}

/**
 * Follows aliases from one address to the mailboxes and external addresses it
 * finally reaches. Each alias is expanded once (a diamond is not a loop); an
 * alias reached again while it is still being expanded is a loop, reported
 * with the chain that closes it.
 */
export async function expandAddress(dir: AddressDirectory, input: string, opts: ExpandOptions = {}): Promise<Expansion> {
  const maxDepth = opts.maxDepth ?? 20;
  const maxRecipients = opts.maxRecipients ?? 1000;
  const result: Expansion = { mailboxes: [], external: [], unknown: [], loop: null, truncated: null };
  const mailboxIds = new Set<string>();
  const external = new Set<string>();
  const unknown = new Set<string>();
  const onPath = new Set<string>(); // aliases being expanded (grey)
  const done = new Set<string>(); // aliases fully expanded (black)
  const full = () => mailboxIds.size + external.size >= maxRecipients;

  const visit = async (address: string, chain: string[]): Promise<void> => {
    if (result.truncated) return;
    const match = await matchAddress(dir, address);
    switch (match.kind) {
      case 'mailbox':
        if (!mailboxIds.has(match.mailbox.id)) {
          if (full()) return void (result.truncated = 'recipients');
          mailboxIds.add(match.mailbox.id);
          result.mailboxes.push(match.mailbox);
        }
        return;
      case 'external':
        if (!external.has(match.address)) {
          if (full()) return void (result.truncated = 'recipients');
          external.add(match.address);
        }
        return;
      case 'unknown':
      case 'invalid':
        unknown.add(match.address);
        return;
      case 'alias':
      case 'catch_all': {
        const node = match.alias.address;
        const path = match.kind === 'catch_all' || match.address !== node ? [...chain, match.address, node] : [...chain, node];
        if (onPath.has(node)) {
          result.loop ??= path.slice(path.indexOf(node));
          return;
        }
        if (done.has(node)) return;
        if (onPath.size >= maxDepth) return void (result.truncated = 'depth');
        onPath.add(node);
        for (const target of match.alias.targets) await visit(target, path);
        onPath.delete(node);
        done.add(node);
        return;
      }
    }
  };

  await visit(input, []);
  result.external = [...external];
  result.unknown = [...unknown];
  return result;
}

/** The directory as it would be with this alias created or its targets replaced. */
export function withAlias(dir: AddressDirectory, alias: DirectoryAlias): AddressDirectory {
  return {
    isHostedDomain: (domain) => dir.isHostedDomain(domain),
    findMailbox: (address) => dir.findMailbox(address),
    findAlias: async (address) => (address === alias.address ? alias : dir.findAlias(address)),
  };
}

/** Remembers every answer: one expansion asks about the same address many times. */
export function cachingDirectory(dir: AddressDirectory): AddressDirectory {
  const domains = new Map<string, Promise<boolean>>();
  const mailboxes = new Map<string, Promise<DirectoryMailbox | null>>();
  const aliases = new Map<string, Promise<DirectoryAlias | null>>();
  const memo = <T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> => {
    let hit = map.get(key);
    if (!hit) map.set(key, (hit = load()));
    return hit;
  };
  return {
    isHostedDomain: (d) => memo(domains, d, () => dir.isHostedDomain(d)),
    findMailbox: (a) => memo(mailboxes, a, () => dir.findMailbox(a)),
    findAlias: (a) => memo(aliases, a, () => dir.findAlias(a)),
  };
}
