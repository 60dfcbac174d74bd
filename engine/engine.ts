import { fileURLToPath } from 'node:url';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Calls, CallName, Events } from './api/contract.js';
import type { ClusterHost, ContainerConfig, ContainerInfo, HostContainers, NicInfo } from './api/types.js';
import type { ConsoleLink } from './cluster/remote-console.js';
import { detectLayout, prepareEngineParents } from './cgroup/cgroup.js';
import { flush } from './commands/flush.js';
import { netlabHandlers } from './commands/netlab.js';
import { nuke } from './commands/nuke.js';
import { netAdd, netConnect, netDisconnect, refreshAddresses } from './commands/net.js';
import { AttachWave } from './net/attach-wave.js';
import { Captures } from './net/captures.js';
import { TapMirrors } from './net/mirrors.js';
import { TcpdumpCapturePort } from './net/capture-tcpdump.js';
import { Network } from './net/network.js';
import { QosKernel } from './net/qos-tc.js';
import { HostTaps } from './net/taps.js';
import { Trunks } from './net/trunks.js';
import { bridgeHandlers } from './commands/bridge.js';
import { DnsmasqServers } from './dhcp/dnsmasq.js';
import { netHostOf } from './net/net-host.js';
import { kill } from './commands/kill.js';
import { launch } from './commands/launch.js';
import { recover } from './commands/recover.js';
import { start } from './commands/start.js';
import { stop } from './commands/stop.js';
import { clearTag, tag } from './commands/tag.js';
import { ConfigStore } from './config/config-store.js';
import type { FieldEnv } from './config/field.js';
import { defaultConfig } from './config/defaults.js';
import { namespaceHandlers, namespaceInfo, nsArg } from './commands/namespace.js';
import { containersIn, namespaceOf } from './commands/targets.js';
import { DEFAULT_NAMESPACE, namespaceNameProblem } from './namespace/names.js';
import { Namespaces } from './namespace/namespaces.js';
import { FileNamespaceStore } from './namespace/store.js';
import { plumbHandlers } from './commands/plumb.js';
import { FilesDir } from './files/files.js';
import { DaemonDebug } from './debug/daemon-debug.js';
import { resolveHostPath } from './config/paths.js';
import { Plumber } from './plumb/plumber.js';
import { linuxPlumbPort } from './host/plumb-processes.js';
import { checkPreinitForLaunch } from './commands/launch.js';
import { ConsoleRelay, type ConsoleOwner } from './console/console-relay.js';
import { vmExec } from './commands/exec.js';
import { ExecRelay, type ExecOwner } from './exec/exec-relay.js';
import { CcService } from './cc/service.js';
import { Routers } from './router/routers.js';
import { ConsoleScripts } from './console-script/scripts.js';
import { ccActive } from './cc/server.js';
import { baseTag, type Container, type EngineContext, type EngineOptions } from './context.js';
import { configError, EngineError } from './errors.js';
import { logError } from './log.js';
import type { Host } from './host/host.js';
import { LinuxHost } from './host/linux-host.js';
import { LinuxShim } from './shim/linux-shim.js';
import { defaultShimPath } from './shim/shim-process.js';
import { LayoutStore } from './state/layout-store.js';
import { StateStore } from './state/state-store.js';
import { ensureHostFs, type HostFs } from './rootfs/hostfs.js';
import { LogRouter } from './log/log-router.js';
import { vmTop } from './stats/top.js';
import { HostInfoSource } from './stats/host-info.js';
import { StatsSampler } from './stats/sampler.js';
import { StatFileHost } from './stats/stat-file-host.js';
import { StatsWatch } from './stats/watch.js';
import { DAEMON_GROUP, groupId } from './host/groups.js';
import { secureBase } from './state/base-dir.js';
import { isAlive } from './state/lifecycle.js';
import { LayerUnmounts } from './rootfs/layers.js';

/** Default pids.max per container (security-and-reliability.md: pids limit on by default). */
export const DEFAULT_PIDS_MAX = 4096;

export type Handlers = { [K in CallName]: (...args: Calls[K]['args']) => Promise<Calls[K]['result']> };

