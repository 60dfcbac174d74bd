/**
 * An in-memory ClusterStore shared by several "daemons" of a unit test: one Map of keys, prefix
 * watchers, per-session keys and a first-come election. `session(name)` gives one daemon's view;
 * `expire(name)` is that daemon's lease running out (its session keys vanish, its campaign is lost).
 */
import type { Campaign, ClusterStore, KeyValue, StoreEvent, TxnOp } from './store.js';

interface Candidate {
  session: string;
  value: string;
  on: { elected(): void; lost(why: string): void };
}

export class MemoryCluster {
  readonly data = new Map<string, string>();
  private readonly owner = new Map<string, string>();
  private readonly watchers = new Set<{ prefix: string; fn: (e: StoreEvent) => void }>();
  private readonly elections = new Map<string, Candidate[]>();

  session(name: string): ClusterStore {
    return new MemorySession(this, name);
  }

  /** `name`'s lease expired: its session keys are deleted and it loses every election. */
  expire(name: string): void {
    for (const [key, who] of [...this.owner]) if (who === name) this.remove(key);
    for (const [election, list] of this.elections) {
      const leader = list[0];
      const rest = list.filter((c) => c.session !== name);
      this.elections.set(election, rest);
      if (leader?.session === name) {
        leader.on.lost('lease expired');
        rest[0]?.on.elected();
      }
    }
  }

  set(key: string, value: string, session?: string): void {
    this.data.set(key, value);
    if (session) this.owner.set(key, session);
    else this.owner.delete(key);
    this.emit({ type: 'put', key, value });
  }

  remove(key: string): void {
    if (!this.data.delete(key)) return;
    this.owner.delete(key);
    this.emit({ type: 'delete', key });
  }

  private emit(e: StoreEvent): void {
    for (const w of [...this.watchers]) if (e.key.startsWith(w.prefix)) w.fn(e);
  }

  watch(prefix: string, fn: (e: StoreEvent) => void): () => void {
    const w = { prefix, fn };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  campaign(election: string, c: Candidate): () => void {
    const list = this.elections.get(election) ?? [];
    list.push(c);
    this.elections.set(election, list);
    if (list.length === 1) queueMicrotask(() => c.on.elected());
    return () => {
      const now = this.elections.get(election) ?? [];
      const wasLeader = now[0] === c;
      const rest = now.filter((x) => x !== c);
      this.elections.set(election, rest);
      if (wasLeader) rest[0]?.on.elected();
    };
  }

  leader(election: string): string | undefined {
    return this.elections.get(election)?.[0]?.value;
  }
}

class MemorySession implements ClusterStore {
  constructor(
    private readonly c: MemoryCluster,
    private readonly name: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return this.c.data.get(key);
  }

  async list(prefix: string): Promise<KeyValue[]> {
    return [...this.c.data]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value }));
  }

  async put(key: string, value: string, opts: { session?: boolean } = {}): Promise<void> {
    this.c.set(key, value, opts.session ? this.name : undefined);
  }

  async delete(key: string): Promise<void> {
    this.c.remove(key);
  }

  async txn(ops: readonly TxnOp[], ifExists?: string): Promise<boolean> {
    if (ifExists !== undefined && !this.c.data.has(ifExists)) return false;
    for (const o of ops) {
      if (o.op === 'put') this.c.set(o.key, o.value, o.session ? this.name : undefined);
      else this.c.remove(o.key);
    }
    return true;
  }

  async watch(prefix: string, onEvent: (e: StoreEvent) => void): Promise<() => Promise<void>> {
    const stop = this.c.watch(prefix, onEvent);
    return async () => void stop();
  }

  campaign(election: string, value: string, on: { elected(): void; lost(why: string): void }): Campaign {
    const stop = this.c.campaign(election, { session: this.name, value, on });
    return { resign: async () => stop() };
  }

  async leader(election: string): Promise<string | undefined> {
    return this.c.leader(election);
  }

  async close(): Promise<void> {
    this.c.expire(this.name);
  }
}
