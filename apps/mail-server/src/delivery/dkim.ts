import { domainToASCII } from 'node:url';
import { dkimSign } from 'mailauth/lib/dkim/sign';
import addressparser from 'nodemailer/lib/addressparser';
import { DataSource } from 'typeorm';

interface DomainKey {
  domain: string;
  selector: string;
  privateKey: string;
}

const KEY_TTL_MS = 60_000;

/**
 * DKIM-signs outbound mail with the key of the hosted domain in its From
 * header (the domain DMARC aligns with). Mail whose From is not ours (an alias
 * forwarding someone else's message) goes out as it came: signing it with our
 * key would vouch for a domain we do not host. Keys are cached a minute, so a
 * rotated key is used within a minute.
 */
export class DkimSigner {
  private readonly keys = new Map<string, { key: DomainKey | null; at: number }>();

  constructor(
    private readonly db: DataSource,
    private readonly onError: (domain: string, err: Error) => void = () => undefined,
  ) {}

  /** The DKIM-Signature header lines to put on top of `raw`, or '' when there is nothing to sign with. */
  async signatureFor(raw: Buffer): Promise<{ header: string; domain: string | null }> {
    const domain = fromDomain(raw);
    if (!domain) return { header: '', domain: null };
    const key = await this.keyFor(domain);
    if (!key) return { header: '', domain: null };
    try {
      // mailauth 4 reads the keys from signatureData only (its typings also allow them at the top level)
      const result = await dkimSign(raw, {
        canonicalization: 'relaxed/relaxed',
        algorithm: 'rsa-sha256',
        signatureData: [{ signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey }],
      } as Parameters<typeof dkimSign>[1]);
      if (result.errors?.length || !/^DKIM-Signature:/i.test(result.signatures)) throw new Error(String(result.errors?.[0] ?? 'no signature'));
      return { header: result.signatures, domain: key.domain };
    } catch (err) {
      // a broken key must not stop the mail: it goes unsigned, and the log says why
      this.onError(domain, err as Error);
      return { header: '', domain: null };
    }
  }

  private async keyFor(domain: string): Promise<DomainKey | null> {
    const cached = this.keys.get(domain);
    if (cached && Date.now() - cached.at < KEY_TTL_MS) return cached.key;
    const [row] = await this.db.query(
      `SELECT name, dkim_selector, dkim_private_key FROM domains WHERE name = $1`,
      [domain],
    );
    const key = row ? { domain: row.name as string, selector: row.dkim_selector as string, privateKey: row.dkim_private_key as string } : null;
    this.keys.set(domain, { key, at: Date.now() });
    return key;
  }
}

/** The domain of the (first) From address, lower-case ASCII; null when there is none. */
export function fromDomain(raw: Buffer): string | null {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
  const m = /^From:[ \t]*((?:.*)(?:\r\n[ \t].*)*)/im.exec(head);
  if (!m) return null;
  const parsed = addressparser(m[1].replace(/\r\n[ \t]/g, ' '), { flatten: true });
  const address = parsed.find((a) => a.address)?.address;
  if (!address || !address.includes('@')) return null;
  const ascii = domainToASCII(address.slice(address.lastIndexOf('@') + 1).toLowerCase());
  return ascii || null;
}