/** Calls whose meaning depends on the client asking: its console sessions and its stats watch. */
export type ClientCallName =
  | 'stats.watch'
  | 'console.open'
  | 'console.input'
  | 'console.ack'
  | 'console.resize'
  | 'console.close'
  | 'exec.start'
  | 'exec.input'
  | 'exec.end'
  | 'exec.signal'
  | 'exec.resize'
  | 'exec.ack'
  | 'exec.close';

/** One client's view of the engine (a daemon connection, or the in-process host). */
export interface ClientScope {
  handlers: Pick<Handlers, ClientCallName>;
  /** What this client gets of an event: the payload, a part of it, or undefined for nothing. */
  filter<K extends keyof Events>(name: K, payload: Events[K]): Events[K] | undefined;
  /** The client is gone: close its console streams. */
  dispose(): void;
}

/** The engine library: owns the container table; the daemon and an in-process host call it. */
export class Engine {
  readonly events = new EventEmitter();
  /** The daemon-wide `vm config` (minimega keeps one per instance). */
  readonly config: ConfigStore;
  readonly handlers: Handlers;
  readonly consoles: ConsoleRelay;
  readonly execs: ExecRelay;
  readonly cc: CcService;
  /** Each namespace's routers (`router`). */
  readonly routers: Routers;
  readonly scripts: ConsoleScripts;
  /** Named pipes and pipelines (`plumb`, `pipe`). */
  readonly plumber: Plumber;
  readonly stats: StatsSampler;
  private readonly hostInfo: HostInfoSource;
  /** Where the engine's log lines go (`log …`). */
  readonly logs: LogRouter;
  private readonly debug: DaemonDebug;
  /** The options of the program this engine serves in beyond its own (`args`; set by serve). */
  args: Record<string, string> = {};
  /** Stops the daemon this engine serves in (set by serve); `quit` calls it after tearing down. */
  onQuit?: () => void;
  /** The cluster this daemon joined (`serve --cluster`), set once it has registered. */
  cluster?: {
    hosts(): Promise<ClusterHost[]>;
    containers(): Promise<HostContainers[]>;
    /** The link to a peer daemon (remote consoles go through it). */
    link(host: string): ConsoleLink;
  };
  /** engine.log lines of the engine's opening (recovery), before anyone could subscribe. */
  startupLog: Events['engine.log'][] = [];
  /** The scope of in-process callers of `handlers`. */
  private readonly local: ClientScope;

