import { join } from 'node:path';
import type { EngineContext } from '../context.js';
import { flush } from './flush.js';
import { killOne } from './kill.js';
import { WILDCARD } from './targets.js';

/**
 * Kill every container of this base, forget them, and remove every kernel object the engine made
 * (cgroups go with each exit; dnsmasq servers, host taps, veths and bridges through their own
 * records and tags).
 * Instance directories go with the flush; the generated host filesystem and engine counters stay.
 */
export async function nuke(ctx: EngineContext): Promise<void> {
  const errors: string[] = [];
  await Promise.all(
    [...ctx.containers.values()].map((c) =>
      killOne(ctx, c).catch((e: Error) => {
        errors.push(`${c.rec.name}: ${e.message}`);
      }),
    ),
  );
  // A container whose kill timed out is forced to QUIT so flush can forget it; its cgroups are
  // killed again and removed (best-effort: nothing of it may remain).
  for (const c of ctx.containers.values()) {
    if (c.rec.state !== 'QUIT' && c.rec.state !== 'ERROR') {
      await c.cgroups.kill().catch(() => undefined);
      await c.cgroups.remove().catch(() => undefined);
      c.rec.state = 'QUIT';
    }
  }
  await ctx.captures.stopAll('nuke');
  await flush(ctx, WILDCARD);
  // Servers first (they are bound to host taps), then the taps, then bridges and container NICs.
  await ctx.dnsmasq.nuke();
  await ctx.mirrors.nuke();
  await ctx.host.removeTree(join(ctx.opts.base, 'mirrors.json')).catch(() => undefined);
  await ctx.taps.nuke();
  await ctx.trunks.nuke();
  await ctx.host.removeTree(join(ctx.opts.base, 'bridges.json')).catch(() => undefined);
  await ctx.network.nuke();
  await ctx.host.removeTree(join(ctx.opts.base, 'net.json')).catch(() => undefined);
  if (errors.length) ctx.emit('engine.log', { t: Date.now(), level: 'warn', message: `nuke: ${errors.join('; ')}` });
}
