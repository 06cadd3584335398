import { DomainError } from '../errors';
import { AddressDirectory, catchAllAddress, expandAddress } from './resolve';

/**
 * Refuses a change that would make mail loop between aliases. Called with
 * the directory as it will be after the change, from the alias whose
 * resolution changed: every new cycle passes through it.
 */
export async function assertNoAliasLoop(dir: AddressDirectory, from: string, why = 'The aliases would forward mail in a loop'): Promise<void> {
  const expansion = await expandAddress(dir, from, { maxRecipients: Number.POSITIVE_INFINITY });
  if (expansion.loop) {
    throw new DomainError('unprocessable', 'alias_loop', `${why}: ${expansion.loop.join(' → ')}`, { chain: expansion.loop });
  }
  if (expansion.truncated === 'depth') {
    throw new DomainError('unprocessable', 'alias_chain_too_deep', `${why.replace('in a loop', 'through too many aliases')} (from ${from})`, { from });
  }
}

/**
 * After a mailbox or alias is removed its address falls through to the
 * domain's catch-all, which can close a loop (`*@d → x@d`, x deleted). Checked
 * from the catch-all, the one node every such cycle passes through.
 */
export async function assertCatchAllLoopFree(dir: AddressDirectory, domain: string, removed: string): Promise<void> {
  const catchAll = catchAllAddress(domain);
  if (!(await dir.findAlias(catchAll))) return;
  await assertNoAliasLoop(dir, catchAll, `Removing ${removed} would make mail to it fall to the catch-all ${catchAll} and loop`);
}
