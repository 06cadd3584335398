import { expectCount, mailboxArg, sequenceArg } from '../imap-args';
import { CommandResult, defineCommand, ImapCommand, no, ok } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';
import { compactSet, resolveSequenceNumbers, resolveUidSet } from '../imap-sequence';

/**
 * COPY (RFC 3501 6.4.7) and MOVE (RFC 6851), each with COPYUID (RFC 4315).
 * MOVE sends its COPYUID untagged, then the EXPUNGEs of the moved messages.
 */
function copyCommand(move: boolean): ImapCommand<unknown> {
  return defineCommand({
    states: ['selected'],
    parse: (args) => {
      expectCount(args, 2);
      return { ranges: sequenceArg(args[0]), target: mailboxArg(args[1]) };
    },
    handle: async (s, { ranges, target }, ctx): Promise<CommandResult> => {
      const view = s.selected!;
      const verb = move ? 'MOVE' : 'COPY';
      if (move && view.readOnly) return no('the folder is open read-only', 'READ-ONLY');
      const indexes = ctx.uid ? resolveUidSet(ranges, view.uids) : resolveSequenceNumbers(ranges, view.count);
      if (!indexes) throw new ImapSyntaxError('sequence number out of range');
      const uids = indexes.map((i) => view.uids[i]).filter((uid) => !view.isExpungePending(uid));
      if (uids.length === 0) return ctx.uid || indexes.length === 0 ? ok(`${verb} completed (nothing matched)`) : no('those messages were expunged', 'EXPUNGEISSUED');
      const result = move ? await s.account!.moveMessages(view.folderId, uids, target) : await s.account!.copyMessages(view.folderId, uids, target);
      if (target === view.name) s.markChanged();
      const code = result.mapping.length
        ? `COPYUID ${result.uidValidity} ${compactSet(result.mapping.map(([from]) => from))} ${compactSet(result.mapping.map(([, to]) => to))}`
        : null;
      if (!move) return ok('COPY completed', code);
      if (code) s.send(`* OK [${code}] moved`);
      const lines = view.expungeNow(result.mapping.map(([from]) => from));
      if (lines.length) s.write(lines.join('\r\n') + '\r\n');
      return ok('MOVE completed');
    },
  });
}

export const copyCommandHandler = copyCommand(false);
export const moveCommand = copyCommand(true);
