import { createContext, useContext, useSyncExternalStore } from 'react';
import { hasAnyScope } from '../../../../libs/core/src/auth/scopes';
import type { Schemas } from '../api/client';
import { session } from '../api/session';

/** The signed-in API key (from GET /v1/stats): its name, scopes and customer binding. */
export type CallerInfo = Schemas['CallerDto'];

export const CallerContext = createContext<CallerInfo | null>(null);

export function useCaller(): CallerInfo {
  const caller = useContext(CallerContext);
  if (!caller) throw new Error('useCaller outside the signed-in console');
  return caller;
}

/** Same rule as the API (libs/core/src/auth/scopes.ts): admin may all, x:write includes x:read, billing implies its set. */
export function useMay(...scopes: string[]): boolean {
  const caller = useCaller();
  return hasAnyScope(caller.scopes, scopes);
}

export function useApiKey(): string | null {
  return useSyncExternalStore(session.subscribe, session.apiKey);
}
