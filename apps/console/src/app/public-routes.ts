import { signingRoutes } from '../features/signing';
import type { PageRoute } from './routes';

/**
 * Pages without sign-in, in their own plain frame: the customer portal
 * (`/sign/:token`, the agreement signing link). Kept apart from FEATURES so
 * the staff pages stay out of the portal's download.
 */
export const PUBLIC_ROUTES: PageRoute[] = [...signingRoutes];
