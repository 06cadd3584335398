import type { Server, Socket } from 'node:net';

/** Shared by the POP3 and IMAP listeners: the socket chores both protocol layers need. */

/** Resolves once the server listens; rejects with the bind error (port taken, no such address). */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Waits until the socket's write buffer drains (or it closes), so large responses do not pile up in memory. */
export async function drained(socket: Socket): Promise<void> {
  if (socket.destroyed || !socket.writableNeedDrain) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}
