import { lazy, Suspense } from 'react';
import { Loading } from '../ui/feedback';
import { PUBLIC_ROUTES } from './public-routes';
import { findRoute } from './find-route';
import { useLocation } from './router';

const StaffApp = lazy(() => import('./StaffApp'));

/** A public page (the signing link) in its own plain frame, or the staff console, loaded only when needed. */
export function App() {
  const { path } = useLocation();
  const publicPage = findRoute(PUBLIC_ROUTES, path);
  if (publicPage) return <div className="public-frame">{publicPage}</div>;
  return (
    <Suspense fallback={<Loading />}>
      <StaffApp />
    </Suspense>
  );
}