  private constructor(
    readonly ctx: EngineContext,
    /** Stops the shim launcher if one was started (monitors are not affected). */
    private readonly closeLauncher: () => void,
  ) {
    this.events.setMaxListeners(0);
    this.config = ctx.namespaces.ensure(DEFAULT_NAMESPACE).config;
    this.consoles = new ConsoleRelay(ctx);
    this.execs = new ExecRelay(ctx);
    this.plumber = new Plumber(ctx.opts.plumbPort ?? linuxPlumbPort(), (level, message) => ctx.emit('engine.log', { t: Date.now(), level, message }));
    this.cc = new CcService(ctx, (name, payload) => this.events.emit(name, payload), this.plumber);
    this.routers = new Routers(ctx, this.cc);
    this.scripts = new ConsoleScripts(ctx, (id) => this.consoles.sizeOf(id));
    this.events.on('containers.changed', () => this.cc.containersChanged());
    // Real hosts get the cheap re-reading of cgroup files; a FakeHost is read as it is.
    this.stats = new StatsSampler(ctx, ctx.host instanceof LinuxHost ? new StatFileHost(ctx.host) : undefined);
    this.hostInfo = new HostInfoSource(ctx);
    this.logs = new LogRouter(ctx.host);
    this.debug = new DaemonDebug(ctx.host);
    this.events.on('engine.log', (l) => this.logs.write(l));
    this.local = this.openClient();
    this.handlers = {
      'vm.info': async (ns) => {
        const list = containersIn(ctx, nsArg(ns)).sort((a, b) => a.rec.id - b.rec.id);
        await refreshAddresses(ctx, list);
        return list.map((c) => ctx.info(c));
      },
      'vm.launch': (names, config, ns) => {
        const name = nsArg(ns) ?? DEFAULT_NAMESPACE;
        return launch(ctx, names, config ?? ctx.namespaces.ensure(name).config.current, name);
      },
      'vm.start': (target, ns) => start(ctx, target, nsArg(ns)),
      'vm.stop': (target, ns) => stop(ctx, target, nsArg(ns)),
      'vm.kill': (target, ns) => kill(ctx, target, nsArg(ns)),
      'vm.flush': (target, ns) => flush(ctx, target ?? undefined, nsArg(ns)),
      'vm.tag': (target, key, value, ns) => tag(ctx, target, key, value, nsArg(ns)),
      'vm.tag.clear': (target, key, ns) => clearTag(ctx, target, key ?? undefined, nsArg(ns)),
      'vm.net.add': (target, netspecs, ns) => netAdd(ctx, target, netspecs, nsArg(ns)),
      'vm.net.connect': (target, index, vlan, bridge, ns) => netConnect(ctx, target, index, vlan, bridge ?? undefined, nsArg(ns)),
      'vm.net.disconnect': (target, index, ns) => netDisconnect(ctx, target, index, nsArg(ns)),
      'net.vlans': async (ns) => (await ctx.network.backend(), ctx.network.vlans.list(nsArg(ns))),
      'net.vlans.add': async (alias, vlan, ns) => void (await ctx.network.backend(), await ctx.network.editVlans((v) => v.add(alias, vlan, nsArg(ns)))),
      'net.vlans.range': async (min, max, ns) => (
        await ctx.network.backend(),
        ctx.network.editVlans((v) => v.range(min ?? undefined, max ?? undefined, nsArg(ns)))
      ),
      'net.vlans.blacklist': async (vlan) => (await ctx.network.backend(), ctx.network.editVlans((v) => v.blacklist(vlan ?? undefined))),
      'net.vlans.clear': async (prefix, ns) => void (await ctx.network.backend(), await ctx.network.editVlans((v) => v.clear(prefix ?? undefined, nsArg(ns)))),
      'tap.create': (req, ns) => ctx.taps.create(req, nsArg(ns)),
      'tap.delete': (name, ns) => ctx.taps.delete(name, nsArg(ns)),
      'tap.list': (ns) => ctx.taps.list(nsArg(ns)),
      'dnsmasq.start': (listen, low, high, config) => ctx.dnsmasq.start(listen, low, high, config ?? ''),
      'dnsmasq.kill': (id) => ctx.dnsmasq.kill(id),
      'dnsmasq.list': () => ctx.dnsmasq.list(),
      'dnsmasq.configure': (id, kind, args) => ctx.dnsmasq.configure(id, kind, args),
      'engine.nuke': () => nuke(ctx),
      'engine.quit': async (delaySeconds) => {
        const stop = this.onQuit;
        if (!stop) throw new EngineError('E_STATE', 'quit: this engine runs inside another program, not a daemon');
        const quit = () => {
          ctx.emit('engine.log', { t: Date.now(), level: 'warn', message: 'quit: tearing everything down and stopping' });
          nuke(ctx)
            .catch((e: unknown) => logError('quit: tearing down', e))
            .finally(stop);
        };
        // The reply goes out first: setImmediate runs after this turn's socket write.
        if (delaySeconds > 0) setTimeout(quit, delaySeconds * 1000);
        else setImmediate(quit);
        return delaySeconds > 0 ? `quitting after ${delaySeconds} seconds` : '';
      },
      'config.get': async (ns) => structuredClone(ctx.namespaces.get(nsArg(ns) ?? DEFAULT_NAMESPACE)?.config.current ?? defaultConfig()) as ContainerConfig,
      ...namespaceHandlers(ctx, async (name) => {
        await this.cc.handlers['cc.clear'](name);
        await this.routers.deleteNamespace(name);
        this.plumber.deleteNamespace(name);
        await ctx.network.exclusive(() => ctx.mirrors.remove(name));
        await ctx.taps.delete('all', name);
        await ctx.captures.stopNamespace(name, `namespace ${name} was destroyed`);
        await ctx.captures.forgetConfig(name);
      }),
      ...plumbHandlers(this.plumber, new FilesDir(ctx.host, ctx.filesDir)),
      'cli.exec': async () => {
        throw new EngineError('E_PROTOCOL', 'cli.exec is served per connection by the daemon');
      },
      'cli.suggest': async () => {
        throw new EngineError('E_PROTOCOL', 'cli.suggest is served per connection by the daemon');
      },
      'ns.current': async () => {
        throw new EngineError('E_PROTOCOL', 'ns.current is served per connection by the daemon');
      },
      'stats.series': async (id) => {
        if (!ctx.containers.has(id)) throw new EngineError('E_NOT_FOUND', `vm not found: ${id}`, { id });
        return this.stats.series(id);
      },
      'stats.host': async () => this.stats.hostSeries(),
      'host.info': () => this.hostInfo.read(),
      'vm.top': (durationMs, ns) => {
        if (durationMs < 0 || durationMs > 3_600_000)
          throw configError('duration', durationMs / 1000, `vm top: duration ${durationMs / 1000} s is outside 0 to 3600`);
        return vmTop(ctx, durationMs, nsArg(ns));
      },
      'engine.args': async () => ({
        base: ctx.opts.base,
        filepath: ctx.filesDir,
        freezer: ctx.opts.freezer ?? (ctx.layout.unified ? 'v2' : 'v1'),
        ...this.args,
      }),
      // dist/engine/engine.js → the package's package.json (the source tree's, or the installed package's).
      'engine.version': async () =>
        (JSON.parse(await ctx.host.readFile(fileURLToPath(new URL('../../package.json', import.meta.url)))) as { version: string }).version,
      'log.config': (change) => (change ? this.logs.change(change) : Promise.resolve(this.logs.state())),
      'log.ring': async () => this.logs.dumpRing(),
      'debug.info': async () => this.debug.info(),
      'debug.write': async (what, file) => {
        const path = debugFile(file, ctx.filesDir);
        if (what === 'memory') this.debug.memory(path);
        else await this.debug.report(path);
        return path;
      },
      'debug.cpu': async (action, file) => (action === 'stop' ? this.debug.cpuStop() : this.debug.cpuStart(debugFile(file ?? '', ctx.filesDir))),
      ...netlabHandlers(ctx, new LayoutStore(ctx.host, ctx.opts.base)),
      ...bridgeHandlers(ctx),
      'vm.exec': (target, argv, opts, ns) => vmExec(ctx, target, argv, opts ?? undefined, nsArg(ns)),
      ...this.cc.handlers,
      ...this.routers.handlers,
      'cluster.hosts': async () => (this.cluster ? this.cluster.hosts() : []),
      'cluster.containers': async () => (this.cluster ? this.cluster.containers() : []),
      'cluster.console.open': async () => {
        throw new EngineError('E_PROTOCOL', 'cluster.console.open is served per connection by the daemon');
      },
      'mesh.run': async () => {
        throw new EngineError('E_PROTOCOL', 'mesh.run is served per connection by the daemon');
      },
      'console.send': (target, data, ns) => this.scripts.send(target, data, nsArg(ns)),
      'console.expect': (target, regex, timeoutMs, ns) => this.scripts.expect(target, regex, timeoutMs ?? undefined, nsArg(ns)),
      'console.screen': (target, ns) => this.scripts.screen(target, nsArg(ns)),
      'console.record': (target, file, ns) => this.scripts.record(target, file, nsArg(ns)),
      'console.stop': (target, ns) => this.scripts.stop(target, nsArg(ns)),
      'console.play': (target, file, ns) => this.scripts.play(target, file, nsArg(ns)),
      ...this.local.handlers,
    };
  }

