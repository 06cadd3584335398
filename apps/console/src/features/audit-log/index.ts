import { createElement } from 'react';
import type { Feature } from '../../app/routes';
import { AuditLogPage } from './AuditLogPage';

export const auditLog: Feature = {
  nav: { to: '/audit-log', label: 'Audit log', scopes: ['events:read'] },
  routes: [{ path: '/audit-log', render: () => createElement(AuditLogPage) }],
};
