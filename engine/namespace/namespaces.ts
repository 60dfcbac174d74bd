/**
 * The namespaces of one daemon (minimega's `namespaces` map): each a durable record plus its live
 * `vm config` store. The engine and the language share this one registry: the language's scope of a
 * namespace is the Namespace object itself, and the engine's verbs take a namespace by name.
 */
import { ConfigStore } from '../config/config-store.js';
import type { FieldEnv } from '../config/field.js';
import { configError } from '../errors.js';
import { DEFAULT_NAMESPACE, checkNamespaceName } from './names.js';

/** Namespaces one daemon keeps: each costs a record rewritten with the others on every change. */
export const MAX_NAMESPACES = 4096;
import { type NamespaceRecord, type QueuedLaunch, type ScheduleStat, newRecord } from './record.js';
import type { NamespaceStore } from './store.js';

/** One namespace: its record and its `vm config` (what the language calls a namespace's scope). */
export class Namespace {
  /** The host every queued VM goes to after `ns schedule dry-run`; undefined until then (not durable, as in minimega). */
  assignment: string | undefined;
  /** Runs of the scheduler for `ns schedule status`, oldest first (at most SCHEDULE_STATS_MAX; not durable, as in minimega). */
  schedules: ScheduleStat[] = [];

  constructor(
    readonly record: NamespaceRecord,
    readonly config: ConfigStore,
  ) {}

  get name(): string {
    return this.record.name;
  }

  get queueing(): boolean {
    return this.record.queueing;
  }

  set queueing(v: boolean) {
    this.record.queueing = v;
  }

  get launchCounter(): number {
    return this.record.launchCounter;
  }

  set launchCounter(v: number) {
    this.record.launchCounter = v;
  }

  get queue(): QueuedLaunch[] {
    return this.record.queue;
  }

  set queue(v: QueuedLaunch[]) {
    this.record.queue = v;
  }

  /** The record as it is stored now, with the config store's state folded in. */
  snapshot(): NamespaceRecord {
    return { ...structuredClone(this.record), vmConfig: this.config.toJSON() };
  }
}

export interface NamespacesOptions {
  store: NamespaceStore;
  /** This host: the one host every namespace spans until namespaces span hosts. */
  hostname: string;
  /** What a namespace's `vm config` setters need: the files directory, its VLAN alias allocation, preinit checks. */
  configEnv(namespace: string): FieldEnv;
  /** Use this store for the default namespace's `vm config` (the engine's `config`). */
  defaultConfig?: ConfigStore;
  /** Problems met while loading (unreadable records), for the daemon's log. */
  report?(message: string): void;
  /** A namespace was made or removed, or the active one changed. */
  changed?(): void;
}

export class Namespaces {
  private readonly byName = new Map<string, Namespace>();
  /** JSON of each record as last written, so commit() writes only what changed. */
  private readonly written = new Map<string, string>();
  private activeName = DEFAULT_NAMESPACE;
  /** Hosts a new namespace spans: this host alone, or every host of the cluster (setNewHosts). */
  private newHosts: () => string[] = () => [this.opts.hostname];

  constructor(private readonly opts: NamespacesOptions) {
    this.ensure(DEFAULT_NAMESPACE);
  }

  /** Load the stored records (a record whose `vm config` no longer validates keeps the defaults). */
  async open(): Promise<void> {
    const report = this.opts.report ?? (() => undefined);
    const data = await this.opts.store.load(report);
    for (const rec of data.records) {
      const ns = this.ensure(rec.name);
      Object.assign(ns.record, rec);
      delete ns.record.vmConfig;
      if (rec.vmConfig) {
        try {
          ns.config.restoreJSON(rec.vmConfig);
        } catch (e) {
          report(`namespace ${rec.name}: stored vm config refused (${(e as Error).message}); using the defaults`);
        }
      }
      this.written.set(rec.name, JSON.stringify(ns.snapshot()));
    }
    if (data.active && this.byName.has(data.active)) this.activeName = data.active;
  }

  get(name: string): Namespace | undefined {
    return this.byName.get(name);
  }

  /** The namespace called `name`, made when new (saved by the next commit); E_CONFIG for a bad name. */
  ensure(name: string): Namespace {
    let ns = this.byName.get(name);
    if (!ns) {
      checkNamespaceName(name);
      if (this.byName.size >= MAX_NAMESPACES)
        throw configError('namespace', name, `namespace ${name}: at most ${MAX_NAMESPACES} namespaces (clear namespace some first)`);
      const config = name === DEFAULT_NAMESPACE && this.opts.defaultConfig ? this.opts.defaultConfig : new ConfigStore(this.opts.configEnv(name));
      // minimega's default namespace is this host's alone; the others span the cluster.
      ns = new Namespace(newRecord(name, name === DEFAULT_NAMESPACE ? [this.opts.hostname] : this.newHosts()), config);
      this.byName.set(name, ns);
      this.opts.changed?.();
    }
    return ns;
  }

  /** The hosts namespaces made from now on span (a cluster's: every host registered when it is made). */
  setNewHosts(hosts: () => string[]): void {
    this.newHosts = hosts;
  }

  /** ensure() and persist at once. */
  async create(name: string): Promise<Namespace> {
    const ns = this.ensure(name);
    await this.commit(name);
    return ns;
  }

  /** Every namespace, sorted by name. */
  list(): Namespace[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Persist the records (one, or every one) that changed since they were last written. */
  async commit(name?: string): Promise<void> {
    const targets = name === undefined ? [...this.byName.values()] : [this.byName.get(name)].filter((n) => n !== undefined);
    for (const ns of targets) {
      const snap = ns.snapshot();
      const json = JSON.stringify(snap);
      if (this.written.get(ns.name) === json) continue;
      await this.opts.store.put(snap);
      this.written.set(ns.name, json);
    }
  }

  /**
   * Forget a namespace (its containers, aliases and pipes are the caller's to clear first). The default
   * namespace comes back empty at once, as minimega recreates it.
   */
  async remove(name: string): Promise<void> {
    const ns = this.byName.get(name);
    if (!ns) return;
    this.byName.delete(name);
    this.written.delete(name);
    await this.opts.store.delete(name);
    if (name === DEFAULT_NAMESPACE) {
      ns.config.clear();
      ns.config.clearSaved();
      this.ensure(DEFAULT_NAMESPACE);
    }
    if (this.activeName === name) await this.setActive(DEFAULT_NAMESPACE);
    this.opts.changed?.();
  }

  /** The namespace a new session starts in: the last one a session switched to. */
  get active(): string {
    return this.activeName;
  }

  async setActive(name: string): Promise<void> {
    this.ensure(name);
    await this.commit(name);
    if (this.activeName === name) return;
    this.activeName = name;
    await this.opts.store.setActive(name);
    this.opts.changed?.();
  }

  /** `count` names vm-<n> from the namespace's counter, persisted before they are handed out. */
  async launchNames(name: string, count: number): Promise<string[]> {
    const ns = this.ensure(name);
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(`vm-${ns.launchCounter++}`);
    await this.commit(name);
    return out;
  }
}
