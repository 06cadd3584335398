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
    // a failing backend must not end IDLE early: the client's DONE would then be read as a command
    const update = async (poll: boolean) => {
      if (s.state !== 'selected') return;
      try {
        await s.sendUpdates({ poll, allowExpunge: true });
      } catch (err) {
        s.opts.log({ session: s.id, err: String((err as Error)?.stack ?? err) }, 'imap idle update failed');
      }
    };
    try {
      await update(true);
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
        await update(timedOut);
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
