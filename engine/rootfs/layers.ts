import { join } from 'node:path';
import { EngineError } from '../errors.js';
import type { Host } from '../host/host.js';
import { runOnPaths, TurnBatch, type PathRequest } from '../host/turn-batch.js';

/** Where the monitor mounts a snapshot container's size-limited writable layer (shim/src/layer.h). */
export const LAYER_DIR = 'layer';
/** Paths per `umount` process: well below ARG_MAX for any base path; a thousand layers are eight processes. */
const CHUNK = 128;
/** `umount` processes at once (see run). */
const PARALLEL = 8;

/** mountinfo's octal escapes (`\040` for a space) decoded. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * Mount points of the host mount namespace (field 5 of /proc/self/mountinfo); none when it cannot
 * be read (a removal through a mount point then fails with EBUSY and says so).
 */
export async function mountPoints(host: Host): Promise<Set<string>> {
  const text = await host.readFile('/proc/self/mountinfo').catch(() => '');
  return new Set(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => unescape(l.split(' ')[4] ?? '')),
  );
}

/** The layer mount point of the instance directory `dir`. */
export function layerPath(dir: string): string {
  return join(dir, LAYER_DIR);
}

/**
 * Unmounts writable layers before their instance directories are removed, many at once: requests
 * made in the same turn of the event loop share one `umount -l` (a flush of 1000 containers is a
 * handful of processes, not a thousand). Lazy: a layer is detached at once and freed when the last
 * user lets go, which after its container's exit is nobody.
 */
export class LayerUnmounts {
  // run settles every request itself
  private readonly batches = new TurnBatch((batch) => {
    this.run(batch).catch(() => undefined);
  });

  /**
   * `command`: what detaches the paths appended to it (production: the shim's `--umount`, which
   * does one umount2(MNT_DETACH) per path; umount(8) re-reads the mount table for every path,
   * quadratic in a flush of thousands of layers).
   */
  constructor(
    private readonly host: Host,
    private readonly command: readonly string[] = ['umount', '-l', '--'],
  ) {}

  unmount(path: string): Promise<void> {
    return this.batches.add(path);
  }

  /**
   * The chunks run side by side: each detach waits for an RCU grace period after the kernel's mount
   * lock is released, and concurrent waiters share grace periods (1000 layers: ~70 ms in one
   * process, ~30 ms in eight).
   */
  private async run(batch: PathRequest[]): Promise<void> {
    const why = await runOnPaths(this.host, this.command, batch, CHUNK, PARALLEL);
    // A failure fails the whole batch: see which are still there.
    const still = why ? await mountPoints(this.host).catch(() => new Set(batch.map((p) => p.path))) : new Set<string>();
    for (const p of batch) {
      if (still.has(p.path)) p.reject(new EngineError('E_HOST', `umount ${p.path}: ${why}`, { op: 'umount', path: p.path }));
      else p.resolve();
    }
  }
}
