import { expectCount, mailboxArg } from '../imap-args';
import { defineCommand, no, ok } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';
import { mailboxToClient } from '../imap-mailbox-names';
import { imapString } from '../../../../../libs/core/src/mime/imap-response';
import type { ImapSession } from '../imap-session';
import { astring } from '../imap-tokenizer';

/** The one quota root: the whole mailbox, named "" as RFC 9208 allows. */
const ROOT = '""';

async function sendQuota(s: ImapSession): Promise<void> {
  const q = await s.account!.quota();
  // STORAGE is counted in units of 1024 octets (RFC 9208 5.1)
  const usage = q.limitBytes === null ? '' : `STORAGE ${Math.ceil(q.usedBytes / 1024)} ${Math.floor(q.limitBytes / 1024)}`;
  s.send(`* QUOTA ${ROOT} (${usage})`);
}

export const getQuotaCommand = defineCommand({
  states: ['authenticated', 'selected'],
  parse: (args) => {
    expectCount(args, 1);
    const root = astring(args[0]);
    if (root === null) throw new ImapSyntaxError('GETQUOTA needs a quota root');
    return root;
  },
  handle: async (s, root) => {
    if (root !== '') return no('no such quota root', 'NONEXISTENT');
    await sendQuota(s);
    return ok('GETQUOTA completed');
  },
});

export const getQuotaRootCommand = defineCommand({
  states: ['authenticated', 'selected'],
  parse: (args) => {
    expectCount(args, 1);
    return mailboxArg(args[0]);
  },
  handle: async (s, name) => {
    const folders = await s.account!.listFolders();
    if (!folders.some((f) => f.name === name)) return no('no such folder', 'NONEXISTENT');
    s.send(`* QUOTAROOT ${imapString(mailboxToClient(name))} ${ROOT}`);
    await sendQuota(s);
    return ok('GETQUOTAROOT completed');
  },
});

/** Quotas are set by the ISP through the API, not by users. */
export const setQuotaCommand = defineCommand({
  states: ['authenticated', 'selected'],
  parse: () => null,
  handle: async () => no('quotas are set by your provider', 'NOPERM'),
});