  /** State for one client: call its handlers, filter events through it, dispose it when the client goes. */
  openClient(): ClientScope {
    const owner: ConsoleOwner = new Set();
    const execOwner: ExecOwner = new Set();
    const watch = new StatsWatch();
    const consoles = this.consoles;
    const execs = this.execs;
    const scripts = this.scripts;
    return {
      handlers: {
        'stats.watch': async (ids) => watch.set(ids),
        'console.open': (id, cols, rows) => consoles.open(owner, id, cols ?? undefined, rows ?? undefined),
        'console.input': async (session, data) => {
          consoles.input(owner, session, data);
          const id = consoles.containerOf(owner, session);
          if (id !== undefined) scripts.noteInput(id, data);
        },
        'console.ack': async (session, chars) => consoles.ack(owner, session, chars),
        'console.resize': async (session, cols, rows) => consoles.resize(owner, session, cols, rows),
        'console.close': async (session) => consoles.close(owner, session),
        'exec.start': (target, argv, opts, ns) => execs.start(execOwner, target, argv, opts ?? undefined, nsArg(ns)),
        'exec.input': (session, data) => execs.input(execOwner, session, data),
        'exec.end': (session) => execs.end(execOwner, session),
        'exec.signal': async (session, signo) => execs.signal(execOwner, session, signo),
        'exec.resize': async (session, cols, rows) => execs.resize(execOwner, session, cols, rows),
        'exec.ack': async (session, bytes) => execs.ack(execOwner, session, bytes),
        'exec.close': async (session) => execs.close(execOwner, session),
      },
      filter: (name, payload) => {
        if (name === 'console.data' || name === 'console.closed') {
          return owner.has((payload as Events['console.data']).session) ? payload : undefined;
        }
        if (name === 'exec.output' || name === 'exec.exit') {
          return execOwner.has((payload as Events['exec.exit']).session) ? payload : undefined;
        }
        if (name === 'stats.sample') return watch.filter(payload as Events['stats.sample']) as typeof payload | undefined;
        return payload;
      },
      dispose: () => {
        consoles.closeAll(owner);
        execs.closeAll(execOwner);
      },
    };
  }

