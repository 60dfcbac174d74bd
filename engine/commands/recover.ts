import { join } from 'node:path';
import { ContainerCgroups, ENGINE_PARENT, removeCgroupDir } from '../cgroup/cgroup.js';
import type { Container, EngineContext } from '../context.js';
import type { ShimControlHandle } from '../shim/shim.js';
import { defaultConfig } from '../config/defaults.js';
import { logError } from '../log.js';
import { layerPath, mountPoints } from '../rootfs/layers.js';
import { isAlive } from '../state/lifecycle.js';
import type { ContainerRecord } from '../state/state-store.js';
import { incarnation } from '../state/kill-intents.js';
import { checkpoint } from '../fault.js';
import { describeExit, startTicks, watch } from './exit.js';
import { killOne } from './kill.js';
import { DISCONNECTED } from './net.js';
import { saveOrRetry } from './save-retry.js';

/**
 * Re-read <base>/*\/state.json after a (re)start and reconcile with the kernel: containers whose
 * monitor still answers come back with the same pid and a state read from the freezer; dead ones
 * become QUIT/ERROR with their recorded exit status; a launch cut short is rolled back; cgroups of
 * this engine that no container owns are killed and removed.
 */
export async function recover(ctx: EngineContext): Promise<void> {
  const { ids, strays } = await ctx.store.scan();
  const kills = await ctx.store.kills.load((message) => logError('recovery: kill requests unreadable', message));
  for (const id of ids) {
    const rec = await ctx.store.load(id).catch((e: unknown) => unreadable(ctx, id, e));
    // A `vm kill` asked for this incarnation before the crash (its record may not say so yet).
    if (isAlive(rec.state) && kills.has(id) && kills.get(id) === incarnation(rec)) rec.killRequested = true;
    const c: Container = {
      rec,
      cgroups: new ContainerCgroups(ctx.host, { layout: ctx.layout, freezer: ctx.opts.freezer }, rec.cgroupKey),
      queue: Promise.resolve(),
    };
    ctx.containers.set(id, c);
    ctx.nextId = Math.max(ctx.nextId, id + 1);
    if (isAlive(rec.state)) await readopt(ctx, c);
    checkpoint('recover.first-container');
  }
  // A crash between mkdir and the first save of a launch leaves an instance dir with no record:
  // nothing can own it, nothing was started from it (the record is saved before the cgroups).
  const mounted = strays.length ? await mountPoints(ctx.host) : new Set<string>();
  for (const id of strays) {
    ctx.nextId = Math.max(ctx.nextId, id + 1);
    const layer = layerPath(ctx.store.dir(id));
    if (mounted.has(layer)) await ctx.layers.unmount(layer).catch((e: unknown) => logError(`recovery: unmounting ${layer}`, e));
    await ctx.store.remove(id).catch((e: unknown) => logError(`recovery: removing stray instance dir ${ctx.store.dir(id)}`, e));
  }
  // Every request is in its record now (saved by readopt, or the container is gone).
  if (kills.size) await ctx.store.kills.clear().catch((e: unknown) => logError('recovery: dropping recorded kill requests', e));
  checkpoint('recover.before-orphans');
  await removeOrphanCgroups(ctx);
  const live = new Set([...ctx.containers.values()].filter((c) => isAlive(c.rec.state)).map((c) => c.rec.id));
  // Each of these writes its state file; a full or read-only base must not keep the daemon from
  // starting (its in-memory state is right, and the next change saves it).
  await ctx.network.reconcile(live).catch((e: unknown) => logError('recovery: network reconcile', e));
  // Host taps and dnsmasq servers outlive the daemon like containers do; what vanished meanwhile is
  // removed and reported.
  const notes = [
    ...(await ctx.taps.reconcile().catch((e: unknown) => (logError('recovery: host taps', e), [] as string[]))),
    ...(await ctx.network
      .exclusive((core) => ctx.trunks.reconcile(core, ctx.network))
      .catch((e: unknown) => (logError('recovery: bridge trunks', e), [] as string[]))),
    ...(await ctx.dnsmasq.recover().catch((e: unknown) => (logError('recovery: dnsmasq', e), [] as string[]))),
  ];
  for (const message of notes) ctx.emit('engine.log', { t: Date.now(), level: 'warn', message });
  await ctx.saveEngine().catch((e: unknown) => logError('recovery: saving engine.json (retried on the next launch)', e));
}

/**
 * A state file that cannot be read as a record (review L9): moved aside to state.json.bad, the
 * container reported as ERROR under a placeholder name so it can be seen and flushed. Whatever
 * still runs in its cgroups is killed with the orphans: without its record nothing can manage it.
 */
