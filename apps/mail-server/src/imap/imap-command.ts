import { ImapSyntaxError } from './imap-errors';
import type { ImapSession, ImapState } from './imap-session';
import type { Token } from './imap-tokenizer';

/** The tagged answer that ends a command. */
export interface CommandResult {
  status: 'OK' | 'NO' | 'BAD';
  /** Response code without brackets, e.g. "APPENDUID 3 7", or null. */
  code?: string | null;
  text: string;
}

export interface CommandContext {
  tag: string;
  /** The verb as sent ("FETCH", "UID FETCH"). */
  command: string;
  /** True for the UID variants (UID FETCH, UID STORE, ...). */
  uid: boolean;
}

/**
 * One IMAP command, declaratively (WildDuck's shape): where it is allowed,
 * how its arguments are read, and what it does. parse() throws
 * ImapSyntaxError for BAD; handle() throws ImapRefusal / ImapBackendError for
 * NO, sends its untagged responses through the session and returns the
 * tagged result. The session sends pending updates in between.
 */
export interface ImapCommand<T = unknown> {
  states: readonly ImapState[];
  /**
   * Whether pending EXPUNGE responses may go out before this command's tagged
   * answer. False for FETCH, STORE and SEARCH (RFC 3501 7.4.1): the client
   * may be holding sequence numbers that an EXPUNGE would shift.
   */
  allowExpungeUpdates?: boolean;
  parse(args: Token[], ctx: CommandContext, session: ImapSession): T;
  handle(session: ImapSession, input: T, ctx: CommandContext): Promise<CommandResult>;
}

/** Keeps the argument type of parse() and handle() in step while storing commands in one table. */
export function defineCommand<T>(command: ImapCommand<T>): ImapCommand<unknown> {
  return command as ImapCommand<unknown>;
}

export const ok = (text: string, code: string | null = null): CommandResult => ({ status: 'OK', code, text });
export const no = (text: string, code: string | null = null): CommandResult => ({ status: 'NO', code, text });

/** For commands that take no arguments. */
export function noArguments(args: Token[]): void {
  if (args.length) throw new ImapSyntaxError('this command takes no arguments');
}