  static async open(options: EngineOptions, host: Host = new LinuxHost()): Promise<Engine> {
    const base = options.base;
    await secureBase(host, base, await groupId(DAEMON_GROUP, (p) => host.readFile(p)));
    const filesDir = resolve(options.filesDir ?? join(base, 'files'));
    // minimega's files directory (iomeshage makes it too): where relative vm config paths point.
    await host.mkdir(filesDir, { recursive: true, mode: 0o755 });
    const layout = await prepareEngineParents(host, await detectLayout(host));
    const store = new StateStore(host, base);
    const trunks = new Trunks(netHostOf(host), base);
    const network = new Network({ stateDir: base, host: netHostOf(host), uplinks: trunks });
    const taps = new HostTaps(host, network, base);
    const captures = new Captures(options.capturePort ?? new TcpdumpCapturePort(), netHostOf(host), {
      stateDir: base,
      filesDir,
      changed: (list) => engine?.events.emit('captures.changed', list),
    });
    const engineRec = await store.loadEngine((message) => logError('engine.json unreadable', message));
    const configEnv = (ns: string): FieldEnv => ({
      filesDir,
      hostname: hostname(),
      hosts: () => ctx.clusterHosts?.() ?? [hostname()],
      allocateVlans: (vlans) => network.allocateVlans(vlans, ns),
      checkPreinit: (config) => checkPreinitForLaunch(ctx, config),
    });
    let nsChangePending = false;
    // Set once the context exists: changes made while opening are not announced (nobody listens yet).
    let ready: EngineContext | undefined;
    const namespaces = new Namespaces({
      store: new FileNamespaceStore(host, base),
      hostname: hostname(),
      configEnv,
      defaultConfig: new ConfigStore(configEnv(DEFAULT_NAMESPACE)),
      report: (message) => logError('namespaces', message),
      // Coalesced: a command may make and switch namespaces in one go.
      changed: () => {
        if (nsChangePending || !ready) return;
        nsChangePending = true;
        const c = ready;
        setImmediate(() => {
          nsChangePending = false;
          c.emit(
            'namespaces.changed',
            namespaces.list().map((n) => namespaceInfo(c, n)),
          );
        });
      },
    });
    await namespaces.open();
    let engine: Engine | undefined;
    const startupLog: Events['engine.log'][] = [];
    let hostFs: Promise<HostFs> | undefined;
    const ctx: EngineContext = {
      host,
      opts: { pidsMax: DEFAULT_PIDS_MAX, ...options },
      layout,
      store,
      containers: new Map(),
      emit: (name, payload) => {
        if (engine) engine.events.emit(name, payload);
        // What recovery reports happens before anyone can subscribe: kept for the daemon's log.
        else if (name === 'engine.log') startupLog.push(payload as Events['engine.log']);
      },
      nextId: engineRec.nextId,
      cgroupTag: baseTag(base),
      namespaces,
      network,
      taps,
      trunks,
      dnsmasq: new DnsmasqServers(host, taps, base, (message) => ctx.emit('engine.log', { t: Date.now(), level: 'warn', message })),
      captures,
      mirrors: new TapMirrors(netHostOf(host), base),
      qos: new QosKernel(netHostOf(host)),
      attachWave: new AttachWave(network),
      layers: new LayerUnmounts(host, options.shim ? undefined : [defaultShimPath(), '--umount', '--']),
      hostFsRoot: join(base, 'hostfs'),
      filesDir,
      hostFs: () =>
        (hostFs ??= ensureHostFs(host, ctx.hostFsRoot, () => [...ctx.containers.values()].some((c) => isAlive(c.rec.state))).catch((e) => {
          hostFs = undefined;
          throw e;
        })),
      shim: options.shim ?? new LinuxShim({ base }),
      info: (c) => containerInfo(ctx, c),
      save: async (c) => {
        await store.save(c.rec);
        ctx.emit('containers.changed', [ctx.info(c)]);
      },
      saveEngine: () => store.saveEngine({ nextId: ctx.nextId, modules: engineRec.modules }),
    };
    ready = ctx;
    const opened = new Engine(ctx, () => ctx.shim.close());
    opened.startupLog = startupLog;
    await recover(ctx);
    await adoptNamespaces(ctx);
    await opened.ctx.captures.recover().catch((e: unknown) => logError('recovery: captures', e));
    // After recover: the clients are known, so pending deliveries resume on live containers.
    await opened.cc.start();
    await opened.routers.start((message) => opened.startupLog.push({ t: Date.now(), level: 'warn', message }));
    engine = opened;
    opened.stats.start();
    return opened;
  }

