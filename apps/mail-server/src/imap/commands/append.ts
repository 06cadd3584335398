import { mailboxArg } from '../imap-args';
import { defineCommand, no, ok } from '../imap-command';
import { parseDateTime } from '../imap-dates';
import { ImapSyntaxError } from '../imap-errors';
import { canonicalFlag } from '../imap-flags';
import { Token } from '../imap-tokenizer';

/** APPEND (RFC 3501 6.3.11) answering APPENDUID (RFC 4315). */
export const appendCommand = defineCommand({
  states: ['authenticated', 'selected'],
  parse: (args, _ctx, s) => {
    if (args.length < 2 || args.length > 4) throw new ImapSyntaxError('APPEND needs a mailbox and a message');
    const target = mailboxArg(args[0]);
    let i = 1;
    let flags: string[] = [];
    let internalDate: Date | undefined;
    if (args[i]?.type === 'list') {
      flags = (args[i] as Extract<Token, { type: 'list' }>).items.map((t) => {
        const flag = t.type === 'atom' ? canonicalFlag(t.value) : null;
        if (flag === null) throw new ImapSyntaxError('invalid flag in APPEND');
        return flag;
      });
      i++;
    }
    const maybeDate = args[i];
    if (i < args.length - 1 && maybeDate?.type === 'string' && !maybeDate.literal) {
      const date = parseDateTime(maybeDate.bytes.toString('latin1'));
      if (!date) throw new ImapSyntaxError('invalid APPEND date-time');
      internalDate = date;
      i++;
    }
    const message = args[i];
    if (i !== args.length - 1 || message?.type !== 'string') throw new ImapSyntaxError('APPEND needs the message as a literal');
    if (message.bytes.length > s.opts.maxMessageSize) throw new ImapSyntaxError('message too large');
    return { target, flags: [...new Set(flags)], internalDate, raw: message.bytes };
  },
  handle: async (s, { target, flags, internalDate, raw }) => {
    if (raw.length === 0) return no('empty message', 'CANNOT');
    const result = await s.account!.appendMessage(target, raw, { flags, internalDate });
    // the selected folder's new EXISTS goes out before the tagged OK
    if (result.folderId === s.selected?.folderId) s.markChanged();
    return ok('APPEND completed', `APPENDUID ${result.uidValidity} ${result.uid}`);
  },
});
