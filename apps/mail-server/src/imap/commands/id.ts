import { expectCount } from '../imap-args';
import { defineCommand, ok } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';
import { astring, isNil } from '../imap-tokenizer';

/** ID (RFC 2971): logs what the client says it is and answers with our name. */
export const idCommand = defineCommand({
  states: ['not-authenticated', 'authenticated', 'selected'],
  parse: (args) => {
    expectCount(args, 1);
    if (isNil(args[0])) return {};
    const list = args[0];
    if (list.type !== 'list' || list.items.length % 2 !== 0 || list.items.length > 60) throw new ImapSyntaxError('ID needs NIL or a list of field/value pairs');
    const fields: Record<string, string | null> = {};
    for (let i = 0; i < list.items.length; i += 2) {
      const key = astring(list.items[i]);
      if (key === null) throw new ImapSyntaxError('ID field names are strings');
      fields[key.slice(0, 30).toLowerCase()] = isNil(list.items[i + 1]) ? null : (astring(list.items[i + 1])?.slice(0, 1024) ?? null);
    }
    return fields;
  },
  handle: async (s, fields) => {
    if (Object.keys(fields).length) s.opts.log({ session: s.id, client: fields }, 'imap client id');
    s.send('* ID ("name" "Postbode" "vendor" "Postbode")');
    return ok('ID completed');
  },
});
