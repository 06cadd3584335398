import { DataSource } from 'typeorm';
import { CustomerStatus } from '../entities/customer.entity';
import { MailboxStatus } from '../entities/mailbox.entity';

/**
 * What the mail protocols need to know about accounts, behind one interface
 * so the mail server can put a cache in front of it (dropped on LISTEN/NOTIFY)
 * while tests and the API read the database directly.
 */
export interface HostedDomain {
  id: string;
  name: string;
  customerId: string;
}

export interface MailboxAccount {
  id: string;
  address: string;
  status: MailboxStatus;
  customerId: string;
  domainId: string;
  quotaBytes: number;
  /** argon2id PHC string; never logged. */
  passwordHash: string;
}

export interface AliasRecord {
  id: string;
  address: string;
  targets: string[];
  customerId: string;
}

export interface MailboxUsage {
  usedBytes: number;
  quotaBytes: number;
}

export interface AccountDirectory {
  /** A domain we host, by its normalised (lower-case, IDNA) name. */
  findDomain(name: string): Promise<HostedDomain | null>;
  /** A mailbox by its normalised address (lower(local)@domain). */
  findMailbox(address: string): Promise<MailboxAccount | null>;
  /** An alias by its normalised address, or `*@domain` for the catch-all. */
  findAlias(address: string): Promise<AliasRecord | null>;
  customerStatus(customerId: string): Promise<CustomerStatus | null>;
  /** Addresses of the aliases that deliver straight to this mailbox address (catch-alls excluded). */
  aliasesOf(mailboxAddress: string): Promise<string[]>;
  /** Always read fresh: used bytes change with every delivery. */
  mailboxUsage(mailboxId: string): Promise<MailboxUsage | null>;
}

/** The directory read straight from PostgreSQL: one indexed query per question. */
export class DatabaseAccountDirectory implements AccountDirectory {
  constructor(private readonly db: DataSource) {}

  async findDomain(name: string): Promise<HostedDomain | null> {
    const rows = await this.db.query('SELECT id, name, customer_id FROM domains WHERE name = $1', [name]);
    return rows[0] ? { id: rows[0].id, name: rows[0].name, customerId: rows[0].customer_id } : null;
  }

  async findMailbox(address: string): Promise<MailboxAccount | null> {
    const rows = await this.db.query(
      'SELECT id, address, status, customer_id, domain_id, quota_bytes, password_hash FROM mailboxes WHERE address = $1',
      [address],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      address: r.address,
      status: r.status,
      customerId: r.customer_id,
      domainId: r.domain_id,
      quotaBytes: Number(r.quota_bytes),
      passwordHash: r.password_hash,
    };
  }

  async findAlias(address: string): Promise<AliasRecord | null> {
    const rows = await this.db.query('SELECT id, address, targets, customer_id FROM aliases WHERE address = $1', [address]);
    const r = rows[0];
    return r ? { id: r.id, address: r.address, targets: r.targets, customerId: r.customer_id } : null;
  }

  async customerStatus(customerId: string): Promise<CustomerStatus | null> {
    const rows = await this.db.query('SELECT status FROM customers WHERE id = $1', [customerId]);
    return rows[0]?.status ?? null;
  }

  async aliasesOf(mailboxAddress: string): Promise<string[]> {
    const rows = await this.db.query(`SELECT address FROM aliases WHERE $1 = ANY(targets) AND address NOT LIKE '*@%' ORDER BY address`, [mailboxAddress]);
    return rows.map((r: { address: string }) => r.address);
  }

  async mailboxUsage(mailboxId: string): Promise<MailboxUsage | null> {
    const rows = await this.db.query('SELECT used_bytes, quota_bytes FROM mailboxes WHERE id = $1', [mailboxId]);
    return rows[0] ? { usedBytes: Number(rows[0].used_bytes), quotaBytes: Number(rows[0].quota_bytes) } : null;
  }
}
