import { ImapSyntaxError } from './imap-errors';
import { mailboxFromClient } from './imap-mailbox-names';
import { parseSequenceSet, SequenceRange } from './imap-sequence';
import { astring, atom, Token } from './imap-tokenizer';

/** Argument readers shared by the command parsers; each throws ImapSyntaxError (BAD). */

export function expectCount(args: Token[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    throw new ImapSyntaxError(min === max ? `expected ${min} argument(s)` : `expected ${min} to ${max} arguments`);
  }
}

/** A mailbox name argument, decoded (modified UTF-7) and normalised (INBOX). */
export function mailboxArg(t: Token | undefined): string {
  const wire = astring(t);
  if (wire === null) throw new ImapSyntaxError('mailbox name expected');
  const name = mailboxFromClient(wire);
  if (name === null) throw new ImapSyntaxError('invalid mailbox name');
  return name;
}

export function sequenceArg(t: Token | undefined): SequenceRange[] {
  const text = atom(t);
  const ranges = text === null ? null : parseSequenceSet(text);
  if (!ranges) throw new ImapSyntaxError('invalid sequence set');
  return ranges;
}

/** A flag list "(\Seen $Label)" or, leniently, flags without parentheses. */
export function flagTokens(tokens: Token[]): string[] {
  const items = tokens.length === 1 && tokens[0].type === 'list' ? tokens[0].items : tokens;
  return items.map((t) => {
    if (t.type !== 'atom') throw new ImapSyntaxError('flags must be atoms');
    return t.value;
  });
}
