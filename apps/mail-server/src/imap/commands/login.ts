import { expectCount } from '../imap-args';
import { defineCommand } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';
import { astring } from '../imap-tokenizer';
import { login, PRIVACY_REQUIRED } from './login-flow';

export const loginCommand = defineCommand({
  states: ['not-authenticated'],
  parse: (args) => {
    expectCount(args, 2);
    const user = astring(args[0]);
    const password = astring(args[1]);
    if (user === null || password === null) throw new ImapSyntaxError('LOGIN needs a user name and a password');
    return { user, password };
  },
  handle: async (s, { user, password }) => {
    if (!s.mayLogin) return PRIVACY_REQUIRED;
    return login(s, user, password);
  },
});
