import { apiKeys } from '../features/api-keys';
import { auditLog } from '../features/audit-log';
import { customers } from '../features/customers';
import { dashboard } from '../features/dashboard';
import type { Feature, PageRoute } from './routes';

/**
 * The staff console, in navigation order. Domains, mailboxes, aliases,
 * agreement versions and agreements join this list as their APIs land.
 */
export const FEATURES: Feature[] = [dashboard, customers, apiKeys, auditLog];

/**
 * Pages without sign-in, in their own plain frame: the customer portal
 * (`/sign/:token`, the agreement signing link) joins here.
 */
export const PUBLIC_ROUTES: PageRoute[] = [];
