import { AccountDirectory, AliasRecord } from './account-directory';
import { parseRecipient } from './recipient-address';
import { Refusal, refusal } from './refusal';

/**
 * Where mail for one envelope recipient goes, decided at RCPT time:
 * - local: into these mailboxes (and, for aliases, out to these external addresses);
 * - remote: not a domain we host, so delivering it would be relaying;
 * - refused: with the SMTP reply to give.
 *
 * Lookup order for a hosted domain: mailbox, alias, then the part before `+`
 * (subaddress: `user+tag@` reaches `user@`), then the catch-all `*@domain`.
 *
 * Kept small and isolated: the shared alias resolver (libs/core/src/aliases)
 * replaces the expansion here once it lands on main.
 */
export type RecipientResolution =
  | { kind: 'local'; address: string; via: 'mailbox' | 'alias' | 'subaddress' | 'catch-all'; mailboxIds: string[]; external: string[] }
  | { kind: 'remote'; address: string; domain: string | null }
  | { kind: 'refused'; refusal: Refusal };

/** Alias chains longer than this are a misconfiguration, not a reason to loop. */
const MAX_EXPANDED_ADDRESSES = 200;

export interface ResolveOptions {
  /** SIZE= from MAIL FROM: a declared size that cannot fit is refused at RCPT. */
  declaredSize?: number;
}

export async function resolveRecipient(dir: AccountDirectory, input: string, opts: ResolveOptions = {}): Promise<RecipientResolution> {
  const parsed = parseRecipient(input);
  if (parsed.kind === 'invalid') return { kind: 'refused', refusal: refusal(501, '5.1.3', 'bad_address', 'Bad recipient address syntax') };
  if (parsed.kind === 'address-literal') return { kind: 'remote', address: input, domain: null };

  const domain = await dir.findDomain(parsed.domain);
  if (!domain) return { kind: 'remote', address: parsed.address, domain: parsed.domain };

  const local = parsed.local.toLowerCase();
  const candidates: { address: string; via: 'mailbox' | 'subaddress' }[] = [{ address: parsed.address, via: 'mailbox' }];
  const plus = local.indexOf('+');
  if (plus > 0) candidates.push({ address: `${local.slice(0, plus)}@${parsed.domain}`, via: 'subaddress' });

  for (const c of candidates) {
    const mailbox = await dir.findMailbox(c.address);
    if (mailbox) {
      if (mailbox.status !== 'active') {
        return { kind: 'refused', refusal: refusal(550, '5.2.1', 'mailbox_disabled', `Mailbox ${c.address} is disabled`) };
      }
      const full = await quotaRefusal(dir, mailbox.id, c.address, opts.declaredSize);
      if (full) return { kind: 'refused', refusal: full };
      return { kind: 'local', address: parsed.address, via: c.via, mailboxIds: [mailbox.id], external: [] };
    }
    const alias = await dir.findAlias(c.address);
    if (alias) return expandAlias(dir, alias, parsed.address, c.via === 'mailbox' ? 'alias' : 'subaddress');
  }

  const catchAll = await dir.findAlias(`*@${parsed.domain}`);
  if (catchAll) return expandAlias(dir, catchAll, parsed.address, 'catch-all');
  return { kind: 'refused', refusal: refusal(550, '5.1.1', 'unknown_user', `No such user here: ${parsed.address}`) };
}

/**
 * Follows alias targets (aliases may point at aliases) with a visited set, so
 * a loop ends instead of spinning. Disabled member mailboxes are skipped; full
 * ones still receive (quota is checked for direct recipients only, and a
 * message is never dropped because one member of a list is over quota).
 */
async function expandAlias(
  dir: AccountDirectory,
  alias: AliasRecord,
  address: string,
  via: 'alias' | 'subaddress' | 'catch-all',
): Promise<RecipientResolution> {
  const mailboxIds = new Set<string>();
  const external = new Set<string>();
  const seen = new Set<string>([alias.address]);
  const queue = [...alias.targets];
  let disabledMembers = 0;
  while (queue.length > 0 && seen.size < MAX_EXPANDED_ADDRESSES) {
    const target = queue.shift()!;
    if (seen.has(target)) continue;
    seen.add(target);
    const parsed = parseRecipient(target);
    if (parsed.kind !== 'domain') continue;
    if (!(await dir.findDomain(parsed.domain))) {
      external.add(parsed.address);
      continue;
    }
    const mailbox = await dir.findMailbox(parsed.address);
    if (mailbox) {
      if (mailbox.status === 'active') mailboxIds.add(mailbox.id);
      else disabledMembers++;
      continue;
    }
    const next = await dir.findAlias(parsed.address);
    if (next) queue.push(...next.targets);
    // a local target that is neither mailbox nor alias is a stale alias entry: skipped
  }
  if (mailboxIds.size === 0 && external.size === 0) {
    return disabledMembers > 0
      ? { kind: 'refused', refusal: refusal(550, '5.2.1', 'mailbox_disabled', `Every mailbox behind ${address} is disabled`) }
      : { kind: 'refused', refusal: refusal(550, '5.1.1', 'unknown_user', `No such user here: ${address}`) };
  }
  return { kind: 'local', address, via, mailboxIds: [...mailboxIds], external: [...external] };
}

async function quotaRefusal(dir: AccountDirectory, mailboxId: string, address: string, declaredSize?: number): Promise<Refusal | null> {
  const usage = await dir.mailboxUsage(mailboxId);
  if (!usage) return refusal(550, '5.1.1', 'unknown_user', `No such user here: ${address}`);
  if (usage.usedBytes >= usage.quotaBytes || (declaredSize !== undefined && usage.usedBytes + declaredSize > usage.quotaBytes)) {
    return refusal(552, '5.2.2', 'over_quota', `Mailbox ${address} is full`);
  }
  return null;
}
