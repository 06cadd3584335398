import { defineCommand, noArguments, ok } from '../imap-command';
import type { ImapSession } from '../imap-session';

/** What this server supports, as CAPABILITY and the greeting announce it (depends on TLS and login state). */
export function capabilities(s: ImapSession): string[] {
  const caps = ['IMAP4rev1', 'LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE', 'NAMESPACE', 'UNSELECT', 'CHILDREN'];
  if (s.state === 'not-authenticated') {
    if (s.canStartTls) caps.push('STARTTLS');
    if (s.mayLogin) caps.push('AUTH=PLAIN');
    else caps.push('LOGINDISABLED');
  } else {
    caps.push('UIDPLUS', 'MOVE', 'SPECIAL-USE', 'QUOTA', 'QUOTA=RES-STORAGE', 'STATUS=SIZE', `APPENDLIMIT=${s.opts.maxMessageSize}`);
  }
  return caps;
}

export const capabilityCommand = defineCommand({
  states: ['not-authenticated', 'authenticated', 'selected'],
  parse: noArguments,
  handle: async (s) => {
    s.send(`* CAPABILITY ${capabilities(s).join(' ')}`);
    return ok('CAPABILITY completed');
  },
});
