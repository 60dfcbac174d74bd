import type { Container } from '../context.js';
import type { KillIntents } from '../state/kill-intents.js';
import { logError } from '../log.js';

/**
 * The containers one `vm kill` signals together. Each exit removes the container's cgroups but its
 * memory controller's directory and is recorded; those directories go together once every exit of
 * the wave is in, one after the other, and only then does the kill of each member return.
 *
 * Why: removing a memory cgroup makes the kernel's offline work (a kworker, under the global cgroup
 * mutex every rmdir also takes) walk every memcg-aware list_lru and shrinker of the machine, two of
 * each per superblock. A container's own superblocks (overlay root, proc, sysfs, its tmpfs mounts)
 * go with its last process, so a removal made while hundreds of the wave still live walks all of
 * theirs, and the next rmdirs queue behind it; made after the last exit it walks few. The other
 * controllers' offline work is light: their directories go at once, while the wave still exits.
 * Removals from many processes at once only contend for that mutex (measured: slower than one
 * after the other), so the daemon keeps doing them itself, in a row.
 */
export class KillWave {
  /** Signalled (or about to be), exit not seen yet. */
  private readonly pending = new Set<Container>();
  /** Exits seen, memory directories not removed yet, in arrival order. */
  private readonly queue: Container[] = [];
  private readonly seen = new Map<Container, () => void>();
  /** Resolves when the member's memory directory was removed (or tried). */
  private readonly removals = new Map<Container, { promise: Promise<void>; resolve: () => void }>();
  private running = false;
  /** Kill requests asked for in this turn of the event loop, written together. */
  private requests: Container[] = [];
  private requested?: Promise<void>;
  private progress = performance.now();

  constructor(private readonly intents: KillIntents) {}

  /** When the wave began or a member's exit was last seen (performance.now()): kill.ts times its waits from it. */
  get lastExit(): number {
    return this.progress;
  }

  /**
   * Record `c`'s kill request durably (kill-intents.ts) with those of the other members asked for in
   * the same turn: one write for the lot.
   */
  request(c: Container): Promise<void> {
    this.requests.push(c);
    this.requested ??= new Promise<void>((r) => setImmediate(r)).then(() => {
      const batch = this.requests.splice(0);
      this.requested = undefined;
      return this.intents.add(batch.map((m) => m.rec));
    });
    return this.requested;
  }

  /** `c` is killed as part of this wave: its exit is waited for before the wave's memory cgroups go. */
  join(c: Container): void {
    this.pending.add(c);
  }

  /**
   * Arms `c`'s exit path (exit.ts) to remove its cgroups through the wave; resolves when its exit is
   * seen. `removed(c)` then says when the wave is done with it.
   */
  expect(c: Container): Promise<void> {
    const seen = new Promise<void>((resolve) => this.seen.set(c, resolve));
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.removals.set(c, { promise, resolve });
    c.removeCgroups = () => this.arrive(c);
    return seen;
  }

  /** Resolves once the wave removed the rest of `c`'s cgroups (at once when it has nothing of `c`). */
  removed(c: Container): Promise<void> {
    return this.removals.get(c)?.promise ?? Promise.resolve();
  }

  /**
   * `c` will not exit for this wave (it was not alive, or its kill failed or timed out): the others
   * do not wait for it. Its exit, should it come later, still goes through the wave.
   */
  leave(c: Container): void {
    if (this.pending.delete(c)) this.drain();
  }

  /** The exit path's removal: all but the memory directory now, that one queued. */
  private async arrive(c: Container): Promise<void> {
    this.progress = performance.now();
    this.pending.delete(c);
    this.seen.get(c)?.();
    this.seen.delete(c);
    try {
      await c.cgroups.remove({ keepMemory: true });
    } finally {
      this.queue.push(c);
      this.drain();
    }
  }

  private drain(): void {
    if (this.running || this.pending.size > 0 || this.queue.length === 0) return;
    this.running = true;
    this.removeAll().catch((e: unknown) => logError('vm kill: removing the memory cgroups of a wave', e));
  }

  private async removeAll(): Promise<void> {
    for (let c = this.queue.shift(); c; c = this.queue.shift()) {
      // Best-effort like every exit's removal (a stuck rmdir must not hide the exit): flush and
      // recovery try again.
      await c.cgroups.remove().catch(() => undefined);
      this.removals.get(c)?.resolve();
      this.removals.delete(c);
    }
    this.running = false;
    this.drain();
  }
}
