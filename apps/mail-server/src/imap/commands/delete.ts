import { expectCount, mailboxArg } from '../imap-args';
import { defineCommand, no, ok } from '../imap-command';
import { DELIMITER } from '../imap-mailbox-names';

/**
 * DELETE (RFC 3501 6.3.4). A folder with subfolders is refused: the store has
 * no \Noselect folders to leave behind in its place.
 */
export const deleteCommand = defineCommand({
  states: ['authenticated', 'selected'],
  parse: (args) => {
    expectCount(args, 1);
    return mailboxArg(args[0]);
  },
  handle: async (s, name) => {
    if (name === 'INBOX') return no('INBOX cannot be deleted', 'CANNOT');
    const folders = await s.account!.listFolders();
    if (!folders.some((f) => f.name === name)) return no('no such folder', 'NONEXISTENT');
    if (folders.some((f) => f.name.startsWith(name + DELIMITER))) return no('delete the subfolders first', 'HASCHILDREN');
    if (s.selected?.name === name) s.select(null);
    await s.account!.deleteFolder(name);
    return ok('DELETE completed');
  },
});
