/**
 * Where namespace records live: behind an interface, so multi-host namespaces (issue 16) can keep them
 * in etcd. FileNamespaceStore keeps every record and the active namespace in one JSON file,
 * `<base>/namespaces.json`, written temp + fsync + rename before a change is reported done.
 */
import { join } from 'node:path';
import type { Host } from '../host/host.js';
import { type NamespaceRecord, parseRecord } from './record.js';

export interface NamespaceStoreData {
  records: NamespaceRecord[];
  /** The namespace new sessions start in (minimega's process-wide active namespace). */
  active?: string;
}

export interface NamespaceStore {
  /** Every record; problems with individual records are reported through `onBad` and skipped. */
  load(onBad: (message: string) => void): Promise<NamespaceStoreData>;
  /** Create or replace one record. */
  put(rec: NamespaceRecord): Promise<void>;
  delete(name: string): Promise<void>;
  setActive(name: string): Promise<void>;
}

const FILE = 'namespaces.json';

export class FileNamespaceStore implements NamespaceStore {
  private readonly path: string;
  private readonly records = new Map<string, NamespaceRecord>();
  private active: string | undefined;
  /** Writes run one after another, each with the whole state at its turn. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: Host,
    base: string,
  ) {
    this.path = join(base, FILE);
  }

  async load(onBad: (message: string) => void): Promise<NamespaceStoreData> {
    this.records.clear();
    if (await this.host.exists(this.path)) {
      const text = await this.host.readFile(this.path);
      let data: { records?: unknown; active?: unknown } | undefined;
      try {
        data = JSON.parse(text) as typeof data;
      } catch (e) {
        await this.host.rename(this.path, `${this.path}.bad`).catch(() => undefined); // Best-effort: reported either way.
        onBad(`${this.path}: ${(e as Error).message} (moved to ${FILE}.bad; starting with the default namespace only)`);
      }
      for (const r of Array.isArray(data?.records) ? data.records : []) {
        const rec = parseRecord(r);
        if (typeof rec === 'string') onBad(`${this.path}: namespace record skipped: ${rec}`);
        else this.records.set(rec.name, rec);
      }
      if (typeof data?.active === 'string') this.active = data.active;
    }
    return { records: [...this.records.values()].map((r) => structuredClone(r)), ...(this.active ? { active: this.active } : {}) };
  }

  put(rec: NamespaceRecord): Promise<void> {
    this.records.set(rec.name, structuredClone(rec));
    return this.write();
  }

  delete(name: string): Promise<void> {
    this.records.delete(name);
    return this.write();
  }

  setActive(name: string): Promise<void> {
    this.active = name;
    return this.write();
  }

  private write(): Promise<void> {
    const run = this.chain.then(() => {
      const data = { records: [...this.records.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), active: this.active };
      return this.host.writeFileAtomic(this.path, JSON.stringify(data, null, 1) + '\n');
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** A store that keeps nothing beyond the process (language unit tests, engines without a base). */
export class MemoryNamespaceStore implements NamespaceStore {
  readonly records = new Map<string, NamespaceRecord>();
  active: string | undefined;

  async load(): Promise<NamespaceStoreData> {
    return { records: [...this.records.values()].map((r) => structuredClone(r)), ...(this.active ? { active: this.active } : {}) };
  }

  async put(rec: NamespaceRecord): Promise<void> {
    this.records.set(rec.name, structuredClone(rec));
  }

  async delete(name: string): Promise<void> {
    this.records.delete(name);
  }

  async setActive(name: string): Promise<void> {
    this.active = name;
  }
}
