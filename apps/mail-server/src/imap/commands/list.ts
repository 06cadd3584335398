import { CommandResult, defineCommand, ImapCommand, ok } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';
import type { FolderInfo } from '../imap-backend';
import { DELIMITER, listMatcher, mailboxToClient, parentsOf } from '../imap-mailbox-names';
import { imapString } from '../../../../../libs/core/src/mime/imap-response';
import type { ImapSession } from '../imap-session';
import { astring, Token } from '../imap-tokenizer';

interface ListInput {
  reference: string;
  patterns: string[];
  /** LIST (SUBSCRIBED) / LSUB: only subscribed folders. */
  subscribedOnly: boolean;
  /** RFC 6154 selection option SPECIAL-USE: only folders with a special use. */
  specialUseOnly: boolean;
  returnSubscribed: boolean;
}

/**
 * LIST (RFC 3501 6.3.8) with SPECIAL-USE attributes (RFC 6154) and CHILDREN
 * attributes (RFC 3348), and LSUB. The RFC 5258 forms "LIST (options) ref
 * pattern RETURN (...)" used by some clients are accepted too.
 */
function listCommand(lsub: boolean): ImapCommand<unknown> {
  return defineCommand({
    states: ['authenticated', 'selected'],
    parse: (args): ListInput => {
      let i = 0;
      const input: ListInput = { reference: '', patterns: [], subscribedOnly: lsub, specialUseOnly: false, returnSubscribed: false };
      if (!lsub && args[0]?.type === 'list') {
        for (const o of args[0].items) {
          const opt = o.type === 'atom' ? o.value.toUpperCase() : '';
          if (opt === 'SUBSCRIBED') input.subscribedOnly = input.returnSubscribed = true;
          else if (opt === 'SPECIAL-USE') input.specialUseOnly = true;
          else if (opt !== 'RECURSIVEMATCH' && opt !== 'REMOTE') throw new ImapSyntaxError(`unknown LIST selection option ${opt}`);
        }
        i = 1;
      }
      const reference = astring(args[i]);
      if (reference === null) throw new ImapSyntaxError('LIST needs a reference and a pattern');
      input.reference = reference;
      const pat = args[i + 1];
      input.patterns = pat?.type === 'list' && !lsub ? pat.items.map(patternText) : [patternText(pat)];
      const rest = args.slice(i + 2);
      if (rest.length && !lsub) {
        if (rest.length !== 2 || rest[0].type !== 'atom' || rest[0].value.toUpperCase() !== 'RETURN' || rest[1].type !== 'list') {
          throw new ImapSyntaxError('unexpected LIST arguments');
        }
        for (const o of rest[1].items) if (o.type === 'atom' && o.value.toUpperCase() === 'SUBSCRIBED') input.returnSubscribed = true;
      } else if (rest.length) {
        throw new ImapSyntaxError('LSUB needs a reference and a pattern');
      }
      return input;
    },
    handle: async (s, input: ListInput): Promise<CommandResult> => {
      const verb = lsub ? 'LSUB' : 'LIST';
      if (input.patterns.length === 1 && input.patterns[0] === '') {
        // RFC 3501: an empty pattern asks for the delimiter and the root
        s.send(`* ${verb} (\\Noselect) "${DELIMITER}" ""`);
        return ok(`${verb} completed`);
      }
      const matchers = input.patterns.map((p) => listMatcher(input.reference, p));
      if (matchers.some((m) => m === null)) throw new ImapSyntaxError('invalid mailbox pattern');
      const matches = (name: string) => matchers.some((m) => m!(name));
      writeListing(s, verb, await s.account!.listFolders(), matches, input);
      return ok(`${verb} completed`);
    },
  });
}

function patternText(t: Token | undefined): string {
  const text = astring(t);
  if (text === null) throw new ImapSyntaxError('LIST needs a reference and a pattern');
  return text;
}

function writeListing(s: ImapSession, verb: string, folders: FolderInfo[], matches: (name: string) => boolean, input: ListInput): void {
  const byName = new Map(folders.map((f) => [f.name, f]));
  const names = new Set(folders.map((f) => f.name));
  // levels that exist only as parents of other folders are listed as \Noselect
  for (const f of folders) for (const p of parentsOf(f.name)) names.add(p);
  const hasChildren = new Set<string>();
  for (const n of names) for (const p of parentsOf(n)) hasChildren.add(p);
  const sorted = [...names].sort((a, b) => (a === 'INBOX' ? -1 : b === 'INBOX' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const lines: string[] = [];
  for (const name of sorted) {
    if (!matches(name)) continue;
    const folder = byName.get(name);
    if (input.subscribedOnly && !folder?.subscribed) continue;
    if (input.specialUseOnly && !folder?.specialUse) continue;
    const attrs: string[] = [];
    if (!folder) attrs.push('\\Noselect');
    attrs.push(hasChildren.has(name) ? '\\HasChildren' : '\\HasNoChildren');
    if (folder?.specialUse) attrs.push(folder.specialUse);
    if (input.returnSubscribed && folder?.subscribed) attrs.push('\\Subscribed');
    lines.push(`* ${verb} (${attrs.join(' ')}) "${DELIMITER}" ${imapString(mailboxToClient(name))}`);
  }
  if (lines.length) s.write(lines.join('\r\n') + '\r\n');
}

export const listCommandHandler = listCommand(false);
export const lsubCommand = listCommand(true);
