import { serve } from '../../engine/daemon/main.js';
import { socketPath } from '../engine-client.js';
import { serveWeb } from '../../web/server.js';
import { fail } from '../args.js';
import type { Subcommand } from '../subcommand.js';

export const command: Subcommand = {
  name: 'serve',
  options: ['--minimega-socket', '--no-minimega-socket'],
  usage: 'serve [--freezer v1|v2] [--web HOST:PORT] [--filepath DIR] [--no-minimega-socket]',
  summary:
    'run the engine daemon in the foreground; --web also serves the UI and the contract over a WebSocket\n' +
    "with a token (e.g. --web 127.0.0.1:9001); minimega's own protocol is served on <base>/minimega\n" +
    '(minimega -base <base> -e …) unless --no-minimega-socket; --filepath DIR is where relative vm config\n' +
    "paths (filesystem, preinit, volume host paths) point, as minimega's -filepath (default <base>/files)",
  async run(args, rest) {
    let minimegaSocket = true;
    for (const a of rest) {
      if (a === '--minimega-socket') minimegaSocket = true;
      else if (a === '--no-minimega-socket') minimegaSocket = false;
      else fail(`serve: unknown option \`${a}\` (see nanomega serve --help)`);
    }
    const { close } = await serve({
      base: args.base,
      freezer: args.freezer,
      minimegaSocket,
      filesDir: args.filepath,
      onReady: (sock) => process.stdout.write(`nanomega: serving on ${sock}\n`),
    });
    const web = args.web ? await serveWeb({ socket: socketPath(args.base), listen: args.web }) : undefined;
    if (web) process.stdout.write(`nanomega: web UI on ${web.url}\n`);
    const stop = () => {
      (web?.close() ?? Promise.resolve()).then(close).then(
        () => process.exit(0),
        (e: unknown) => {
          process.stderr.write(`nanomega: stopping: ${e instanceof Error ? e.message : String(e)}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return new Promise<number>(() => undefined);
  },
};
