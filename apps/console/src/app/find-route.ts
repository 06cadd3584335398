import type { ReactNode } from 'react';
import type { PageRoute } from './routes';
import { matchPath } from './router';

/** The first route whose pattern matches the path, rendered; null when none does. */
export function findRoute(routes: PageRoute[], path: string): ReactNode | null {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return route.render(params);
  }
  return null;
}
