import type { Container, EngineContext } from '../context.js';
import { logError } from '../log.js';
import type { ExitRecord, ShimControlHandle } from '../shim/shim.js';
import { saveOrRetry } from './save-retry.js';
import { checkpoint } from '../fault.js';
import { statStartTicks } from '../host/proc-stat.js';

/** Host pid start time (field 22 of /proc/<pid>/stat), to tell a live init from a reused pid. */
export async function startTicks(ctx: EngineContext, pid: number): Promise<number> {
  return statStartTicks(await ctx.host.readFile(`/proc/${pid}/stat`).catch(() => ''));
}

/** Connect to the monitor's control socket (or use `control`) and record the exit when init ends. */
export async function watch(ctx: EngineContext, c: Container, control?: ShimControlHandle): Promise<void> {
  control ??= await ctx.shim.control(ctx.store.dir(c.rec.id));
  c.control = control;
  let done!: () => void;
  c.exited = new Promise((r) => (done = r));
  let handled = false;
  const finish = (record: ExitRecord | undefined) => {
    if (handled) return;
    handled = true;
    recordExit(ctx, c, record)
      .catch((e: unknown) => logError(`vm ${c.rec.name}: recording its exit`, e))
      .finally(done);
  };
  control.onExit((record) => finish(record));
  // A monitor that dies without EXITED (SIGKILLed) closes the socket: fall back to the exit file,
  // and to "no record" when even that cannot be read. A connection the engine dropped itself
  // (Engine.close at daemon shutdown) says nothing about the container: it keeps running.
  control.onClose?.(() => {
    if (c.control !== control) return;
    ctx.shim.exitRecord(ctx.store.dir(c.rec.id)).then(finish, () => finish(undefined));
  });
}

/** What an exit means: QUIT for `vm kill` and status 0, ERROR with a reason otherwise. */
export function describeExit(record: ExitRecord | undefined, killRequested: boolean, oomKills: number): { state: 'QUIT' | 'ERROR'; error?: string } {
  if (killRequested) return { state: 'QUIT' };
  if (!record) return { state: 'ERROR', error: 'monitor vanished without recording an exit status' };
  if (record.signal !== undefined) {
    if (oomKills > 0 && record.signal === 9) return { state: 'ERROR', error: `out of memory: init killed by the OOM killer (oom_kill ${oomKills})` };
    return { state: 'ERROR', error: `init killed by signal ${record.signal}` };
  }
  if (record.code === 0) return { state: 'QUIT' };
  return { state: 'ERROR', error: `init exited with status ${record.code}` };
}

async function recordExit(ctx: EngineContext, c: Container, record: ExitRecord | undefined): Promise<void> {
  c.control?.close();
  c.control = undefined;
  // After `vm kill` the OOM count cannot change the outcome and the cgroup was killed already:
  // skipping both saves a dozen cgroupfs reads and a write per container of a mass kill.
  const killed = c.rec.killRequested;
  const oom = killed
    ? 0
    : await c.cgroups
        .read()
        .then((r) => r.oomKills)
        .catch(() => 0);
  const { state, error } = describeExit(record, killed, oom);
  // Best-effort: init is gone, so the rest of the pid namespace died with it; a stuck
  // rmdir here must not hide the exit, and recovery retries orphans.
  if (!killed) await c.cgroups.kill().catch(() => undefined);
  const remove = c.removeCgroups ?? (() => c.cgroups.remove());
  c.removeCgroups = undefined;
  await remove().catch(() => undefined);
  // Its captures end before its host ends go, so their files are closed whole (best-effort as above).
  await ctx.captures.stopContainer(c.rec.id, `${c.rec.name} exited`).catch(() => undefined);
  // The kernel tears a dead netns down asynchronously; delete our host ends explicitly.
  if (c.rec.nics.length) await ctx.network.detach(c.rec.id).catch(() => undefined);
  checkpoint('exit.cleaned-up');
  c.rec.state = state;
  if (error) c.rec.tags.error = error;
  c.rec.initPid = 0;
  c.rec.monitorPid = 0;
  c.rec.phase = 'ready';
  await saveOrRetry(ctx, c);
}
