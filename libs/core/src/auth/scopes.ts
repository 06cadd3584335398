/**
 * API key scopes. `admin` can do everything; `x:write` includes `x:read`;
 * `billing` is what a billing system needs: provision customers, domains,
 * mailboxes and aliases, and drive agreements (invite, suspend, reinstate, limits).
 */
export const SCOPES = [
  'admin',
  'billing',
  'customers:read',
  'customers:write',
  'domains:read',
  'domains:write',
  'mailboxes:read',
  'mailboxes:write',
  'aliases:read',
  'aliases:write',
  'agreements:read',
  'agreements:write',
  'events:read',
  'webhooks:read',
  'webhooks:write',
  'queue:read',
  'queue:write',
] as const;
export type Scope = (typeof SCOPES)[number];

const BILLING_IMPLIES: readonly Scope[] = [
  'customers:write',
  'domains:write',
  'mailboxes:write',
  'aliases:write',
  'agreements:read',
  'events:read',
];

function expand(granted: readonly string[]): Set<string> {
  const all = new Set<string>(granted);
  if (all.has('billing')) BILLING_IMPLIES.forEach((s) => all.add(s));
  for (const s of [...all]) if (s.endsWith(':write')) all.add(s.replace(/:write$/, ':read'));
  return all;
}

/** True when the granted scopes satisfy any one of the required ones. */
export function hasAnyScope(granted: readonly string[], required: readonly string[]): boolean {
  if (granted.includes('admin')) return true;
  const all = expand(granted);
  return required.some((r) => all.has(r));
}
