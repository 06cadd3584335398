import { defineCommand, ok } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';

/** Capabilities that ENABLE can turn on; none yet change this server's behaviour (CONDSTORE may come with the store). */
const ENABLEABLE = new Set<string>();

/** ENABLE (RFC 5161): answers with the ones it turned on (possibly none). */
export const enableCommand = defineCommand({
  states: ['authenticated'],
  parse: (args) => {
    if (!args.length) throw new ImapSyntaxError('ENABLE needs capability names');
    return args.map((t) => {
      if (t.type !== 'atom') throw new ImapSyntaxError('capability names are atoms');
      return t.value.toUpperCase();
    });
  },
  handle: async (s, names) => {
    const turnedOn = names.filter((n) => ENABLEABLE.has(n) && !s.enabled.has(n));
    for (const n of turnedOn) s.enabled.add(n);
    s.send(`* ENABLED${turnedOn.length ? ' ' + turnedOn.join(' ') : ''}`);
    return ok('ENABLE completed');
  },
});
