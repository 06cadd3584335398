import type { ImapCommand } from './imap-command';
import { appendCommand } from './commands/append';
import { authenticateCommand } from './commands/authenticate';
import { capabilityCommand } from './commands/capability';
import { closeCommand, unselectCommand } from './commands/close';
import { copyCommandHandler, moveCommand } from './commands/copy';
import { createCommand } from './commands/create';
import { deleteCommand } from './commands/delete';
import { enableCommand } from './commands/enable';
import { expungeCommand } from './commands/expunge';
import { fetchCommand } from './commands/fetch';
import { idCommand } from './commands/id';
import { idleCommand } from './commands/idle';
import { listCommandHandler, lsubCommand } from './commands/list';
import { loginCommand } from './commands/login';
import { logoutCommand } from './commands/logout';
import { namespaceCommand } from './commands/namespace';
import { checkCommand, noopCommand } from './commands/noop';
import { getQuotaCommand, getQuotaRootCommand, setQuotaCommand } from './commands/quota';
import { renameCommand } from './commands/rename';
import { searchCommand } from './commands/search';
import { examineCommand, selectCommand } from './commands/select';
import { starttlsCommand } from './commands/starttls';
import { statusCommand } from './commands/status';
import { storeCommand } from './commands/store';
import { subscribeCommand, unsubscribeCommand } from './commands/subscribe';

/**
 * Every command this server understands, by verb ("UID FETCH" for the UID
 * forms). RFC 3501, plus IDLE (2177), UIDPLUS (4315), MOVE (6851), NAMESPACE
 * (2342), ENABLE (5161), ID (2971), UNSELECT (3691), QUOTA (9208).
 */
export const IMAP_COMMANDS: Record<string, ImapCommand<unknown>> = {
  CAPABILITY: capabilityCommand,
  NOOP: noopCommand,
  LOGOUT: logoutCommand,
  STARTTLS: starttlsCommand,
  LOGIN: loginCommand,
  AUTHENTICATE: authenticateCommand,
  ID: idCommand,
  ENABLE: enableCommand,
  NAMESPACE: namespaceCommand,
  SELECT: selectCommand,
  EXAMINE: examineCommand,
  CREATE: createCommand,
  DELETE: deleteCommand,
  RENAME: renameCommand,
  SUBSCRIBE: subscribeCommand,
  UNSUBSCRIBE: unsubscribeCommand,
  LIST: listCommandHandler,
  LSUB: lsubCommand,
  STATUS: statusCommand,
  APPEND: appendCommand,
  IDLE: idleCommand,
  GETQUOTA: getQuotaCommand,
  GETQUOTAROOT: getQuotaRootCommand,
  SETQUOTA: setQuotaCommand,
  CHECK: checkCommand,
  CLOSE: closeCommand,
  UNSELECT: unselectCommand,
  EXPUNGE: expungeCommand,
  SEARCH: searchCommand,
  FETCH: fetchCommand,
  STORE: storeCommand,
  COPY: copyCommandHandler,
  MOVE: moveCommand,
  'UID EXPUNGE': expungeCommand,
  'UID SEARCH': searchCommand,
  'UID FETCH': fetchCommand,
  'UID STORE': storeCommand,
  'UID COPY': copyCommandHandler,
  'UID MOVE': moveCommand,
};
