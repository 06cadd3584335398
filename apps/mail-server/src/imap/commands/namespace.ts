import { defineCommand, noArguments, ok } from '../imap-command';
import { DELIMITER } from '../imap-mailbox-names';

/** NAMESPACE (RFC 2342): one personal namespace, no shared or other users' folders. */
export const namespaceCommand = defineCommand({
  states: ['authenticated', 'selected'],
  parse: noArguments,
  handle: async (s) => {
    s.send(`* NAMESPACE (("" "${DELIMITER}")) NIL NIL`);
    return ok('NAMESPACE completed');
  },
});
