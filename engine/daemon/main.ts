import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answers } from '../api/node/socket-client.js';
import { minimegaSocketPath, socketPath } from '../api/wire.js';
import type { FreezerMode } from '../cgroup/cgroup.js';
import { Engine } from '../engine.js';
import { EngineError } from '../errors.js';
import { serveMinimegaSocket } from './minimega-socket.js';
import { installRejectionGuard } from './guard.js';
import { closeUnix } from './line-socket.js';
import { serveConnection, serveSocket } from './server.js';
import type { Cluster } from '../cluster/cluster.js';
import { joinCluster, type ClusterOptions } from '../cluster/join.js';
import { joinLanguageToCluster } from './language-host.js';

/** `<base>/daemon.pid`: the serving daemon's pid, removed when it stops cleanly. */
export const PID_FILE = 'daemon.pid';

export interface ServeOptions {
  base: string;
  freezer?: FreezerMode;
  /** Also serve minimega's own protocol on `<base>/minimega` (default true). */
  minimegaSocket?: boolean;
  /** minimega's -filepath (default `<base>/files`). */
  filesDir?: string;
  /** Join a cluster (`--cluster`): etcd endpoints, the certificates, where the peer API listens. */
  cluster?: ClusterOptions;
  /** Called once the socket accepts connections. */
  onReady?: (socket: string) => void;
  /** More of the program's options for `args` (the CLI's --web). */
  args?: Record<string, string>;
  /** Stops the program (as SIGTERM does) once `quit` tore everything down. */
  onQuit?: () => void;
}

/**
 * `nanomega serve`: open the engine (re-adopting containers left by an earlier daemon) and
 * serve the contract. Stopping the daemon never stops containers: their monitors hold them.
 */
export async function serve(opts: ServeOptions): Promise<{ engine: Engine; close: () => Promise<void> }> {
  installRejectionGuard();
  if (process.getuid?.() !== 0) throw new EngineError('E_PERM', 'nanomega serve must run as root (it creates namespaces and cgroups)');
  const path = socketPath(opts.base);
  if (await answers(path)) throw new EngineError('E_EXISTS', `a nanomega daemon already serves ${path}`, { path });
  const engine = await Engine.open({ base: opts.base, freezer: opts.freezer, filesDir: opts.filesDir });
  // The daemon's stderr is its log (<base>/daemon.log when started in the background); `log …` adds
  // a file, a ring, syslog, a level and filters (engine/log/log-router.ts).
  engine.logs.attachStderr((text) => process.stderr.write(text));
  engine.startupLog.forEach((l) => engine.logs.write(l));
  const logLine = (l: { t: number; level: 'info' | 'warn' | 'error'; message: string }) => engine.logs.write(l);
  let cluster: Cluster | undefined;
  if (opts.cluster) {
    const log = (message: string) => engine.events.emit('engine.log', { t: Date.now(), level: 'info', message });
    try {
      cluster = await joinCluster(engine, opts.cluster, (sock) => serveConnection(engine, sock), log);
    } catch (e) {
      engine.close();
      throw e;
    }
    engine.cluster = cluster;
    engine.ctx.clusterHosts = () => cluster!.liveNames();
    engine.ctx.namespaces.setNewHosts(() => cluster!.liveNames());
    joinLanguageToCluster(engine, cluster);
  }
  // Set before either socket serves: a client may connect the moment its socket file appears, and its
  // `args` or `quit` must see them.
  engine.onQuit = opts.onQuit;
  engine.args = {
    'minimega-socket': String(opts.minimegaSocket !== false),
    cluster: opts.cluster?.endpoints ?? '',
    ...opts.args,
  };
  // The main socket comes up last: whoever waits for it (the CLI's `start`, the tests, a service
  // manager) may use the minimega socket and the pid file the moment it appears.
  const mmPath = minimegaSocketPath(opts.base);
  const minimega = opts.minimegaSocket === false ? undefined : await serveMinimegaSocket(engine, mmPath);
  // For stopping a daemon that no service manager tracks (the package's prerm checks its exe first).
  const pidFile = join(opts.base, PID_FILE);
  await writeFile(pidFile, `${process.pid}\n`, { mode: 0o644 });
  const server = await serveSocket(engine, path);
  opts.onReady?.(path);
  const close = async () => {
    await Promise.all([server, minimega].map((s) => s && closeUnix(s)));
    await cluster?.leave().catch((e: unknown) => logLine({ t: Date.now(), level: 'error', message: `leaving the cluster: ${(e as Error).message}` }));
    engine.close();
    await unlink(path).catch(() => undefined);
    if (minimega) await unlink(mmPath).catch(() => undefined);
    await unlink(pidFile).catch(() => undefined);
  };
  return { engine, close };
}
