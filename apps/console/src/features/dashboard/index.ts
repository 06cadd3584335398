import { createElement } from 'react';
import type { Feature } from '../../app/routes';
import { DashboardPage } from './DashboardPage';

export const dashboard: Feature = {
  nav: { to: '/', label: 'Dashboard', scopes: [] },
  routes: [{ path: '/', render: () => createElement(DashboardPage) }],
};
