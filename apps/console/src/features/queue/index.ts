import { createElement } from 'react';
import type { Feature } from '../../app/routes';
import { QueueMessagePage } from './QueueMessagePage';
import { QueuePage } from './QueuePage';

export const queue: Feature = {
  nav: { to: '/queue', label: 'Queue', scopes: ['queue:read'] },
  routes: [
    { path: '/queue', render: () => createElement(QueuePage) },
    { path: '/queue/:id', render: ({ id }) => createElement(QueueMessagePage, { id, key: id }) },
  ],
};
