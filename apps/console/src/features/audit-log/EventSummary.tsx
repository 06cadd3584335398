import type { Schemas } from '../../api/client';
import { Link } from '../../app/router';
import { shortId } from '../names';
import { targetLabel } from './changes';

type EventDto = Schemas['EventDto'];

/** Where a target type has a page in the console; later features add theirs here. */
export const TARGET_PAGES: Partial<Record<string, (id: string) => string>> = {
  customer: (id) => `/customers/${id}`,
  domain: (id) => `/domains/${id}`,
  mailbox: (id) => `/mailboxes/${id}`,
  agreement: (id) => `/agreements/${id}`,
  agreement_version: (id) => `/agreement-versions/${id}`,
  queue_message: (id) => `/queue/${id}`,
};

export function targetHref(event: Pick<EventDto, 'targetType' | 'targetId'>): string | null {
  const page = TARGET_PAGES[event.targetType];
  return page && event.targetId ? page(event.targetId) : null;
}

/** "customer.suspended · Bakkerij de Vries", the target linked when it has a page. */
export function EventSummary({ event }: { event: EventDto }) {
  const label = targetLabel(event.before, event.after) ?? (event.targetId ? shortId(event.targetId) : event.targetType);
  const href = targetHref(event);
  return (
    <span className="event-summary">
      <code>{event.action}</code> · {href ? <Link to={href}>{label}</Link> : label}
    </span>
  );
}
