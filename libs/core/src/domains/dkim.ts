import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface DkimKeyPair {
  /** PKCS#8 PEM: stays on the server, used to sign outgoing mail. */
  privateKey: string;
  /** SPKI PEM: its DER, base64, is the `p=` of the DNS record. */
  publicKey: string;
}

/** RSA 2048, the size every verifier accepts and that still fits a TXT record in 2 strings. */
export async function generateDkimKeyPair(): Promise<DkimKeyPair> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey, publicKey };
}

/**
 * `pb` + year and month of creation (e.g. `pb202611`): a new key later gets a
 * new selector, so old and new records can be published side by side while
 * the key rotates.
 */
export function dkimSelectorFor(date: Date): string {
  return `pb${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The base64 of the SPKI DER inside a PEM: exactly the PEM body without armour and line breaks. */
export function publicKeyBase64(spkiPem: string): string {
  return spkiPem
    .replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '')
    .replace(/\s+/g, '');
}
