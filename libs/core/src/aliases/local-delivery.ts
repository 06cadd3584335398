import type { LocalRecipientState } from '../relay/relay-decision';
import { AddressDirectory, expandAddress, matchAddress } from './resolve';

/**
 * Where mail for one address in a hosted domain goes, as the mail server
 * decides it at RCPT TO: the shared resolver (matchAddress / expandAddress:
 * mailbox, alias, `user+tag` as `user`, catch-all, loop-safe expansion) plus
 * the delivery rules on top of it:
 *
 * - a mailbox addressed directly must be active (else `disabled`) and have
 *   room, a declared SIZE included (else `over_quota`), read fresh: used bytes
 *   change with every delivery and are never taken from a cache;
 * - an alias delivers to its active mailboxes and its external targets;
 *   disabled members are skipped, full members still receive (a list message
 *   is never refused because one member is full); with nothing left it is
 *   `disabled` (some member was) or `unknown`;
 * - a loop or an over-long chain is not a reason to lose mail: whatever was
 *   reached is delivered, and the loop is reported for the log.
 *
 * The state is what decideRelay takes as `localRecipient`.
 */
export type LocalDelivery =
  | { state: 'deliverable'; mailboxIds: string[]; external: string[]; loop: string[] | null }
  | { state: Exclude<LocalRecipientState, 'deliverable'> };

export interface LocalDeliveryOptions {
  /** SIZE= from MAIL FROM: a declared size that cannot fit is refused at RCPT. */
  declaredSize?: number;
  /** Fresh used/quota bytes of a mailbox; defaults to what the directory answered. */
  mailboxUsage?: (mailboxId: string) => Promise<{ usedBytes: number; quotaBytes: number } | null>;
}

export async function planLocalDelivery(dir: AddressDirectory, address: string, opts: LocalDeliveryOptions = {}): Promise<LocalDelivery> {
  const match = await matchAddress(dir, address);
  if (match.kind === 'mailbox') {
    const mailbox = match.mailbox;
    if (mailbox.status !== 'active') return { state: 'disabled' };
    const usage = opts.mailboxUsage ? await opts.mailboxUsage(mailbox.id) : mailbox;
    if (!usage) return { state: 'unknown' };
    const incoming = opts.declaredSize ?? 0;
    if (usage.usedBytes >= usage.quotaBytes || usage.usedBytes + incoming > usage.quotaBytes) return { state: 'over_quota' };
    return { state: 'deliverable', mailboxIds: [mailbox.id], external: [], loop: null };
  }
  if (match.kind !== 'alias' && match.kind !== 'catch_all') return { state: 'unknown' };

  const expansion = await expandAddress(dir, address, { maxRecipients: 200 });
  const active = expansion.mailboxes.filter((m) => m.status === 'active');
  if (active.length === 0 && expansion.external.length === 0) {
    return { state: expansion.mailboxes.length > 0 ? 'disabled' : 'unknown' };
  }
  return { state: 'deliverable', mailboxIds: active.map((m) => m.id), external: expansion.external, loop: expansion.loop };
}
