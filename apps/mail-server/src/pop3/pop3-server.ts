import { createServer as createPlainServer, Server, Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, SecureContext, TLSSocket } from 'node:tls';
import { Pop3Backend } from './pop3-backend';
import { Pop3Session, Pop3SessionOptions } from './pop3-session';
import { listen } from '../net/sockets';

export interface Pop3ListenOptions extends Omit<Pop3SessionOptions, 'secureContext'> {
  host: string;
  /** 110-style port with STLS; null: off */
  port: number | null;
  /** 995-style implicit TLS port; null: off */
  securePort: number | null;
  tls: { key: string | Buffer; cert: string | Buffer } | null;
}

export interface Pop3Listeners {
  servers: Server[];
  sessions: Set<Pop3Session>;
  close(): Promise<void>;
}

/** POP3 on a plain port (with STLS) and on an implicit-TLS port. */
export async function startPop3(opts: Pop3ListenOptions, backend: Pop3Backend): Promise<Pop3Listeners> {
  const secureContext: SecureContext | null = opts.tls ? createSecureContext({ key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1.2' }) : null;
  const sessionOpts: Pop3SessionOptions = { ...opts, secureContext };
  const sessions = new Set<Pop3Session>();
  const track = (socket: Socket, secure: boolean) => {
    const session = new Pop3Session(socket, secure, backend, sessionOpts, () => sessions.delete(session));
    sessions.add(session);
    session.start();
  };
  const servers: Server[] = [];
  if (opts.port !== null) {
    const plain = createPlainServer((socket) => track(socket, false));
    await listen(plain, opts.port, opts.host);
    servers.push(plain);
  }
  if (opts.securePort !== null && secureContext) {
    const secure = createTlsServer({ key: opts.tls!.key, cert: opts.tls!.cert, minVersion: 'TLSv1.2' }, (socket: TLSSocket) => track(socket, true));
    secure.on('tlsClientError', (err) => opts.log({ err: err.message }, 'pop3s handshake failed'));
    await listen(secure, opts.securePort, opts.host);
    servers.push(secure);
  }
  return {
    servers,
    sessions,
    close: async () => {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      await Promise.all([...sessions].map((s) => s.close()));
    },
  };
}
