import { apiKeys } from '../features/api-keys';
import { auditLog } from '../features/audit-log';
import { customers } from '../features/customers';
import { dashboard } from '../features/dashboard';
import { domains } from '../features/domains';
import { mailboxes } from '../features/mailboxes';
import { aliases } from '../features/aliases';
import { agreementVersions } from '../features/agreement-versions';
import { agreements } from '../features/agreements';
import { queue } from '../features/queue';
import type { Feature } from './routes';

/** The staff console, in navigation order. */
export const FEATURES: Feature[] = [dashboard, customers, domains, mailboxes, aliases, agreements, agreementVersions, queue, apiKeys, auditLog];
