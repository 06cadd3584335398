import { DataSource } from 'typeorm';
import { LoginGuard, mailboxLogin } from '../../../../../libs/core/src/mail-accounts/mailbox-login';
import { ensureDefaultFolders } from '../../../../../libs/core/src/mail-store/folders';
import type { ImapAuthResult, ImapBackend } from '../imap-backend';
import type { MailSignals } from '../mail-signals';
import { FolderStateCache } from './folder-state-cache';
import { PgImapAccount } from './pg-imap-account';

export interface PgImapBackendOptions {
  maxMessageBytes: number;
  log: (event: Record<string, unknown>, msg: string) => void;
}

/**
 * IMAP on the PostgreSQL mail store. Logins go through the same checks as
 * SMTP AUTH: the shared lockout (auth_failures, counted across processes and
 * protocols) first, then the password, then the account's state, told only
 * to someone who knew the password. The default folders are made on first
 * login as they are on first delivery.
 */
export class PgImapBackend implements ImapBackend {
  /** One per process, shared by all sessions: what SELECT read last of each folder. */
  private readonly folderStates = new FolderStateCache();

  constructor(
    private readonly db: DataSource,
    private readonly guard: LoginGuard,
    private readonly signals: MailSignals,
    private readonly opts: PgImapBackendOptions,
  ) {}

  async authenticate(user: string, password: string, remoteAddress: string): Promise<ImapAuthResult> {
    try {
      const result = await mailboxLogin(this.db, this.guard, user, password, remoteAddress);
      if (!result.ok) return { ok: false, temporary: result.temporary, message: result.message, pausedMs: result.delayMs };
      await ensureDefaultFolders(this.db.manager, result.mailbox.id);
      return {
        ok: true,
        account: new PgImapAccount(this.db, this.signals, result.mailbox.id, result.mailbox.address, { maxMessageBytes: this.opts.maxMessageBytes, folderStates: this.folderStates }),
      };
    } catch (err) {
      this.opts.log({ event: 'imap_auth_error', err: (err as Error).message }, 'imap login check failed');
      return { ok: false, temporary: true, message: 'temporary failure; try again later' };
    }
  }
}
