import type { ApiError } from '../../api/errors';

/** What a customer reads when the link does not work, in plain words (the API's codes are for machines). */
export function linkProblem(error: ApiError): { title: string; text: string } {
  switch (error.code) {
    case 'signing_link_used':
      return { title: 'This link has already been used', text: 'The agreement was signed with this link. If you need a copy of the receipt or want to sign again, ask your provider for a new link.' };
    case 'signing_link_expired':
      return { title: 'This link has expired', text: 'Signing links work for a limited time. Ask your provider to send you a new one.' };
    case 'signing_link_replaced':
      return { title: 'This link has been replaced by a newer one', text: 'Your provider sent a newer invitation; use the link in the most recent message, or ask for a new one.' };
    case 'signing_link_unknown':
      return { title: 'We do not know this link', text: 'Check that you copied the whole link from the message. If it still does not work, ask your provider for a new one.' };
    default:
      return error.status === 0
        ? { title: 'No connection', text: 'We could not reach the server. Check your connection and reload the page.' }
        : { title: 'Something went wrong', text: `${error.message} Reload the page to try again.` };
  }
}
