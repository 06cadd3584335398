import { CommandResult, defineCommand, noArguments, ok } from '../imap-command';

/**
 * IDLE (RFC 2177): after "+ idling", changes to the selected folder are sent
 * as they happen (the backend's change signal wakes us; a slow poll is the
 * safety net) until the client sends DONE.
 */
export const idleCommand = defineCommand({
  states: ['authenticated', 'selected'],
  parse: noArguments,
  handle: async (s): Promise<CommandResult> => {
    let signalled = false;
    let wake: (() => void) | null = null;
    const poke = () => {
      signalled = true;
      wake?.();
    };
    s.onChangeSignal(poke);
    let line: string | null | undefined;
    const finished = s.readContinuation().then((l) => {
      line = l;
      poke();
    });
    s.send('+ idling');
    try {
      if (s.state === 'selected') await s.sendUpdates({ poll: true, allowExpunge: true });
      while (line === undefined && !s.isClosed) {
        let timedOut = false;
        if (!signalled) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              timedOut = true;
              resolve();
            }, s.opts.idlePollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
        }
        signalled = false;
        if (line !== undefined || s.isClosed) break;
        if (s.state === 'selected') await s.sendUpdates({ poll: timedOut, allowExpunge: true });
      }
    } finally {
      s.onChangeSignal(null);
    }
    await finished;
    if (line === null) return ok('connection closed');
    if (line!.trim().toUpperCase() !== 'DONE') return { status: 'BAD', text: 'expected DONE' };
    return ok('IDLE terminated');
  },
});
