import { defineCommand, noArguments, ok } from '../imap-command';

export const logoutCommand = defineCommand({
  states: ['not-authenticated', 'authenticated', 'selected'],
  parse: noArguments,
  handle: async (s) => {
    s.send(`* BYE ${s.opts.hostname} logging out`);
    s.after = 'logout';
    return ok('LOGOUT completed');
  },
});
