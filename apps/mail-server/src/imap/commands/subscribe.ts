import { expectCount, mailboxArg } from '../imap-args';
import { defineCommand, ImapCommand, ok } from '../imap-command';

function subscription(subscribed: boolean): ImapCommand<unknown> {
  return defineCommand({
    states: ['authenticated', 'selected'],
    parse: (args) => {
      expectCount(args, 1);
      return mailboxArg(args[0]);
    },
    handle: async (s, name) => {
      await s.account!.setSubscribed(name, subscribed);
      return ok(`${subscribed ? 'SUBSCRIBE' : 'UNSUBSCRIBE'} completed`);
    },
  });
}

export const subscribeCommand = subscription(true);
export const unsubscribeCommand = subscription(false);
