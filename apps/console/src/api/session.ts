/**
 * The API key the staff member signed in with. It lives in sessionStorage: it
 * survives a reload but not closing the tab, is never put in a URL, and is sent
 * only as the Authorization header to this origin.
 */
const STORAGE_KEY = 'postbode.apiKey';

type Listener = () => void;
const listeners = new Set<Listener>();
let expiredReason: string | null = null;

function read(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: the user signs in again on every reload
  }
}

let current = read();

export const session = {
  apiKey: (): string | null => current,
  /** Why the last session ended without the user asking (revoked key), for the sign-in page. */
  expiredReason: (): string | null => expiredReason,
  signIn(apiKey: string): void {
    current = apiKey;
    expiredReason = null;
    try {
      sessionStorage.setItem(STORAGE_KEY, apiKey);
    } catch {
      /* kept in memory only */
    }
    listeners.forEach((l) => l());
  },
  signOut(reason: string | null = null): void {
    current = null;
    expiredReason = reason;
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      /* nothing stored */
    }
    listeners.forEach((l) => l());
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
