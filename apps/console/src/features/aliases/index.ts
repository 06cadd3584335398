import { createElement } from 'react';
import type { Feature } from '../../app/routes';
import { AliasesPage } from './AliasesPage';

export const aliases: Feature = {
  nav: { to: '/aliases', label: 'Aliases', scopes: ['aliases:read'] },
  routes: [{ path: '/aliases', render: () => createElement(AliasesPage) }],
};
