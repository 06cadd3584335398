import { defineCommand, noArguments, ok } from '../imap-command';

/** CLOSE (RFC 3501 6.4.2): expunges silently (not in a read-only folder) and leaves the selected state. */
export const closeCommand = defineCommand({
  states: ['selected'],
  parse: noArguments,
  handle: async (s) => {
    const view = s.selected!;
    s.select(null);
    if (!view.readOnly) await s.account!.expunge(view.folderId, { maxUid: view.maxUid });
    return ok('CLOSE completed');
  },
});

/** UNSELECT (RFC 3691): leaves the selected state without expunging. */
export const unselectCommand = defineCommand({
  states: ['selected'],
  parse: noArguments,
  handle: async (s) => {
    s.select(null);
    return ok('UNSELECT completed');
  },
});
