import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dkimSelectorFor, generateDkimKeyPair, publicKeyBase64 } from './dkim';
import { dnsRecordsFor, splitTxt } from './dns-records';

describe('DKIM keys and DNS records', () => {
  it('names the selector after the month the key was made', () => {
    expect(dkimSelectorFor(new Date('2026-11-28T12:00:00Z'))).toBe('pb202611');
    expect(dkimSelectorFor(new Date('2027-01-01T00:00:00Z'))).toBe('pb202701');
  });

  it('splits TXT values into strings of at most 255 characters', () => {
    expect(splitTxt('short')).toEqual(['short']);
    const long = 'x'.repeat(600);
    expect(splitTxt(long).map((s) => s.length)).toEqual([255, 255, 90]);
    expect(splitTxt(long).join('')).toBe(long);
  });

  it('publishes the DER of the generated public key under <selector>._domainkey', async () => {
    const keys = await generateDkimKeyPair();
    expect(keys.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const records = dnsRecordsFor({ name: 'xn--bcher-kva.example', dkimSelector: 'pb202611', dkimPublicKey: keys.publicKey }, 'mail.isp.example');
    const dkim = records.find((r) => r.purpose === 'dkim')!;
    expect(dkim.name).toBe('pb202611._domainkey.xn--bcher-kva.example');
    expect(dkim.value).toBe(`v=DKIM1; k=rsa; p=${publicKeyBase64(keys.publicKey)}`);
    const der = Buffer.from(publicKeyBase64(keys.publicKey), 'base64');
    expect(createPublicKey({ key: der, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' })).toBe(keys.publicKey);
    expect(records.map((r) => r.zoneFileLine)).toEqual([
      'xn--bcher-kva.example. 3600 IN MX 10 mail.isp.example.',
      'xn--bcher-kva.example. 3600 IN TXT "v=spf1 mx a:mail.isp.example -all"',
      `pb202611._domainkey.xn--bcher-kva.example. 3600 IN TXT ${dkim.strings.map((s) => `"${s}"`).join(' ')}`,
      '_dmarc.xn--bcher-kva.example. 3600 IN TXT "v=DMARC1; p=quarantine; adkim=r; aspf=r"',
    ]);
  });
});
