import type { VmResult } from '../api/types.js';
import { serialize, type Container, type EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { isAlive } from '../state/lifecycle.js';
import { apply } from './targets.js';
import { checkpoint } from '../fault.js';
import { logError } from '../log.js';
import { KillWave } from './kill-wave.js';

/**
 * How long `vm kill` waits for the monitor to report init's death (minimega: COMMAND_TIMEOUT); in a
 * wave, counted from the wave's last exit while its members keep exiting (killTimeout).
 */
const KILL_TIMEOUT_MS = 10_000;

/**
 * `vm kill`: SIGKILL the whole container (frozen or not) and wait until its exit is recorded → QUIT.
 * The containers of one call are a wave (kill-wave.ts).
 */
export async function kill(ctx: EngineContext, target: string, ns?: string): Promise<VmResult[]> {
  const wave = new KillWave(ctx.store.kills);
  const members: Container[] = [];
  try {
    return await apply(
      ctx,
      target,
      async (c) => {
        if (!isAlive(c.rec.state)) return false;
        wave.join(c);
        members.push(c);
        try {
          await serialize(c, () => killOne(ctx, c, wave));
        } finally {
          wave.leave(c);
        }
        return true;
      },
      ns,
    );
  } finally {
    // Their records say it now; one that still lives (its kill failed) keeps its request.
    const done = members.filter((c) => !isAlive(c.rec.state)).map((c) => c.rec.id);
    await ctx.store.kills.remove(done).catch((e: unknown) => logError('vm kill: dropping recorded kill requests', e));
  }
}

/** Kill one container and wait until its exit is recorded; `wave`: the others killed with it. */
export async function killOne(ctx: EngineContext, c: Container, wave?: KillWave): Promise<void> {
  if (!isAlive(c.rec.state)) return;
  c.rec.killRequested = true;
  // Kept on disk so a restart mid-kill still records QUIT (a wave's requests in one file); a disk
  // that refuses must not stop the kill (the operator may be killing what filled it): the exit is
  // saved later (save-retry.ts).
  const saved = wave && ctx.store.kills.covers(c.rec) ? wave.request(c) : ctx.store.save(c.rec);
  await saved.catch((e: unknown) => logError(`vm kill ${c.rec.name}: saving the kill request (killing anyway)`, e));
  checkpoint('kill.requested');
  // Not watched (no exit path to hand the removal to): nothing to wait for.
  const seen = c.exited && wave?.expect(c);
  await c.cgroups.kill();
  checkpoint('kill.signalled');
  const error = () => new EngineError('E_HOST', `vm kill timeout: ${c.rec.name}`, { name: c.rec.name });
  const timeout = killTimeout(KILL_TIMEOUT_MS, error, wave && (() => wave.lastExit));
  try {
    await Promise.race([seen ?? c.exited, timeout.promise]);
    await Promise.race([c.exited, timeout.promise]);
  } finally {
    timeout.cancel();
  }
  // Its memory cgroup goes after the wave's last exit (each member's wait is timed above).
  if (wave) await wave.removed(c);
}

/**
 * Rejects with `error()` once `ms` pass with no progress, counted from the call or from
 * `lastProgress()` (a performance.now() time) whichever is later; `cancel()` once the wait is over.
 * A wave's exits arrive one after the other (the kernel tears each container down, the daemon
 * records each), so a thousand take longer than any one of them may: a member is waited for as long
 * as the others keep exiting, and one that never exits times out `ms` after the last one did.
 */
export function killTimeout(ms: number, error: () => Error, lastProgress: () => number = () => 0): { promise: Promise<never>; cancel: () => void } {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    const check = () => {
      const left = Math.max(start, lastProgress()) + ms - performance.now();
      if (left <= 0) reject(error());
      else timer = setTimeout(check, left);
    };
    timer = setTimeout(check, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}
