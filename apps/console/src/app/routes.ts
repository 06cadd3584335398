import type { ReactNode } from 'react';

/**
 * A feature (customers, API keys, later domains, mailboxes...) contributes its
 * pages and its navigation entry; App only lists the features. Adding a page
 * for a new API is one folder under features/ and one line in app/features.ts.
 */
export interface PageRoute {
  /** `/customers/:id`; the first matching route wins. */
  path: string;
  render: (params: Record<string, string>) => ReactNode;
}

export interface NavEntry {
  to: string;
  label: string;
  /** Shown only when the signed-in key has one of these scopes (admin has all). */
  scopes: readonly string[];
}

export interface Feature {
  /** Pages behind sign-in, inside the staff console's frame. */
  routes: PageRoute[];
  nav?: NavEntry;
}
