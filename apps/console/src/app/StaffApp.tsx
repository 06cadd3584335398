import { useEffect, useRef } from 'react';
import { hasAnyScope } from '../../../../libs/core/src/auth/scopes';
import { api, call } from '../api/client';
import { session } from '../api/session';
import { LoginPage } from '../features/session/LoginPage';
import { Button } from '../ui/Button';
import { EmptyState, ErrorNotice, Loading, PageHeader, requestTitleFocus } from '../ui/feedback';
import { useLoad } from '../ui/hooks';
import { NoticeProvider } from '../ui/notices';
import { type CallerInfo, CallerContext, useApiKey } from './caller';
import { FEATURES } from './features';
import { findRoute } from './find-route';
import { Link, useLocation } from './router';

/**
 * Everything behind sign-in: its own chunk, so a customer opening a signing
 * link on a phone does not download the staff console.
 */
export default function StaffApp() {
  const apiKey = useApiKey();
  if (!apiKey) return <LoginPage />;
  return <SignedIn apiKey={apiKey} />;
}

/** Learns who the key is (name, scopes, customer binding) once, then shows the console. */
function SignedIn({ apiKey }: { apiKey: string }) {
  const stats = useLoad(() => call(api.GET('/v1/stats')), apiKey);
  if (stats.error) {
    return (
      <main className="login" id="content">
        <div className="login-card">
          <ErrorNotice error={stats.error} onRetry={stats.reload} />
          <Button onClick={() => session.signOut()}>Sign out</Button>
        </div>
      </main>
    );
  }
  if (!stats.data) return <Loading label="Signing in…" />;
  return (
    <CallerContext.Provider value={stats.data.caller}>
      <NoticeProvider>
        <StaffFrame caller={stats.data.caller} />
      </NoticeProvider>
    </CallerContext.Provider>
  );
}

function StaffFrame({ caller }: { caller: CallerInfo }) {
  const { path } = useLocation();
  const nav = FEATURES.flatMap((f) => (f.nav && (f.nav.scopes.length === 0 || hasAnyScope(caller.scopes, f.nav.scopes)) ? [f.nav] : []));
  const page = findRoute(
    FEATURES.flatMap((f) => f.routes),
    path,
  );
  useMoveFocusOnNavigation(path);
  const current = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`));
  return (
    <div className="frame">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Postbode
        </Link>
        <nav aria-label="Main" className="mainnav">
          <ul>
            {nav.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={current(n.to) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span className="muted small" title={caller.scopes.join(', ')}>
            {caller.keyName ?? 'API key'}
          </span>
          <Button className="btn-small" onClick={() => session.signOut()}>
            Sign out
          </Button>
        </div>
      </header>
      <main id="content" className="content">
        {page ?? <NotFound />}
      </main>
    </div>
  );
}

/** After a page change, focus goes to the new page's heading so screen readers announce it. */
function useMoveFocusOnNavigation(path: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    requestTitleFocus();
  }, [path]);
  useEffect(() => {
    const heading = document.querySelector('[data-page-title]')?.textContent;
    document.title = heading ? `${heading} · Postbode` : 'Postbode';
  });
}

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState title="There is no page at this address.">
        <p>
          <Link to="/">Go to the dashboard</Link>
        </p>
      </EmptyState>
    </>
  );
}
