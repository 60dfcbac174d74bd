import { randomUUID } from 'node:crypto';
import type { ContainerConfig, NetSpec, VmResult } from '../api/types.js';
import { ContainerCgroups, type DeviceFilter } from '../cgroup/cgroup.js';
import { launchNames } from '../config/names.js';
import { checkPreinit, resolveConfigPaths, writablePlaces, type WritablePlace } from '../config/paths.js';
import { DEFAULT_INIT } from '../config/defaults.js';
import { validateConfig } from '../config/validate.js';
import { mergeEnv, readImage, type ImageDefaults } from '../rootfs/image.js';
import type { Container, EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import type { ContainerNic } from '../net/network-types.js';
import type { ShimBootstrap, ShimLaunchHandle } from '../shim/shim.js';
import type { ContainerRecord } from '../state/state-store.js';
import { startTicks, watch } from './exit.js';
import { launchTrace } from './launch-trace.js';
import { checkpoint } from '../fault.js';
import { namespaceOf } from './targets.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';
import { DEFAULT_DISK_SIZE } from '../config/sizes.js';
import { layerPath, mountPoints } from '../rootfs/layers.js';
import { statZombie } from '../host/proc-stat.js';

/** The environment init starts with (minimega passes none; a shell needs these). */
export const INIT_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm-256color', 'HOME=/root', 'container=nanomega'];
/** Default console size: a real one, never 0×0. */
export const CONSOLE_COLS = 80;
export const CONSOLE_ROWS = 24;
/** Console scrollback kept by the monitor and replayed to each new client. */
export const SCROLLBACK_BYTES = 256 * 1024;
/** How long a killed half-built container's monitor may take to go away during rollback. */
const ROLLBACK_WAIT_MS = 5_000;

const MB = 1024 * 1024;

/**
 * NANOMEGA_DEVICE_FILTER=ebpf|v1|auto, read once: who enforces the device allowlist. auto (the
 * default) is the v1 devices cgroup when the host has one, else the shim's eBPF filter on the
 * container's cgroup2 directory; ebpf forces the filter even on a hybrid host (tests do).
 */
const DEVICE_FILTER = process.env.NANOMEGA_DEVICE_FILTER || 'auto';

/** A container never runs without a device policy: a host that cannot enforce one fails the launch. */
function deviceFilter(c: Container): DeviceFilter {
  const v1 = c.cgroups.paths.v1.devices !== undefined;
  if (DEVICE_FILTER !== 'auto' && DEVICE_FILTER !== 'ebpf' && DEVICE_FILTER !== 'v1') {
    throw new EngineError('E_CONFIG', `NANOMEGA_DEVICE_FILTER \`${DEVICE_FILTER}\`: want ebpf, v1 or auto`, {
      field: 'NANOMEGA_DEVICE_FILTER',
      value: DEVICE_FILTER,
    });
  }
  const filter = DEVICE_FILTER === 'auto' ? (v1 ? 'v1' : 'ebpf') : DEVICE_FILTER;
  if (filter === 'v1' && !v1) throw new EngineError('E_HOST', 'device filter v1: this host has no v1 devices cgroup hierarchy');
  if (filter === 'ebpf' && !c.cgroups.paths.v2) throw new EngineError('E_HOST', 'device filter ebpf: this host has no cgroup2 mount');
  return filter;
}

/**
 * `vm launch container NAMES` in namespace `ns`: check everything first, then build all containers in
 * parallel. A count names them vm-<n> from the namespace's counter, which only such launches advance.
 */
export async function launch(ctx: EngineContext, arg: string, given: ContainerConfig, ns = DEFAULT_NAMESPACE): Promise<VmResult[]> {
  ctx.namespaces.ensure(ns);
  const config = resolveConfigPaths(given, ctx.filesDir);
  validateConfig(config);
  let names = launchNames(arg, () => 0);
  if (/^[+-]?[0-9]+$/.test(arg)) names = await ctx.namespaces.launchNames(ns, names.length);
  checkConflicts(ctx, names, config, ns);
  if (config.preinit) await checkPreinitForLaunch(ctx, config);
  const { rootfs, image } = await resolveRootfs(ctx, config);
  // An imported image's entrypoint and command stand in for the default init; an init set with
  // `vm config init` wins. vm info shows what actually runs.
  const init = image && image.init.length > 0 && isDefaultInit(config.init) ? image.init : config.init;

  const batch: Container[] = names.map((name) => {
    const id = ctx.nextId++;
    const rec: ContainerRecord = {
      id,
      name,
      namespace: ns,
      state: 'BUILDING',
      uuid: config.uuid || randomUUID(),
      config: structuredClone({ ...config, init, hostname: config.hostname || name }),
      tags: { ...config.tags },
      launchedAt: Date.now(),
      phase: 'launching',
      monitorPid: 0,
      initPid: 0,
      initStartTicks: 0,
      killRequested: false,
      cgroupKey: `${ctx.cgroupTag}-${id}`,
      rootfs,
      ...(image ? { image: { env: image.env, workdir: image.workdir } } : {}),
      nics: [],
    };
    const c: Container = {
      rec,
      cgroups: new ContainerCgroups(ctx.host, { layout: ctx.layout, freezer: ctx.opts.freezer }, rec.cgroupKey),
      queue: Promise.resolve(),
    };
    ctx.containers.set(id, c);
    return c;
  });
  // Nothing exists of a container whose ids or instance directory could not be written (a full or
  // read-only base): it leaves the table again, and the launch reports why.
  const forget = (c: Container) => ctx.containers.delete(c.rec.id);
  try {
    await ctx.saveEngine();
  } catch (e) {
    batch.forEach(forget);
    throw e;
  }
  checkpoint('launch.ids-saved');
  return Promise.all(
    batch.map(async (c): Promise<VmResult> => {
      const r: VmResult = { id: c.rec.id, name: c.rec.name };
      try {
        try {
          await ctx.host.mkdir(ctx.store.dir(c.rec.id), { mode: 0o700 });
        } catch (e) {
          forget(c);
          throw e;
        }
        checkpoint('launch.dir-made');
        await build(ctx, c);
      } catch (e) {
        r.error = e instanceof Error ? e.message : String(e);
      }
      return r;
    }),
  );
}

/**
 * The preinit of `config` may run: a file only root can change (engine/config/paths.ts), in no place
 * any container of this daemon can write — read-write volumes, snapshot-false filesystems (the built-in
 * one included), instance directories (overlay uppers). The shim checks its own container's places
 * again when it runs it.
 */
export async function checkPreinitForLaunch(ctx: EngineContext, config: ContainerConfig): Promise<void> {
  const places: WritablePlace[] = [...writablePlaces(config)];
  if (!config.snapshot && !config.filesystem) places.push({ path: ctx.hostFsRoot });
  for (const c of ctx.containers.values()) {
    places.push(...writablePlaces(c.rec.config), { path: ctx.store.dir(c.rec.id) });
    if (!c.rec.config.snapshot && !c.rec.config.filesystem) places.push({ path: ctx.hostFsRoot });
  }
  await checkPreinit(ctx.host, config.preinit, places);
}

/**
 * `snapshot false` writes straight into the filesystem; the built-in one is the shared lower layer
 * of every default container, so it never may be (review H2: a container could rewrite every
 * later container's /init, plant setuid files, or symlinks for the root daemon to follow).
 */
export function checkWritableRoot(config: Pick<ContainerConfig, 'snapshot' | 'filesystem'>): void {
  if (!config.snapshot && !config.filesystem) {
    throw new EngineError(
      'E_CONFIG',
      'snapshot false needs a filesystem of its own: the built-in filesystem is shared by every default container and is never writable by one (vm config filesystem DIR)',
      { field: 'snapshot', value: 'false' },
    );
  }
}

/** Names and UUIDs are unique within a namespace (minimega); a snapshot-false filesystem on the whole host. */
function checkConflicts(ctx: EngineContext, names: string[], config: ContainerConfig, ns: string): void {
  checkWritableRoot(config);
  if (config.uuid && names.length > 1) {
    throw new EngineError('E_CONFIG', 'cannot launch multiple VMs with a pre-configured UUID', { field: 'uuid' });
  }
  const wanted = new Set(names);
  for (const c of ctx.containers.values()) {
    const mine = namespaceOf(c) === ns;
    if (mine && wanted.has(c.rec.name)) throw new EngineError('E_EXISTS', `vm already exists with name \`${c.rec.name}\``, { name: c.rec.name });
    if (mine && config.uuid && c.rec.uuid === config.uuid)
      throw new EngineError('E_EXISTS', `vm already exists with UUID \`${config.uuid}\``, { uuid: config.uuid });
    if (!config.snapshot && config.filesystem && !c.rec.config.snapshot && c.rec.config.filesystem === config.filesystem) {
      throw new EngineError('E_CONFIG', `filesystem \`${config.filesystem}\` is already used by vm \`${c.rec.name}\` with snapshot false`, {
        field: 'filesystem',
        value: config.filesystem,
      });
    }
  }
  if (!config.snapshot && config.filesystem && names.length > 1) {
    throw new EngineError('E_CONFIG', `cannot launch ${names.length} VMs on filesystem \`${config.filesystem}\` with snapshot false`, {
      field: 'filesystem',
      value: config.filesystem,
    });
  }
}

function isDefaultInit(init: readonly string[]): boolean {
  return init.length === 1 && init[0] === DEFAULT_INIT;
}

/** The directory the container runs on, and an imported image's defaults when it is one (image.ts). */
async function resolveRootfs(ctx: EngineContext, config: ContainerConfig): Promise<{ rootfs: string; image?: ImageDefaults }> {
  if (!config.filesystem) return { rootfs: (await ctx.hostFs()).root };
  const kind = await ctx.host.kind(config.filesystem);
  if (kind !== 'dir') {
    throw new EngineError('E_CONFIG', `filesystem \`${config.filesystem}\` ${kind ? 'is not a directory' : 'does not exist'}`, {
      field: 'filesystem',
      value: config.filesystem,
    });
  }
  return (await readImage(ctx.host, config.filesystem)) ?? { rootfs: config.filesystem };
}

/**
 * Build one container up to BUILDING (frozen just before exec of init). On any failure every
 * kernel object made so far is rolled back and the container is left in ERROR with the reason.
 * Also used by `vm start` to relaunch a QUIT/ERROR container in its instance directory.
 */
export async function build(ctx: EngineContext, c: Container): Promise<void> {
  const { rec } = c;
  // A first launch (not a vm start of a QUIT/ERROR container): its writable layer holds nothing yet.
  const first = rec.state === 'BUILDING';
  rec.phase = 'launching';
  rec.killRequested = false;
  delete rec.tags.error;
  await ctx.store.save(rec);
  checkpoint('launch.record-saved');
  let shim: ShimLaunchHandle | undefined;
  let cgroupsMade = false;
  const trace = launchTrace(rec.id);
  try {
    // Again at every (re)start: the file, its directories or other containers' volumes may have changed.
    if (rec.config.preinit) await checkPreinitForLaunch(ctx, rec.config);
    const devices = deviceFilter(c);
    await c.cgroups.create({ memoryBytes: rec.config.memory * MB, vcpus: rec.config.vcpus, pids: ctx.opts.pidsMax, tun: rec.config.tun ?? false, devices });
    cgroupsMade = true;
    checkpoint('launch.cgroups-made');
    trace.mark('cgroups');
    const boot = await bootstrap(ctx, c, devices);
    shim = await ctx.shim.launch(boot);
    const pids = await shim.pids();
    rec.monitorPid = pids.monitorPid;
    rec.initPid = pids.initPid;
    checkpoint('launch.monitor-started');
    trace.mark('cloned');
    if (!boot.unattended) {
      await shim.mounted();
      trace.mark('mounted');
      // The network namespace exists now: NICs are made before preinit runs, so it sees them. The
      // host ends are made here; the child brings the container ends up itself (CONTINUE payload).
      let container: ContainerNic[] = [];
      if (rec.config.net.length) ({ nics: rec.nics, container } = await ctx.attachWave.attach(rec.id, keptMacs(rec), rec.initPid, namespaceOf(c)));
      if (rec.nics.length) checkpoint('launch.nics-made');
      trace.mark('nics');
      shim.continue(container);
    }
    const { frozen } = await shim.ready();
    checkpoint('launch.ready');
    trace.mark('ready');
    // The monitor froze the cgroup before READY (bootstrap `freeze`) and handed init EXEC itself
    // (`unattended` or `autoexec`, one or the other on every launch): only a frozen cgroup makes that
    // wait for vm start.
    if (!frozen) throw new EngineError('E_SHIM', `shim did not freeze the launch of ${rec.name} before init's EXEC`, { name: rec.name });
    trace.mark('frozen');
    rec.initStartTicks = pids.initStartTicks ?? (await startTicks(ctx, rec.initPid));
    rec.phase = 'ready';
    rec.state = 'BUILDING';
    // The sync connection goes on as the monitor's control connection: no second connection.
    await watch(ctx, c, await shim.control());
    shim.release();
    checkpoint('launch.exec-sent');
    trace.mark('watched');
    await ctx.save(c);
    trace.mark('saved');
    trace.done();
  } catch (e) {
    await rollback(ctx, c, shim, cgroupsMade, first);
    rec.state = 'ERROR';
    rec.phase = 'ready';
    rec.initPid = 0;
    rec.monitorPid = 0;
    rec.tags.error = e instanceof Error ? e.message : String(e);
    await ctx.save(c);
    throw e;
  }
}

async function bootstrap(ctx: EngineContext, c: Container, devices: DeviceFilter): Promise<ShimBootstrap> {
  const { rec } = c;
  checkWritableRoot(rec.config); // also for `vm start` of a record made before the rule
  const volumes = Object.entries(rec.config.volumes).map(([dst, src]) => ({ src, dst, readonly: false }));
  if (!rec.config.filesystem) volumes.unshift(...(await ctx.hostFs()).binds);
  return {
    id: rec.id,
    name: rec.name,
    dir: ctx.store.dir(rec.id),
    rootfs: rec.rootfs,
    snapshot: rec.config.snapshot,
    hostname: rec.config.hostname,
    uuid: rec.uuid,
    init: rec.config.init,
    env: rec.image ? mergeEnv(INIT_ENV, rec.image.env) : INIT_ENV,
    ...(rec.image?.workdir ? { cwd: rec.image.workdir } : {}),
    preinit: rec.config.preinit,
    fifos: rec.config.fifos,
    volumes,
    cgroups: c.cgroups.dirs(),
    caps: rec.config.caps ?? [],
    seccomp: rec.config.seccomp ?? true,
    tun: rec.config.tun ?? false,
    devcgroup: devices === 'ebpf' ? c.cgroups.paths.v2 : undefined,
    freeze: c.cgroups.freezeTarget(),
    // Without NICs there is nothing to make between MOUNTED and CONTINUE; with them, the monitor still
    // hands init EXEC itself once frozen (one frame and wakeup less per container).
    unattended: rec.config.net.length === 0,
    autoexec: rec.config.net.length > 0,
    cols: CONSOLE_COLS,
    rows: CONSOLE_ROWS,
    scrollback: SCROLLBACK_BYTES,
    diskSize: rec.config.snapshot ? (rec.config.diskSize ?? DEFAULT_DISK_SIZE) : undefined,
  };
}

/**
 * The NIC specs of a (re)launch: a MAC generated for an earlier run of this container is kept, as
 * minimega writes generated MACs into the VM's own config at launch, so a relaunched container keeps its
 * addresses and its peers' neighbour entries stay right. (`vm config clone` starts from the config, not
 * from these.)
 */
function keptMacs(rec: ContainerRecord): NetSpec[] {
  return rec.config.net.map((n, i) => (n.mac || !rec.nics[i]?.mac ? n : { ...n, mac: rec.nics[i]!.mac }));
}

async function rollback(ctx: EngineContext, c: Container, shim: ShimLaunchHandle | undefined, cgroupsMade: boolean, first: boolean): Promise<void> {
  // Best-effort throughout: the launch already failed; each step undoes what may exist.
  c.control?.close();
  c.control = undefined;
  shim?.abort();
  if (cgroupsMade) await c.cgroups.kill().catch(() => undefined);
  if (shim) await waitGone(ctx, shim.monitorPid);
  shim?.release();
  if (cgroupsMade) await c.cgroups.remove().catch(() => undefined);
  if (c.rec.nics.length) await ctx.network.detach(c.rec.id).catch(() => undefined);
  c.rec.nics = [];
  // The tmpfs the monitor mounted for a first launch holds nothing: it goes now, not at flush. A
  // relaunch keeps its layer (the container's earlier changes), as the overlay upper always was.
  const layer = layerPath(ctx.store.dir(c.rec.id));
  if (first && (await mountPoints(ctx.host)).has(layer)) await ctx.layers.unmount(layer).catch(() => undefined);
}

async function waitGone(ctx: EngineContext, pid: number): Promise<void> {
  const deadline = Date.now() + ROLLBACK_WAIT_MS;
  while (pid > 0 && ctx.host.kill(pid, 0) && Date.now() < deadline) {
    // A zombie still answers kill(0) (a spawned shim is our child until released; one the launcher
    // forked is init's), so look at its state.
    const stat = await ctx.host.readFile(`/proc/${pid}/stat`).catch(() => '');
    if (!stat || statZombie(stat)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}
