import { type ReactNode, useEffect, useRef } from 'react';
import type { ApiError } from '../api/errors';
import { Button } from './Button';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

/** What went wrong in words, and a way to try again. 403 says which scope is missing. */
export function ErrorNotice({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const title =
    error.status === 403 ? 'Your API key may not do this' : error.status === 404 ? 'Not found' : error.status === 0 ? 'No connection' : 'Something went wrong';
  return (
    <div className="notice notice-error" role="alert">
      <p>
        <strong>{title}.</strong> {error.message}
      </p>
      {error.requestId && <p className="muted small">Request id: {error.requestId}</p>}
      {onRetry && error.status !== 403 && error.status !== 404 && <Button onClick={onRetry}>Try again</Button>}
    </div>
  );
}

const TONES: Record<string, string> = {
  active: 'ok',
  allowed: 'ok',
  suspended: 'warn',
  disabled: 'warn',
  revoked: 'bad',
  refused: 'bad',
  delivered: 'ok',
  deferred: 'warn',
  held: 'warn',
  failed: 'bad',
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span className={`badge badge-${TONES[status] ?? 'neutral'}`}>{label ?? status}</span>;
}

let titleFocusPending = false;

/** Called on navigation: the next page heading to appear takes the focus (it may appear after loading). */
export function requestTitleFocus(): void {
  const heading = document.querySelector<HTMLElement>('[data-page-title]');
  heading?.focus();
  titleFocusPending = !heading;
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (!titleFocusPending) return;
    titleFocusPending = false;
    ref.current?.focus();
  }, []);
  return (
    <header className="page-header">
      <div>
        <h1 ref={ref} tabIndex={-1} data-page-title>
          {title}
        </h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

/** Label/value pairs of one resource. */
export function DetailList({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="details">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
