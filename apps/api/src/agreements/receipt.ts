import { Agreement, AgreementVersion, Customer } from '../../../../libs/core/src/entities';

export const RECEIPT_BEGIN = '-----BEGIN AGREEMENT TEXT-----';
export const RECEIPT_END = '-----END AGREEMENT TEXT-----';

/**
 * The receipt of a signature, as a Markdown document a customer can keep:
 * the evidence, the hash, and the terms verbatim between two marker lines,
 * so that anyone can check the hash with `sha256sum` alone.
 */
export function renderReceipt(a: Agreement, v: AgreementVersion, customer: Pick<Customer, 'id' | 'name'>): string {
  const iso = (d: Date | null) => (d ? d.toISOString() : '-');
  const lines = [
    '# Receipt: signed anti-spam service agreement',
    '',
    `This receipt records that ${customer.name} signed the agreement below through Postbode.`,
    '',
    '## Signature',
    '',
    `- Agreement: ${a.id}`,
    `- Customer: ${customer.name} (${customer.id})`,
    `- Signed by: ${a.signerName} <${a.signerEmail}>`,
    `- Signed at: ${iso(a.signedAt)}`,
    `- From IP address: ${a.signerIp ?? 'unknown'}`,
    `- User agent: ${a.signerUserAgent ?? 'unknown'}`,
    `- Terms: ${v.title}, version ${v.number} (${v.id}), published ${iso(v.publishedAt)}`,
    `- SHA-256 of the terms: ${a.textSha256}`,
    `- Status now: ${a.status}${a.statusReason ? ` (${a.statusReason})` : ''}, since ${iso(a.statusChangedAt)}`,
    '',
    '## Sending limits',
    '',
    `- Set by this version: ${v.messagesPerHour} messages per hour, ${v.recipientsPerDay} recipients per day, ${v.recipientsPerMessage} recipients per message`,
    `- In force now: ${a.messagesPerHour} messages per hour, ${a.recipientsPerDay} recipients per day, ${a.recipientsPerMessage} recipients per message`,
    '',
    '## The terms as shown and signed',
    '',
    'The text between the two marker lines is exactly what was shown and signed. Its SHA-256, taken over',
    'the UTF-8 bytes after the line break that ends the first marker line and before the line break that',
    'starts the second, is the hash above.',
    '',
    RECEIPT_BEGIN,
    v.text,
    RECEIPT_END,
    '',
  ];
  return lines.join('\n');
}
