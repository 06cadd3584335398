import { expectCount, mailboxArg } from '../imap-args';
import { defineCommand, ok } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';
import { mailboxToClient } from '../imap-mailbox-names';
import { imapString } from '../../../../../libs/core/src/mime/imap-response';

const ITEMS = ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'SIZE'] as const;
type StatusItem = (typeof ITEMS)[number];

/** STATUS (RFC 3501 6.3.10): counts without selecting. SIZE (RFC 8438) comes free with the store's sizes. */
export const statusCommand = defineCommand({
  states: ['authenticated', 'selected'],
  parse: (args) => {
    expectCount(args, 2);
    const name = mailboxArg(args[0]);
    const list = args[1];
    if (list.type !== 'list' || !list.items.length) throw new ImapSyntaxError('STATUS needs a list of items');
    const items = list.items.map((t) => {
      const item = (t.type === 'atom' ? t.value.toUpperCase() : '') as StatusItem;
      if (!ITEMS.includes(item)) throw new ImapSyntaxError('unknown STATUS item');
      return item;
    });
    return { name, items };
  },
  handle: async (s, { name, items }) => {
    const st = await s.account!.folderStatus(name);
    const value: Record<StatusItem, number> = {
      MESSAGES: st.messages,
      RECENT: st.recent,
      UIDNEXT: st.uidNext,
      UIDVALIDITY: st.uidValidity,
      UNSEEN: st.unseen,
      SIZE: st.size,
    };
    s.send(`* STATUS ${imapString(mailboxToClient(name))} (${items.map((i) => `${i} ${value[i]}`).join(' ')})`);
    return ok('STATUS completed');
  },
});
