import { sequenceArg } from '../imap-args';
import { CommandResult, defineCommand, no, ok } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';
import { fetchNeeds, FetchItem, parseFetchItems } from '../imap-fetch-items';
import { fetchResponse } from '../imap-fetch-response';
import { hasFlag } from '../imap-flags';
import { OutputBatch } from '../imap-output-batch';
import { resolveSequenceNumbers, resolveUidSet } from '../imap-sequence';
import type { ImapSession } from '../imap-session';

/**
 * FETCH / UID FETCH (RFC 3501 6.4.5). Flags, UIDs, dates and sizes come from
 * the session's view; content is asked of the backend in one streamed call
 * for all messages, and responses go out in batches with backpressure.
 */
export const fetchCommand = defineCommand({
  states: ['selected'],
  allowExpungeUpdates: false,
  parse: (args, ctx) => {
    if (args.length !== 2) throw new ImapSyntaxError(args.length > 2 ? 'FETCH modifiers (CHANGEDSINCE) are not supported' : 'FETCH needs a sequence set and data items');
    const ranges = sequenceArg(args[0]);
    const items = parseFetchItems(args[1]);
    if (ctx.uid && !items.some((i) => i.type === 'UID')) items.unshift({ type: 'UID' });
    return { ranges, items };
  },
  handle: async (s, { ranges, items }, ctx): Promise<CommandResult> => {
    const view = s.selected!;
    const indexes = ctx.uid ? resolveUidSet(ranges, view.uids) : resolveSequenceNumbers(ranges, view.count);
    if (!indexes) throw new ImapSyntaxError('sequence number out of range');
    const seenNow = await markSeen(s, indexes, items);
    const needs = fetchNeeds(items);
    const out = new OutputBatch(s);
    if (!needs.raw && !needs.header && !needs.structure && !needs.fetchText) {
      for (const i of indexes) await out.push(fetchResponse(i + 1, view.messages[i], items, null, seenNow.has(view.uids[i])));
      await out.flush();
      return ok(`${ctx.command} completed`);
    }
    let missing = 0;
    let next = 0;
    const uids = indexes.map((i) => view.uids[i]);
    for await (const content of s.account!.fetchMessages(view.folderId, uids, needs)) {
      while (next < indexes.length && view.uids[indexes[next]] < content.uid) {
        missing++;
        next++;
      }
      if (next >= indexes.length || view.uids[indexes[next]] !== content.uid) continue;
      const i = indexes[next++];
      await out.push(fetchResponse(i + 1, view.messages[i], items, content, seenNow.has(content.uid)));
      if (s.isClosed) return ok('connection closed');
    }
    missing += indexes.length - next;
    await out.flush();
    // RFC 2180 4.1.1: the messages are gone for good; what exists was sent
    return missing ? no('some of the messages were expunged', 'EXPUNGEISSUED') : ok(`${ctx.command} completed`);
  },
});

/** BODY[...] without PEEK sets \Seen (not in a read-only folder); returns the UIDs it changed. */
async function markSeen(s: ImapSession, indexes: number[], items: FetchItem[]): Promise<Set<number>> {
  const view = s.selected!;
  if (view.readOnly || !items.some((i) => i.type === 'section' && i.setsSeen)) return new Set();
  const unseen = indexes.map((i) => view.messages[i]).filter((m) => !hasFlag(m.flags, '\\Seen') && !view.isExpungePending(m.uid));
  if (!unseen.length) return new Set();
  const result = await s.account!.storeFlags(
    view.folderId,
    unseen.map((m) => m.uid),
    'add',
    ['\\Seen'],
  );
  view.applyOwnFlags(result.changed);
  return new Set(result.changed.map((m) => m.uid));
}