async function unreadable(ctx: EngineContext, id: number, e: unknown): Promise<ContainerRecord> {
  let where = 'left in place';
  try {
    where = `moved to ${await ctx.store.quarantine(id)}`;
  } catch (q) {
    logError(`recovery: moving the unreadable state of ${id} aside`, q);
  }
  const why = e instanceof Error ? e.message : String(e);
  logError(`recovery: container ${id}`, `state unreadable (${where}): ${why}`);
  const rec: ContainerRecord = {
    id,
    name: `unreadable-${id}`,
    state: 'ERROR',
    uuid: '',
    config: defaultConfig(),
    tags: { error: `state unreadable (${where}): ${why}` },
    launchedAt: 0,
    phase: 'ready',
    monitorPid: 0,
    initPid: 0,
    initStartTicks: 0,
    killRequested: false,
    cgroupKey: `${ctx.cgroupTag}-${id}`,
    rootfs: '',
    nics: [],
  };
  await ctx.store.save(rec).catch((s: unknown) => logError(`recovery: saving the placeholder record of ${id}`, s));
  return rec;
}

async function readopt(ctx: EngineContext, c: Container): Promise<void> {
  const { rec } = c;
  const dir = ctx.store.dir(rec.id);
  const alive = rec.phase === 'ready' && rec.initPid > 0 && (await startTicks(ctx, rec.initPid)) === rec.initStartTicks;
  const control = alive ? await connectMonitor(ctx, c) : undefined;
  if (control && control.hello.initPid === rec.initPid) {
    await watch(ctx, c, control);
    const frozen = await c.cgroups.isFrozen();
    // The kernel is the truth: a crash between a freeze and its state write must not lie.
    rec.state = frozen ? (rec.state === 'BUILDING' ? 'BUILDING' : 'PAUSED') : 'RUNNING';
    await adoptNics(ctx, c);
    await saveOrRetry(ctx, c);
    // A `vm kill` recorded but cut short by the crash is finished: it was asked for, once.
    if (rec.killRequested) await killOne(ctx, c).catch((e: unknown) => logError(`recovery: finishing the kill of ${rec.name}`, e));
    return;
  }
  control?.close();
  const record = await ctx.shim.exitRecord(dir);
  const interrupted = rec.phase === 'launching';
  // Best-effort: whatever is left of this incarnation is killed and its cgroups removed.
  await c.cgroups.kill().catch(() => undefined);
  await c.cgroups.remove().catch(() => undefined);
  if (rec.nics.length) await ctx.network.detach(rec.id).catch(() => undefined);
  const oom = await c.cgroups
    .read()
    .then((r) => r.oomKills)
    .catch(() => 0);
  const outcome = interrupted ? { state: 'ERROR' as const, error: 'launch interrupted by a daemon restart' } : describeExit(record, rec.killRequested, oom);
  rec.state = outcome.state;
  if (outcome.error) rec.tags.error = outcome.error;
  rec.phase = 'ready';
  rec.initPid = 0;
  rec.monitorPid = 0;
  await saveOrRetry(ctx, c);
}

/**
 * The network's record (net.json) is written with each change of a NIC in the kernel; a crash
 * before the container's own record followed leaves the two apart, and the network's is the one
 * that matches the kernel.
 */
async function adoptNics(ctx: EngineContext, c: Container): Promise<void> {
  const { rec } = c;
  if (rec.nics.length === 0) return;
  const recorded = await ctx.network.nics(rec.id).catch(() => []);
  if (recorded.length !== rec.nics.length) return;
  rec.nics = recorded.map((n, i) => ({ ...n, ip: rec.nics[i]!.ip, ip6: rec.nics[i]!.ip6 }));
  recorded.forEach((n, i) => {
    const spec = rec.config.net[i];
    if (spec && n.vlan !== DISCONNECTED) rec.config.net[i] = { ...spec, vlan: n.vlan, bridge: n.bridge };
  });
}

/** Connection attempts to a live monitor before it is given up (a loaded host may answer slowly). */
const CONNECT_ATTEMPTS = 5;

/**
 * Connect to a container's monitor, retrying while the monitor process still exists: a slow answer
 * must never get a live container killed. Undefined once the monitor is gone.
 */
async function connectMonitor(ctx: EngineContext, c: Container): Promise<ShimControlHandle | undefined> {
  const dir = ctx.store.dir(c.rec.id);
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.shim.control(dir);
    } catch {
      const monitorAlive = c.rec.monitorPid > 0 && ctx.host.kill(c.rec.monitorPid, 0);
      if (!monitorAlive || attempt >= CONNECT_ATTEMPTS) return undefined;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function removeOrphanCgroups(ctx: EngineContext): Promise<void> {
  const owned = new Set([...ctx.containers.values()].filter((c) => isAlive(c.rec.state)).map((c) => c.rec.cgroupKey));
  const parents = new Set<string>();
  if (ctx.layout.unified) parents.add(join(ctx.layout.unified, ENGINE_PARENT));
  for (const mount of Object.values(ctx.layout.v1)) parents.add(join(mount, ENGINE_PARENT));
  for (const parent of parents) {
    const names = await ctx.host.readdir(parent).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith(`${ctx.cgroupTag}-`) || owned.has(name)) continue;
      const orphan = new ContainerCgroups(ctx.host, { layout: ctx.layout, freezer: ctx.opts.freezer }, name);
      await orphan.kill().catch(() => undefined); // Best-effort: it may already be empty.
      await removeCgroupDir(ctx.host, join(parent, name)).catch(() => undefined);
    }
  }
}
