import { defineCommand, noArguments, ok } from '../imap-command';
import { ImapRefusal } from '../imap-errors';

/** RFC 3501 6.2.1: the handshake starts after the tagged OK; the session then forgets what it had buffered. */
export const starttlsCommand = defineCommand({
  states: ['not-authenticated'],
  parse: noArguments,
  handle: async (s) => {
    if (!s.canStartTls) throw new ImapRefusal('CANNOT', s.secure ? 'TLS is already active' : 'TLS is not available');
    s.after = 'starttls';
    return ok('Begin TLS negotiation now');
  },
});
