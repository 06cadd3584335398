import { flagTokens, sequenceArg } from '../imap-args';
import type { FlagOperation } from '../imap-backend';
import { CommandResult, defineCommand, no, ok } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';
import { canonicalFlag, flagList } from '../imap-flags';
import { OutputBatch } from '../imap-output-batch';
import { resolveSequenceNumbers, resolveUidSet } from '../imap-sequence';

const OPERATIONS: Record<string, FlagOperation> = { FLAGS: 'replace', '+FLAGS': 'add', '-FLAGS': 'remove' };

/** STORE / UID STORE (RFC 3501 6.4.6): FLAGS, +FLAGS, -FLAGS, each optionally .SILENT. */
export const storeCommand = defineCommand({
  states: ['selected'],
  allowExpungeUpdates: false,
  parse: (args) => {
    if (args.length < 3) throw new ImapSyntaxError('STORE needs a sequence set, an item and flags');
    const ranges = sequenceArg(args[0]);
    if (args[1].type === 'list') throw new ImapSyntaxError('STORE modifiers (UNCHANGEDSINCE) are not supported');
    const item = args[1].type === 'atom' ? args[1].value.toUpperCase() : '';
    const silent = item.endsWith('.SILENT');
    const op = OPERATIONS[silent ? item.slice(0, -'.SILENT'.length) : item];
    if (!op) throw new ImapSyntaxError('STORE item must be FLAGS, +FLAGS or -FLAGS (optionally .SILENT)');
    const flags: string[] = [];
    for (const f of flagTokens(args.slice(2))) {
      if (f.toLowerCase() === '\\recent') continue; // \Recent belongs to the server (RFC 3501 2.3.2)
      const flag = canonicalFlag(f);
      if (flag === null) throw new ImapSyntaxError(`invalid flag ${f.slice(0, 40)}`);
      if (!flags.includes(flag)) flags.push(flag);
    }
    return { ranges, op, silent, flags };
  },
  handle: async (s, { ranges, op, silent, flags }, ctx): Promise<CommandResult> => {
    const view = s.selected!;
    if (view.readOnly) return no('the folder is open read-only', 'READ-ONLY');
    const indexes = ctx.uid ? resolveUidSet(ranges, view.uids) : resolveSequenceNumbers(ranges, view.count);
    if (!indexes) throw new ImapSyntaxError('sequence number out of range');
    const live = indexes.filter((i) => !view.isExpungePending(view.uids[i]));
    if (live.length) {
      const result = await s.account!.storeFlags(
        view.folderId,
        live.map((i) => view.uids[i]),
        op,
        flags,
      );
      view.applyOwnFlags(result.changed);
    }
    if (!silent) {
      const out = new OutputBatch(s);
      for (const i of live) {
        const m = view.messages[i];
        await out.push(Buffer.from(`* ${i + 1} FETCH (${ctx.uid ? `UID ${m.uid} ` : ''}FLAGS (${flagList(m.flags, m.recent)}))\r\n`));
      }
      await out.flush();
    }
    return live.length < indexes.length ? no('some of the messages were expunged', 'EXPUNGEISSUED') : ok(`${ctx.command} completed`);
  },
});
