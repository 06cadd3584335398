import { createElement } from 'react';
import type { Feature } from '../../app/routes';
import { VersionPage } from './VersionPage';
import { VersionsPage } from './VersionsPage';

export const agreementVersions: Feature = {
  nav: { to: '/agreement-versions', label: 'Terms', scopes: ['agreements:read'] },
  routes: [
    { path: '/agreement-versions', render: () => createElement(VersionsPage) },
    { path: '/agreement-versions/new', render: () => createElement(VersionPage, { id: null, key: 'new' }) },
    { path: '/agreement-versions/:id', render: ({ id }) => createElement(VersionPage, { id, key: id }) },
  ],
};
