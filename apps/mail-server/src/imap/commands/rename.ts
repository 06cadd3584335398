import { expectCount, mailboxArg } from '../imap-args';
import { defineCommand, no, ok } from '../imap-command';
import { DELIMITER, parentsOf } from '../imap-mailbox-names';

/** RENAME (RFC 3501 6.3.5): subfolders move along; renaming INBOX moves its messages into a new folder. */
export const renameCommand = defineCommand({
  states: ['authenticated', 'selected'],
  parse: (args) => {
    expectCount(args, 2);
    return { from: mailboxArg(args[0]), to: mailboxArg(args[1]) };
  },
  handle: async (s, { from, to }) => {
    if (to === 'INBOX' || to.startsWith('INBOX' + DELIMITER)) return no('cannot rename into INBOX', 'CANNOT');
    if (to === from || to.startsWith(from + DELIMITER)) return no('cannot rename a folder into itself', 'CANNOT');
    const existing = new Set((await s.account!.listFolders()).map((f) => f.name));
    if (!existing.has(from)) return no('no such folder', 'NONEXISTENT');
    if (existing.has(to)) return no('a folder of that name exists', 'ALREADYEXISTS');
    for (const parent of parentsOf(to)) if (!existing.has(parent)) await s.account!.createFolder(parent);
    await s.account!.renameFolder(from, to);
    return ok('RENAME completed');
  },
});
