import { expectCount, mailboxArg } from '../imap-args';
import { CommandResult, defineCommand, ImapCommand } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';
import { hasFlag, SYSTEM_FLAGS } from '../imap-flags';
import { SelectedFolder } from '../imap-selected-folder';
import type { ImapSession } from '../imap-session';

const PERMANENT_FLAGS = `${SYSTEM_FLAGS.join(' ')} \\*`;

/**
 * SELECT and EXAMINE (RFC 3501 6.3.1-2). A failed SELECT leaves no folder
 * selected, as the RFC requires; the previous one is closed without expunge.
 */
function openCommand(readOnly: boolean): ImapCommand<unknown> {
  return defineCommand({
    states: ['authenticated', 'selected'],
    parse: (args) => {
      expectCount(args, 1, 2);
      if (args[1] !== undefined) throw new ImapSyntaxError('SELECT parameters (CONDSTORE, QRESYNC) are not supported');
      return mailboxArg(args[0]);
    },
    handle: async (s, name): Promise<CommandResult> => {
      s.select(null);
      const snapshot = await s.account!.openFolder(name, { readOnly });
      const view = new SelectedFolder(snapshot, name, readOnly);
      sendSelectResponses(s, view);
      s.select(view);
      return { status: 'OK', code: readOnly ? 'READ-ONLY' : 'READ-WRITE', text: `${readOnly ? 'EXAMINE' : 'SELECT'} completed` };
    },
  });
}

function sendSelectResponses(s: ImapSession, view: SelectedFolder): void {
  const keywords = new Set<string>();
  let firstUnseen = 0;
  view.messages.forEach((m, i) => {
    for (const f of m.flags) if (!f.startsWith('\\')) keywords.add(f);
    if (!firstUnseen && !hasFlag(m.flags, '\\Seen')) firstUnseen = i + 1;
  });
  const flags = [...SYSTEM_FLAGS, ...keywords].join(' ');
  const lines = [
    `* FLAGS (${flags})`,
    view.readOnly ? '* OK [PERMANENTFLAGS ()] read-only folder' : `* OK [PERMANENTFLAGS (${PERMANENT_FLAGS}${keywords.size ? ' ' + [...keywords].join(' ') : ''})] flags permitted`,
    `* ${view.count} EXISTS`,
    `* ${view.recentCount()} RECENT`,
  ];
  if (firstUnseen) lines.push(`* OK [UNSEEN ${firstUnseen}] first unseen message`);
  lines.push(`* OK [UIDVALIDITY ${view.uidValidity}] UIDs valid`, `* OK [UIDNEXT ${view.uidNext}] predicted next UID`);
  s.write(lines.join('\r\n') + '\r\n');
}

export const selectCommand = openCommand(false);
export const examineCommand = openCommand(true);
