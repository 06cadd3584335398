import { describe, expect, it } from 'vitest';
import { agreementTextSha256, normaliseAgreementText, renderAgreementHtml } from './agreement-text';

describe('agreement text', () => {
  it('hashes the text with \\n line endings', () => {
    const text = normaliseAgreementText('a\r\nb\rc\n');
    expect(text).toBe('a\nb\nc\n');
    expect(agreementTextSha256(normaliseAgreementText('x\r\ny'))).toBe(agreementTextSha256('x\ny'));
    expect(agreementTextSha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('renders Markdown but never raw HTML or script links', () => {
    const html = renderAgreementHtml('# Terms\n\nNo **spam**. <script>alert(1)</script>\n\n[ok](https://isp.example/terms) [bad](javascript:alert(1)) ![x](javascript:alert(2))');
    expect(html).toContain('<h1>Terms</h1>');
    expect(html).toContain('<strong>spam</strong>');
    expect(html).toContain('<a href="https://isp.example/terms">ok</a>');
    expect(html).not.toContain('<script>');
    expect(html).not.toMatch(/javascript:alert\(1\)"/);
    expect(html).not.toContain('href="javascript');
    expect(html).not.toContain('src="javascript');
  });
});
