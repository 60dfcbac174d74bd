import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Calls, CallName, Events } from './api/contract.js';
import type { ContainerConfig, ContainerInfo } from './api/types.js';
import { detectLayout, prepareEngineParents } from './cgroup/cgroup.js';
import { flush } from './commands/flush.js';
import { kill } from './commands/kill.js';
import { launch } from './commands/launch.js';
import { recover } from './commands/recover.js';
import { start } from './commands/start.js';
import { stop } from './commands/stop.js';
import { tag } from './commands/tag.js';
import { ConfigStore } from './config/container-config.js';
import { baseTag, type Container, type EngineContext, type EngineOptions } from './context.js';
import { EngineError } from './errors.js';
import type { Host } from './host/host.js';
import { LinuxHost } from './host/linux-host.js';
import { StateStore } from './state/state-store.js';
import { ensureHostFs, type HostFs } from './rootfs/hostfs.js';

/** Default pids.max per container (security-and-reliability.md: pids limit on by default). */
export const DEFAULT_PIDS_MAX = 4096;

export type Handlers = { [K in CallName]: (...args: Calls[K]['args']) => Promise<Calls[K]['result']> };

/** The engine library: owns the container table; the daemon and an in-process host call it. */
export class Engine {
  readonly events = new EventEmitter();
  /** The daemon-wide `vm config` (minimega keeps one per instance). */
  readonly config = new ConfigStore();
  readonly handlers: Handlers;

  private constructor(readonly ctx: EngineContext) {
    this.events.setMaxListeners(0);
    this.handlers = {
      'vm.info': async () => [...ctx.containers.values()].sort((a, b) => a.rec.id - b.rec.id).map((c) => ctx.info(c)),
      'vm.launch': (names, config) => launch(ctx, names, config ?? this.config.current),
      'vm.start': (target) => start(ctx, target),
      'vm.stop': (target) => stop(ctx, target),
      'vm.kill': (target) => kill(ctx, target),
      'vm.flush': (target) => flush(ctx, target),
      'vm.tag': (target, key, value) => tag(ctx, target, key, value),
      'config.get': async () => structuredClone(this.config.current) as ContainerConfig,
      'cli.exec': async () => {
        throw new EngineError('E_PROTOCOL', 'cli.exec is served per connection by the daemon');
      },
      'stats.series': async () => [],
      // Filled in by the console/stats work (issue 3); until then a clear error.
      'stats.host': notYet('stats.host'),
      'stats.watch': notYet('stats.watch'),
      'console.open': notYet('console.open'),
      'console.input': notYet('console.input'),
      'console.ack': notYet('console.ack'),
      'console.resize': notYet('console.resize'),
      'console.close': notYet('console.close'),
    };
  }

  static async open(options: EngineOptions, host: Host = new LinuxHost()): Promise<Engine> {
    const base = options.base;
    await host.mkdir(base, { recursive: true, mode: 0o755 });
    const layout = await detectLayout(host);
    await prepareEngineParents(host, layout);
    const store = new StateStore(host, base);
    const engineRec = await store.loadEngine();
    let engine: Engine | undefined;
    let hostFs: Promise<HostFs> | undefined;
    const ctx: EngineContext = {
      host,
      opts: { pidsMax: DEFAULT_PIDS_MAX, ...options },
      layout,
      store,
      containers: new Map(),
      emit: (name, payload) => engine?.events.emit(name, payload),
      nextId: engineRec.nextId,
      cgroupTag: baseTag(base),
      hostFsRoot: join(base, 'hostfs'),
      hostFs: () => (hostFs ??= ensureHostFs(host, ctx.hostFsRoot).catch((e) => {
        hostFs = undefined;
        throw e;
      })),
      info: (c) => containerInfo(ctx, c),
      save: async (c) => {
        await store.save(c.rec);
        ctx.emit('containers.changed', [ctx.info(c)]);
      },
      saveEngine: () => store.saveEngine({ nextId: ctx.nextId, modules: engineRec.modules }),
    };
    engine = new Engine(ctx);
    await recover(ctx);
    return engine;
  }

  on<K extends keyof Events>(name: K, listener: (payload: Events[K]) => void): () => void {
    this.events.on(name, listener);
    return () => this.events.off(name, listener);
  }

  /** Drop every monitor connection without touching containers (daemon shutdown). */
  close(): void {
    for (const c of this.ctx.containers.values()) {
      c.control?.close();
      c.control = undefined;
    }
  }
}

function notYet(name: string): () => Promise<never> {
  return async () => {
    throw new EngineError('E_NOT_FOUND', `${name} is not available in this build`);
  };
}

function containerInfo(ctx: EngineContext, c: Container): ContainerInfo {
  const { rec } = c;
  const dir = ctx.store.dir(rec.id);
  return {
    id: rec.id,
    name: rec.name,
    state: rec.state,
    type: 'container',
    uuid: rec.uuid,
    pid: rec.initPid,
    launchedAt: rec.launchedAt,
    config: rec.config,
    tags: rec.tags,
    console: join(dir, 'console'),
    dir,
    nics: rec.nics,
  };
}
