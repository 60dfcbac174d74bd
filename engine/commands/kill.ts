import type { VmResult } from '../api/types.js';
import { serialize, type Container, type EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { isAlive } from '../state/lifecycle.js';
import { apply } from './targets.js';
import { checkpoint } from '../fault.js';
import { logError } from '../log.js';

/** How long `vm kill` waits for the monitor to report init's death (minimega: COMMAND_TIMEOUT). */
const KILL_TIMEOUT_MS = 10_000;

/** `vm kill`: SIGKILL the whole container (frozen or not) and wait until its exit is recorded → QUIT. */
export function kill(ctx: EngineContext, target: string, ns?: string): Promise<VmResult[]> {
  return apply(
    ctx,
    target,
    async (c) => {
      if (!isAlive(c.rec.state)) return false;
      await serialize(c, () => killOne(ctx, c));
      return true;
    },
    ns,
  );
}

export async function killOne(ctx: EngineContext, c: Container): Promise<void> {
  if (!isAlive(c.rec.state)) return;
  c.rec.killRequested = true;
  // Kept on disk so a restart mid-kill still records QUIT; a disk that refuses must not stop the
  // kill (the operator may be killing what filled it): the exit is saved later (save-retry.ts).
  await ctx.store.save(c.rec).catch((e: unknown) => logError(`vm kill ${c.rec.name}: saving the kill request (killing anyway)`, e));
  checkpoint('kill.requested');
  await c.cgroups.kill();
  checkpoint('kill.signalled');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EngineError('E_HOST', `vm kill timeout: ${c.rec.name}`, { name: c.rec.name })), KILL_TIMEOUT_MS);
  });
  try {
    await Promise.race([c.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
