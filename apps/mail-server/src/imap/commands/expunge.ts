import { expectCount, sequenceArg } from '../imap-args';
import { defineCommand, no, ok } from '../imap-command';
import { resolveUidSet, SequenceRange } from '../imap-sequence';

/** EXPUNGE (RFC 3501 6.4.3) and UID EXPUNGE (RFC 4315): only messages flagged \Deleted go. */
export const expungeCommand = defineCommand({
  states: ['selected'],
  parse: (args, ctx): SequenceRange[] | null => {
    if (!ctx.uid) {
      expectCount(args, 0);
      return null;
    }
    expectCount(args, 1);
    return sequenceArg(args[0]);
  },
  handle: async (s, ranges) => {
    const view = s.selected!;
    if (view.readOnly) return no('the folder is open read-only', 'READ-ONLY');
    const uids = ranges ? resolveUidSet(ranges, view.uids).map((i) => view.uids[i]) : undefined;
    if (uids && uids.length === 0) return ok('EXPUNGE completed (nothing matched)');
    const expunged = await s.account!.expunge(view.folderId, { uids, maxUid: view.maxUid });
    const lines = view.expungeNow(expunged);
    if (lines.length) s.write(lines.join('\r\n') + '\r\n');
    return ok('EXPUNGE completed');
  },
});
