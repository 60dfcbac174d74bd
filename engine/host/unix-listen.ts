import type { Server } from 'node:net';

/**
 * `server.listen(path)` with the socket file born 0600. bind(2) creates it under the process umask,
 * and node binds synchronously inside listen(), so a umask of 0177 for that one call leaves no
 * moment in which another user could connect before the caller's chmod/chown opens it to whom it
 * should (a daemon started under umask 000 or 002 would otherwise hand the first comer the API).
 */
export function listenOwnerOnly(server: Server, path: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const old = process.umask(0o177);
    try {
      server.listen(path, () => resolve());
    } finally {
      process.umask(old);
    }
  });
}
