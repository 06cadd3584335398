import { defineCommand, noArguments, ok } from '../imap-command';

/** NOOP and CHECK: the moment a client polls; the selected folder's changes are looked up in any case. */
export const noopCommand = defineCommand({
  states: ['not-authenticated', 'authenticated', 'selected'],
  parse: noArguments,
  handle: async (s, _input, ctx) => {
    if (s.state === 'selected') await s.sendUpdates({ poll: true, allowExpunge: true });
    return ok(`${ctx.command} completed`);
  },
});

export const checkCommand = defineCommand({
  states: ['selected'],
  parse: noArguments,
  handle: async (s) => {
    await s.sendUpdates({ poll: true, allowExpunge: true });
    return ok('CHECK completed');
  },
});
