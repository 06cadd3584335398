import { formatDateTime } from '../../ui/format';

/** The null sender (`MAIL FROM:<>`) is how bounces and other automatic replies are sent. */
export const senderText = (envelopeFrom: string) => envelopeFrom || '<> (bounce)';

/** A next try in the past means the worker may take it any moment: "due now" says that better than a date. */
export function nextTryText(at: string | null | undefined): string {
  if (!at) return '—';
  return new Date(at).getTime() <= Date.now() ? 'due now' : formatDateTime(at);
}

export const HELD_BECAUSE: Record<string, string> = {
  staff: 'the ISP held it: not sent until the ISP releases it (a customer-bound key cannot)',
  customer: "the customer held it with its own key: not sent until it is released",
  relay_suspended: 'its sender lost relay permission (customer or agreement suspended, or relaying blocked); sent by itself once it may send again',
};
