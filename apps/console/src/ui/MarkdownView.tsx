import { useMemo } from 'react';
import { renderMarkdown } from './markdown';

/** Agreement text as the customer sees it; renderMarkdown escapes raw HTML and unsafe links. */
export function MarkdownView({ source, className }: { source: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return <div className={['prose', className].filter(Boolean).join(' ')} dangerouslySetInnerHTML={{ __html: html }} />;
}
