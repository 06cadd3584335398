import { createElement } from 'react';
import type { Feature } from '../../app/routes';
import { AgreementPage } from './AgreementPage';
import { AgreementsPage } from './AgreementsPage';

export const agreements: Feature = {
  nav: { to: '/agreements', label: 'Agreements', scopes: ['agreements:read'] },
  routes: [
    { path: '/agreements', render: () => createElement(AgreementsPage) },
    { path: '/agreements/:id', render: ({ id }) => createElement(AgreementPage, { id, key: id }) },
  ],
};
