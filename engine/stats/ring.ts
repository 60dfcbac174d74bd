/**
 * Bounded per-container series in typed arrays: memory is proportional to containers × window
 * (40 bytes a sample, ~26 KB a container for 11 minutes) and pushing never allocates.
 */
import type { ContainerId, StatsSample } from '../api/types.js';

/** Samples kept per container: 11 minutes at 1 Hz, so a full 10-minute window survives tick jitter. */
export const SERIES_CAPACITY = 660;

export class SeriesRing {
  private readonly t: Float64Array;
  private readonly memory: Float64Array;
  private readonly limit: Float64Array;
  private readonly cpu: Float64Array;
  private readonly oom: Uint32Array;
  private readonly pids: Uint32Array;
  /** Index of the next write. */
  private head = 0;
  private count = 0;

  constructor(
    readonly id: ContainerId,
    readonly capacity = SERIES_CAPACITY,
  ) {
    this.t = new Float64Array(capacity);
    this.memory = new Float64Array(capacity);
    this.limit = new Float64Array(capacity);
    this.cpu = new Float64Array(capacity);
    this.oom = new Uint32Array(capacity);
    this.pids = new Uint32Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(s: Omit<StatsSample, 'id'>): void {
    const i = this.head;
    this.t[i] = s.t;
    this.memory[i] = s.memoryBytes;
    this.limit[i] = s.memoryLimitBytes;
    this.cpu[i] = s.cpuUsec;
    this.oom[i] = s.oomKills;
    this.pids[i] = s.pids;
    this.head = (i + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** The k-th sample, 0 = oldest kept. */
  at(k: number): StatsSample | undefined {
    if (k < 0 || k >= this.count) return undefined;
    const i = (this.head - this.count + k + this.capacity) % this.capacity;
    return {
      id: this.id,
      t: this.t[i]!,
      memoryBytes: this.memory[i]!,
      memoryLimitBytes: this.limit[i]!,
      oomKills: this.oom[i]!,
      cpuUsec: this.cpu[i]!,
      pids: this.pids[i]!,
    };
  }

  /** The newest sample. */
  last(): StatsSample | undefined {
    return this.at(this.count - 1);
  }

  /** The newest `n` samples (all by default), oldest first. */
  toArray(n = this.count): StatsSample[] {
    const out: StatsSample[] = [];
    for (let k = Math.max(0, this.count - n); k < this.count; k++) out.push(this.at(k)!);
    return out;
  }
}
