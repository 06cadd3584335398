import { createHash } from 'node:crypto';
import { Marked } from 'marked';

/**
 * The agreement text is Markdown. What a signer agrees to is the text itself
 * (returned verbatim as `text` wherever it is shown); its SHA-256 is taken
 * over the UTF-8 bytes of that text, so anyone can check a receipt with
 * `sha256sum`. Line endings are normalised to \n when the text is written, so
 * the hash does not depend on the editor's platform.
 */
export function normaliseAgreementText(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

export function agreementTextSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const SAFE_URL = /^(https?:|mailto:|#)/i;

/**
 * HTML for showing the terms. Raw HTML in the Markdown is shown as text and
 * only http(s), mailto and in-page links are kept: the page that shows it
 * is the one where a customer signs, so the text must not be able to script it.
 */
const markdown = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    link({ href, tokens }) {
      return SAFE_URL.test(href) ? false : this.parser.parseInline(tokens);
    },
    image: ({ href, text }) => (SAFE_URL.test(href) ? false : escapeHtml(text)),
  },
});

export function renderAgreementHtml(text: string): string {
  return markdown.parse(text, { async: false }) as string;
}
