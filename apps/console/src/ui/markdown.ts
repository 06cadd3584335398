import { Marked, type Tokens } from 'marked';

/**
 * Agreement texts are Markdown written by staff and shown to customers. Raw
 * HTML in the source is shown as text, and links may only go to http(s) or
 * mailto, so a text can never run script in the customer's browser (the
 * Content-Security-Policy is the second fence).
 */
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const SAFE_URL = /^(https?:|mailto:|#)/i;

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    link({ href, title, tokens }: Tokens.Link) {
      const label = this.parser.parseInline(tokens);
      if (!SAFE_URL.test(href.trim())) return label;
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(href)}"${t} rel="noopener noreferrer" target="_blank">${label}</a>`;
    },
    image({ text }: Tokens.Image) {
      // no remote images: they would tell a third party who opened the agreement, and when
      return escapeHtml(text);
    },
  },
});

export function renderMarkdown(source: string): string {
  return marked.parse(source, { async: false }) as string;
}
