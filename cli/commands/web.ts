import { EngineClient, socketPath } from '../engine-client.js';
import { DEFAULT_WEB, fail } from '../args.js';
import { stopSignals } from '../stop-signals.js';
import type { Subcommand } from '../subcommand.js';

/** The web UI for a daemon that already runs, in the foreground until Ctrl-C. */
export async function webOnly(base: string, listen: string): Promise<number> {
  const ready = stopSignals();
  (await EngineClient.connect(base)).close(); // a clear error now rather than on the first browser request
  // Loaded here: `nanomega --help` imports this file for its summary (cli/main.ts).
  const { serveWeb } = await import('../../web/server.js');
  const web = await serveWeb({ socket: socketPath(base), listen });
  const stopped = new Promise<number>((resolve) => {
    ready(() => {
      web.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    });
  });
  process.stdout.write(`nanomega: web UI on ${web.url}\n`);
  return stopped;
}

export const command: Subcommand = {
  name: 'web',
  options: [],
  usage: 'web [HOST:PORT]',
  summary: `serve the web UI for a daemon that already runs (default ${DEFAULT_WEB})`,
  run(args, rest) {
    if (rest.length > 1) fail(`web: unexpected argument \`${rest[1]}\``);
    return webOnly(args.base, rest[0] ?? args.web ?? DEFAULT_WEB);
  },
};
