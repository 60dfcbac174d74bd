import { socketPath } from '../engine-client.js';
import { fail } from '../args.js';
import { stopSignals } from '../stop-signals.js';
import type { Subcommand } from '../subcommand.js';
import type { ClusterOptions } from '../../engine/cluster/join.js';

const CLUSTER_FLAGS = ['--cluster', '--cluster-certs', '--cluster-listen'];

/** The cluster options, all or none. */
function clusterOptions(cl: Record<string, string>): ClusterOptions | undefined {
  if (Object.keys(cl).length === 0) return undefined;
  for (const need of ['--cluster', '--cluster-certs', '--cluster-listen']) {
    if (!cl[need]) fail(`serve: ${need} is needed with ${Object.keys(cl)[0]} (see nanomega serve --help)`);
  }
  return { endpoints: cl['--cluster']!, certDir: cl['--cluster-certs']!, listen: cl['--cluster-listen']! };
}

export const command: Subcommand = {
  name: 'serve',
  options: ['--minimega-socket', '--no-minimega-socket', '--cluster', '--cluster-certs', '--cluster-listen'],
  usage:
    'serve [--freezer v1|v2] [--web HOST:PORT] [--filepath DIR] [--no-minimega-socket]\n' +
    '      [--cluster https://ETCD:2379,… --cluster-certs DIR --cluster-listen ADDR:PORT]',
  summary:
    'run the engine daemon in the foreground; --web also serves the UI and the contract over a WebSocket\n' +
    "with a token (e.g. --web 127.0.0.1:9001); minimega's own protocol is served on <base>/minimega\n" +
    '(minimega -base <base> -e …) unless --no-minimega-socket; --filepath DIR is where relative vm config\n' +
    "paths (filesystem, preinit, volume host paths) point, as minimega's -filepath (default <base>/files);\n" +
    '--cluster joins a cluster on etcd (mutual TLS with the certificates of nanomega cluster init in\n' +
    "--cluster-certs; the daemon-to-daemon API listens on --cluster-listen, whose address is this host's\n" +
    'end of cross-host VLAN tunnels; the host is known by its hostname)',
  async run(args, rest) {
    let minimegaSocket = true;
    const cl: Record<string, string> = {};
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (a === '--minimega-socket') minimegaSocket = true;
      else if (a === '--no-minimega-socket') minimegaSocket = false;
      else if (CLUSTER_FLAGS.includes(a)) {
        const v = rest[++i];
        if (v === undefined || v.startsWith('--')) fail(`serve: ${a} needs a value`);
        cl[a] = v;
      } else fail(`serve: unknown option \`${a}\` (see nanomega serve --help)`);
    }
    const cluster = clusterOptions(cl);
    // Loaded here, not at the top: `nanomega --help` imports this file for its summary (cli/main.ts).
    const [{ serve }, { serveWeb }] = await Promise.all([import('../../engine/daemon/main.js'), import('../../web/server.js')]);
    const ready = stopSignals();
    let quit = () => undefined as void;
    const { close } = await serve({
      base: args.base,
      freezer: args.freezer,
      minimegaSocket,
      filesDir: args.filepath,
      ...(cluster ? { cluster } : {}),
      onReady: (sock) => process.stdout.write(`nanomega: serving on ${sock}\n`),
      onQuit: () => quit(),
      args: { web: args.web ?? '' },
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
    quit = stop;
    ready(stop);
    return new Promise<number>(() => undefined);
  },
};
