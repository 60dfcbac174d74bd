import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeLine, LineSplitter, parseClientFrame, socketPath } from '../../engine/api/wire.js';
import { serveWeb, type WebServer } from '../../web/server.js';

export interface StandInWeb {
  /** The web bridge (web/server.ts) on a loopback port, in front of the stand-in. */
  web: WebServer;
  /** Every line the stand-in daemon received. */
  lines: string[];
  /** Close the bridge and the stand-in; remove the temp dir. */
  close(): Promise<void>;
}

/**
 * The web bridge in front of a stand-in daemon socket that answers every call with its method name:
 * no root, no engine, nothing tested but the bridge. `prefix` names the temp dir of the socket.
 */
export async function startStandInWeb(prefix: string): Promise<StandInWeb> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const sock = socketPath(dir);
  const lines: string[] = [];
  const daemon = createServer((c) => {
    const split = new LineSplitter();
    c.setEncoding('utf8');
    c.on('error', () => undefined);
    c.on('data', (d: string) => {
      for (const line of split.push(d)) {
        lines.push(line);
        const f = parseClientFrame(line);
        if (f?.type === 'call') c.write(encodeLine({ type: 'result', id: f.id, ok: true, value: f.method }));
      }
    });
  });
  await new Promise<void>((r) => daemon.listen(sock, r));
  const web = await serveWeb({ socket: sock, listen: '127.0.0.1:0', staticDir: join(dir, 'none') });
  return {
    web,
    lines,
    async close() {
      await web.close();
      daemon.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
