import { CommandResult, defineCommand, ok } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';
import { matchesState } from '../imap-search-match';
import { needsBackend, parseSearch, resolveSearch } from '../imap-search-parse';

/**
 * SEARCH / UID SEARCH (RFC 3501 6.4.4). Keys on flags, UIDs, sizes and
 * INTERNALDATE are answered from the session's view without a backend call;
 * keys on headers, text or sent dates go to the backend (SQL there).
 */
export const searchCommand = defineCommand({
  states: ['selected'],
  allowExpungeUpdates: false,
  parse: (args) => {
    if (args[0]?.type === 'atom' && args[0].value.toUpperCase() === 'RETURN') throw new ImapSyntaxError('ESEARCH is not supported');
    return parseSearch(args);
  },
  handle: async (s, clientKey, ctx): Promise<CommandResult> => {
    const view = s.selected!;
    const key = resolveSearch(clientKey, view);
    let indexes: number[];
    if (!needsBackend(key)) {
      indexes = [];
      view.messages.forEach((m, i) => {
        if (matchesState(key, m)) indexes.push(i);
      });
    } else {
      const uids = await s.account!.search(view.folderId, key, { maxUid: view.maxUid });
      indexes = uids.map((uid) => view.indexOfUid(uid)).filter((i) => i >= 0);
      indexes.sort((a, b) => a - b);
    }
    const numbers = ctx.uid ? indexes.map((i) => view.uids[i]) : indexes.map((i) => i + 1);
    s.write(`* SEARCH${numbers.length ? ' ' + numbers.join(' ') : ''}\r\n`);
    return ok(`${ctx.command} completed`);
  },
});
