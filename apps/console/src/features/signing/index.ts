import { createElement } from 'react';
import type { PageRoute } from '../../app/routes';
import { SigningPage } from './SigningPage';

/** The customer portal: the signing link from an invitation, `PUBLIC_URL/sign/<token>`. No sign-in: the token is the credential. */
export const signingRoutes: PageRoute[] = [{ path: '/sign/:token', render: ({ token }) => createElement(SigningPage, { token, key: token }) }];
