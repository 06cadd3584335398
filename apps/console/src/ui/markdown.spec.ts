import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown';

describe('agreement Markdown', () => {
  it('renders headings, lists, emphasis and safe links', () => {
    const html = renderMarkdown('# No-spam agreement\n\n1. **No** bulk mail\n2. See [our policy](https://isp.example/policy)\n');
    expect(html).toContain('<h1>No-spam agreement</h1>');
    expect(html).toContain('<strong>No</strong>');
    expect(html).toContain('<ol>');
    expect(html).toContain('<a href="https://isp.example/policy" rel="noopener noreferrer" target="_blank">our policy</a>');
  });

  it('never lets the text run script or load images', () => {
    const html = renderMarkdown(
      'Hi <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n<div onclick="x()">block</div>\n\n[click](javascript:alert(3)) ![pixel](https://tracker.example/p.gif)',
    );
    // the only real tags left are paragraphs; the rest is visible text
    expect([...html.matchAll(/<([a-z]+)/gi)].map((m) => m[1])).toEqual(['p', 'p']);
    expect(html).not.toMatch(/javascript:|tracker\.example/i);
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('click');
    expect(html).toContain('pixel');
  });
});
