import { createServer as createPlainServer, Server, Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, SecureContext, TLSSocket } from 'node:tls';
import type { ImapBackend } from './imap-backend';
import { capabilities } from './commands/capability';
import { ImapSession, ImapSessionOptions } from './imap-session';
import { listen } from '../net/sockets';

export interface ImapListenOptions extends Omit<ImapSessionOptions, 'secureContext'> {
  host: string;
  /** 143-style port with STARTTLS; null: off */
  port: number | null;
  /** 993-style implicit TLS port; null: off */
  securePort: number | null;
  tls: { key: string | Buffer; cert: string | Buffer } | null;
}

export interface ImapListeners {
  servers: Server[];
  sessions: Set<ImapSession>;
  close(): Promise<void>;
}

/** Defaults a deployment can start from (sizes in octets, times in ms). */
export const IMAP_DEFAULTS = {
  preAuthTimeoutMs: 60_000,
  idleTimeoutMs: 30 * 60_000,
  maxLineLength: 64 * 1024,
  maxLiteralSize: 64 * 1024,
  failureDelayMs: 1_000,
  maxFailures: 3,
  idlePollMs: 30_000,
} as const;

/** IMAP on a plain port (with STARTTLS) and on an implicit-TLS port. */
export async function startImap(opts: ImapListenOptions, backend: ImapBackend): Promise<ImapListeners> {
  const secureContext: SecureContext | null = opts.tls ? createSecureContext({ key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1.2' }) : null;
  const sessionOpts: ImapSessionOptions = { ...opts, secureContext };
  const sessions = new Set<ImapSession>();
  const track = (socket: Socket, secure: boolean) => {
    // An answer is often two writes (untagged data, then the tagged line). With Nagle's algorithm
    // the second waits for the ACK of the first, which the client delays (40 ms on Linux) --
    // per command. Writes are already batched (OutputBatch), so send each at once.
    socket.setNoDelay(true);
    const session = new ImapSession(socket, secure, backend, sessionOpts);
    sessions.add(session);
    void session.done.then(() => sessions.delete(session));
    session.start(`* OK [CAPABILITY ${capabilities(session).join(' ')}] ${opts.hostname} IMAP4rev1 ready`);
  };
  const servers: Server[] = [];
  if (opts.port !== null) {
    const plain = createPlainServer((socket) => track(socket, false));
    await listen(plain, opts.port, opts.host);
    servers.push(plain);
  }
  if (opts.securePort !== null && secureContext) {
    // tls.Server builds its own context from key and cert (a `secureContext` option alone is ignored)
    const secure = createTlsServer({ key: opts.tls!.key, cert: opts.tls!.cert, minVersion: 'TLSv1.2' }, (socket: TLSSocket) => track(socket, true));
    secure.on('tlsClientError', (err) => opts.log({ err: err.message }, 'imaps handshake failed'));
    await listen(secure, opts.securePort, opts.host);
    servers.push(secure);
  }
  return {
    servers,
    sessions,
    close: async () => {
      // stop accepting, say goodbye to every session, and do not wait forever for slow clients
      const stopped = Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      await Promise.all(
        [...sessions].map((s) => {
          s.send('* BYE server shutting down');
          return s.close();
        }),
      );
      const grace = setTimeout(() => [...sessions].forEach((s) => s.socket.destroy()), 1_000);
      await stopped;
      clearTimeout(grace);
    },
  };
}
