import { createElement } from 'react';
import type { Feature } from '../../app/routes';
import { MailboxesPage } from './MailboxesPage';
import { MailboxPage } from './MailboxPage';
import { NewMailboxPage } from './NewMailboxPage';

export const mailboxes: Feature = {
  nav: { to: '/mailboxes', label: 'Mailboxes', scopes: ['mailboxes:read'] },
  routes: [
    { path: '/mailboxes', render: () => createElement(MailboxesPage) },
    { path: '/mailboxes/new', render: () => createElement(NewMailboxPage) },
    { path: '/mailboxes/:id', render: ({ id }) => createElement(MailboxPage, { id, key: id }) },
  ],
};
