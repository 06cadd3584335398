import { expectCount, mailboxArg } from '../imap-args';
import { defineCommand, no, ok } from '../imap-command';
import { parentsOf } from '../imap-mailbox-names';

/** CREATE (RFC 3501 6.3.3): missing parent levels are made as well. */
export const createCommand = defineCommand({
  states: ['authenticated', 'selected'],
  parse: (args) => {
    expectCount(args, 1);
    return mailboxArg(args[0]);
  },
  handle: async (s, name) => {
    if (name === 'INBOX') return no('INBOX always exists', 'ALREADYEXISTS');
    const existing = new Set((await s.account!.listFolders()).map((f) => f.name));
    if (existing.has(name)) return no('a folder of that name exists', 'ALREADYEXISTS');
    for (const parent of parentsOf(name)) if (!existing.has(parent)) await s.account!.createFolder(parent);
    await s.account!.createFolder(name);
    return ok('CREATE completed');
  },
});
