import { join } from 'node:path';
import { ContainerCgroups, ENGINE_PARENT, removeCgroupDir } from '../cgroup/cgroup.js';
import type { Container, EngineContext } from '../context.js';
import { ShimControl, readExitRecord } from '../shim/control-client.js';
import { isAlive } from '../state/lifecycle.js';
import { describeExit, startTicks, watch } from './exit.js';

/**
 * Re-read <base>/*\/state.json after a (re)start and reconcile with the kernel: containers whose
 * monitor still answers come back with the same pid and a state read from the freezer; dead ones
 * become QUIT/ERROR with their recorded exit status; a launch cut short is rolled back; cgroups of
 * this engine that no container owns are killed and removed.
 */
export async function recover(ctx: EngineContext): Promise<void> {
  for (const id of await ctx.store.ids()) {
    const rec = await ctx.store.load(id);
    const c: Container = { rec, cgroups: new ContainerCgroups(ctx.host, { layout: ctx.layout, freezer: ctx.opts.freezer }, rec.cgroupKey), queue: Promise.resolve() };
    ctx.containers.set(id, c);
    ctx.nextId = Math.max(ctx.nextId, id + 1);
    if (isAlive(rec.state)) await readopt(ctx, c);
  }
  await removeOrphanCgroups(ctx);
  const live = new Set([...ctx.containers.values()].filter((c) => isAlive(c.rec.state)).map((c) => c.rec.id));
  await ctx.network.reconcile(live);
  // Host taps and dnsmasq servers outlive the daemon like containers do; what vanished meanwhile is
  // removed and reported.
  const notes = [...(await ctx.taps.reconcile()), ...(await ctx.dnsmasq.recover())];
  for (const message of notes) ctx.emit('engine.log', { t: Date.now(), level: 'warn', message });
  await ctx.saveEngine();
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
    await ctx.save(c);
    return;
  }
  control?.close();
  const record = await readExitRecord(dir);
  const interrupted = rec.phase === 'launching';
  // Best-effort: whatever is left of this incarnation is killed and its cgroups removed.
  await c.cgroups.kill().catch(() => undefined);
  await c.cgroups.remove().catch(() => undefined);
  if (rec.nics.length) await ctx.network.detach(rec.id).catch(() => undefined);
  const oom = await c.cgroups.read().then((r) => r.oomKills).catch(() => 0);
  const outcome = interrupted
    ? { state: 'ERROR' as const, error: 'launch interrupted by a daemon restart' }
    : describeExit(record, rec.killRequested, oom);
  rec.state = outcome.state;
  if (outcome.error) rec.tags.error = outcome.error;
  rec.phase = 'ready';
  rec.initPid = 0;
  rec.monitorPid = 0;
  await ctx.save(c);
}

/** Connection attempts to a live monitor before it is given up (a loaded host may answer slowly). */
const CONNECT_ATTEMPTS = 5;

/**
 * Connect to a container's monitor, retrying while the monitor process still exists: a slow answer
 * must never get a live container killed. Undefined once the monitor is gone.
 */
async function connectMonitor(ctx: EngineContext, c: Container): Promise<ShimControl | undefined> {
  const dir = ctx.store.dir(c.rec.id);
  for (let attempt = 1; ; attempt++) {
    try {
      return await ShimControl.connect(dir);
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
