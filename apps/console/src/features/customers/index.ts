import { createElement } from 'react';
import type { Feature } from '../../app/routes';
import { CustomerPage } from './CustomerPage';
import { CustomersPage } from './CustomersPage';
import { NewCustomerPage } from './NewCustomerPage';

export const customers: Feature = {
  nav: { to: '/customers', label: 'Customers', scopes: ['customers:read'] },
  routes: [
    { path: '/customers', render: () => createElement(CustomersPage) },
    { path: '/customers/new', render: () => createElement(NewCustomerPage) },
    { path: '/customers/:id', render: ({ id }) => createElement(CustomerPage, { id, key: id }) },
  ],
};