  on<K extends keyof Events>(name: K, listener: (payload: Events[K]) => void): () => void {
    this.events.on(name, listener);
    return () => this.events.off(name, listener);
  }

  /** Drop every monitor connection without touching containers (daemon shutdown). */
  close(): void {
    this.closeLauncher();
    // Captures end with the daemon (minimega's do): each file is closed whole.
    void this.ctx.captures.stopAll('the daemon stopped').catch(() => undefined);
    this.stats.stop();
    this.hostInfo.stop();
    this.consoles.closeEverything();
    this.cc.close();
    this.scripts.closeAll();
    this.plumber.close();
    this.debug.close().catch(() => undefined); // best-effort at shutdown
    for (const c of this.ctx.containers.values()) {
      c.control?.close();
      c.control = undefined;
    }
  }
}

/**
 * Every container's namespace exists after recovery (namespaces.json lost or older than the
 * containers): made again, empty. A record naming an impossible namespace is put in the default one.
 */
async function adoptNamespaces(ctx: EngineContext): Promise<void> {
  for (const c of ctx.containers.values()) {
    const ns = namespaceOf(c);
    const why = namespaceNameProblem(ns);
    if (why) {
      logError(`recovery: container ${c.rec.id}`, `namespace refused (${why}); it is now in ${DEFAULT_NAMESPACE}`);
      c.rec.namespace = DEFAULT_NAMESPACE;
    }
    ctx.namespaces.ensure(namespaceOf(c));
  }
  await ctx.namespaces.commit().catch((e: unknown) => logError('recovery: saving namespaces.json', e));
}

/** Where `debug … FILE` writes: an absolute path as given, a relative one in the files directory (minimega's). */
function debugFile(file: string, filesDir: string): string {
  if (file === '') throw configError('file', file, 'debug needs a file to write');
  return resolveHostPath(file, filesDir);
}

/**
 * A live container's NICs as made. A QUIT or ERROR one shows those of its last run, then the ones its
 * configuration asks for beyond them (a launch that failed before making any, or `vm net add` since),
 * as minimega reads these columns from the VM's config.
 */
function shownNics(ctx: EngineContext, c: Container): NicInfo[] {
  const { rec } = c;
  if (isAlive(rec.state) || rec.config.net.length <= rec.nics.length) return rec.nics;
  return [...rec.nics, ...ctx.network.configuredNics(rec.config.net.slice(rec.nics.length), namespaceOf(c))];
}

function containerInfo(ctx: EngineContext, c: Container): ContainerInfo {
  const { rec } = c;
  const dir = ctx.store.dir(rec.id);
  return {
    id: rec.id,
    name: rec.name,
    namespace: namespaceOf(c),
    state: rec.state,
    type: 'container',
    uuid: rec.uuid,
    pid: rec.initPid,
    launchedAt: rec.launchedAt,
    config: rec.config,
    tags: rec.tags,
    console: join(dir, 'console'),
    dir,
    nics: shownNics(ctx, c),
    qos: rec.qos ?? [],
    ccActive: ccActive(c),
  };
}
