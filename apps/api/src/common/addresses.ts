import { EntityManager } from 'typeorm';
import { conflict } from '../../../../libs/core/src/errors';

/**
 * Mailboxes and aliases share one address space: an address is either a
 * mailbox or an alias, never both. Callers hold the domain row's lock, so the
 * check and the insert cannot interleave with another create in that domain.
 */
export async function assertAddressFree(m: EntityManager, address: string, field: string): Promise<void> {
  const [row] = await m.query(
    `SELECT EXISTS (SELECT 1 FROM mailboxes WHERE address = $1) AS mailbox, EXISTS (SELECT 1 FROM aliases WHERE address = $1) AS alias`,
    [address],
  );
  if (row.mailbox || row.alias) throw addressTaken(address, field, row.mailbox ? 'mailbox' : 'alias');
}

export function addressTaken(address: string, field: string, takenBy: 'mailbox' | 'alias') {
  return conflict('address_taken', `${address} is already ${takenBy === 'mailbox' ? 'a mailbox' : 'an alias'}`, { field, address, takenBy });
}

/** Tells mail-server processes to drop what they cached about a mailbox or alias (LISTEN postbode_changes). */
export async function notifyChange(m: EntityManager, change: { kind: 'mailbox' | 'alias'; id: string; address: string }): Promise<void> {
  await m.query(`SELECT pg_notify('postbode_changes', $1)`, [JSON.stringify(change)]);
}
