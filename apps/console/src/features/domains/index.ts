import { createElement } from 'react';
import type { Feature } from '../../app/routes';
import { DomainPage } from './DomainPage';
import { DomainsPage } from './DomainsPage';
import { NewDomainPage } from './NewDomainPage';

export const domains: Feature = {
  nav: { to: '/domains', label: 'Domains', scopes: ['domains:read'] },
  routes: [
    { path: '/domains', render: () => createElement(DomainsPage) },
    { path: '/domains/new', render: () => createElement(NewDomainPage) },
    { path: '/domains/:id', render: ({ id }) => createElement(DomainPage, { id, key: id }) },
  ],
};
