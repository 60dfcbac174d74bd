/** Which containers' `stats.sample` events one client wants (`stats.watch`). */
import type { ContainerId, StatsSample } from '../api/types.js';

export class StatsWatch {
  /** null = every container (the default: subscribing to the event says the client wants it). */
  private ids: Set<ContainerId> | null = null;

  set(ids: readonly ContainerId[] | null): void {
    this.ids = ids === null ? null : new Set(ids);
  }

  /** The part of a tick's batch this client gets, or undefined when none of it is watched. */
  filter(samples: StatsSample[]): StatsSample[] | undefined {
    if (this.ids === null) return samples;
    const ids = this.ids;
    const mine = samples.filter((s) => ids.has(s.id));
    return mine.length ? mine : undefined;
  }
}
