import { join } from 'node:path';
import type { ContainerId } from '../api/types.js';
import type { Host } from '../host/host.js';

const FILE = 'kills.json';

/** What of a container record an intent needs. */
export interface KilledRecord {
  id: ContainerId;
  initPid: number;
  initStartTicks: number;
}

/** Which incarnation of a container an intent is for: its init (pid and start time), once it has one. */
export function incarnation(rec: KilledRecord): string | undefined {
  return rec.initPid > 0 && rec.initStartTicks > 0 ? `${rec.initPid}:${rec.initStartTicks}` : undefined;
}

/**
 * `vm kill` requests not yet in the killed containers' own records: `<base>/kills.json`, one write
 * for a whole wave of kills where a record write per container held the first SIGKILL of a
 * thousand back by tens of milliseconds. A restarted daemon reads it back (recovery): a listed
 * container still in the same incarnation counts as killed on request, so its exit is QUIT and a
 * kill cut short is finished. An entry is dropped once the exit is in the container's record.
 */
export class KillIntents {
  private readonly entries = new Map<ContainerId, string>();
  /** Writes in order, each with the entries as they are when it starts (the last one wins). */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: Host,
    private readonly base: string,
  ) {}

  private get path(): string {
    return join(this.base, FILE);
  }

  /**
   * Record kill requests durably. A record with no incarnation yet is left out (`covers` says which:
   * its caller saves the record itself). Rejects when the file cannot be written.
   */
  async add(recs: readonly KilledRecord[]): Promise<void> {
    for (const rec of recs) {
      const inc = incarnation(rec);
      if (inc) this.entries.set(rec.id, inc);
    }
    await this.write();
  }

  /** Whether `add` can cover this record. */
  covers(rec: KilledRecord): boolean {
    return incarnation(rec) !== undefined;
  }

  /** Drop the entries of these containers (their records say it now). */
  async remove(ids: readonly ContainerId[]): Promise<void> {
    let changed = false;
    for (const id of ids) changed = this.entries.delete(id) || changed;
    if (changed) await this.write();
  }

  /** Forget every entry (recovery put them into the records). */
  async clear(): Promise<void> {
    this.entries.clear();
    await this.write();
  }

  /**
   * The requests a previous daemon left, by container id. An unreadable file is reported through
   * `onBad` and read as empty: the records alone then say what was asked.
   */
  async load(onBad: (message: string) => void): Promise<Map<ContainerId, string>> {
    const found = new Map<ContainerId, string>();
    if (!(await this.host.exists(this.path))) return found;
    try {
      const v = JSON.parse(await this.host.readFile(this.path)) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      for (const [id, inc] of Object.entries(v as Record<string, unknown>)) {
        if (/^\d+$/.test(id) && typeof inc === 'string') found.set(Number(id), inc);
      }
    } catch (e) {
      onBad(`${this.path}: ${(e as Error).message}`);
    }
    return found;
  }

  private write(): Promise<void> {
    const next = this.writing.then(async () => {
      if (this.entries.size === 0) await this.host.removeTree(this.path);
      else await this.host.writeFileAtomic(this.path, JSON.stringify(Object.fromEntries(this.entries)) + '\n');
    });
    this.writing = next.catch(() => undefined);
    return next;
  }
}
