import { createElement } from 'react';
import type { Feature } from '../../app/routes';
import { ApiKeysPage } from './ApiKeysPage';

export const apiKeys: Feature = {
  nav: { to: '/api-keys', label: 'API keys', scopes: ['admin'] },
  routes: [{ path: '/api-keys', render: () => createElement(ApiKeysPage) }],
};
