/**
 * The store behind `vm config` (one per namespace): the current configuration, getters and setters by
 * field name, save/restore/clone, and the qemu overrides. A refused value leaves the configuration as it
 * was.
 */
import type { ContainerConfig } from '../api/types.js';
import { configError } from '../errors.js';
import { copyConfig, defaultConfig } from './defaults.js';
import { copyExtras, defaultExtras, type VmExtras } from './extras.js';
import type { FieldEnv, VmConfig } from './field.js';
import { findField } from './fields.js';
import { validateConfig, validateExtras } from './validate.js';

/** A ConfigStore as plain data: what a namespace's durable record keeps (engine/namespace). */
export interface ConfigStoreJSON {
  current: ContainerConfig;
  extras: VmExtras;
  saved: Record<string, VmConfig>;
}

/** `data` as a whole configuration: defaults for what it lacks (older records), then validated. */
function loadVmConfig(data: unknown): VmConfig {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Partial<VmConfig>;
  const x0 = defaultExtras();
  const dx = (d.x ?? {}) as Partial<VmExtras>;
  const v: VmConfig = {
    c: copyConfig({ ...defaultConfig(), ...(d.c ?? {}) } as ContainerConfig),
    x: copyExtras({ ...x0, ...dx, kvm: { ...x0.kvm, ...(dx.kvm ?? {}) }, android: { ...x0.android, ...(dx.android ?? {}) } }),
  };
  validateConfig(v.c);
  validateExtras(v.x);
  return v;
}

export class ConfigStore {
  /** What a container launch uses. */
  current: ContainerConfig = defaultConfig();
  /** What only KVM, Android and cluster placement use: kept and printed, ignored by containers. */
  extras: VmExtras = defaultExtras();
  private readonly saved = new Map<string, VmConfig>();

  /** @param env the files directory relative KVM paths resolve in, and this host's name. */
  constructor(public env: FieldEnv = { filesDir: '', hostname: '' }) {}

  /** The whole configuration (a live view: do not keep it across changes). */
  get whole(): VmConfig {
    return { c: this.current, x: this.extras };
  }

  /** Getter text of a field (names match by prefix); `key` for the map fields (volume, tags). */
  get(field: string, key?: string): string {
    const f = findField(field);
    if (key !== undefined && f.kind !== 'map') throw configError(f.name, key, `vm config ${f.name} takes no key`);
    return f.get(this.whole, key);
  }

  /**
   * Set a field from its values; nothing changes when the value is refused. Relative host paths resolve
   * under the files directory; networks allocate their VLAN aliases; a preinit is checked on the host
   * now (and again at every launch, and by the shim when it runs it).
   */
  async set(field: string, args: string[]): Promise<void> {
    const f = findField(field);
    const next: VmConfig = { c: copyConfig(this.current), x: copyExtras(this.extras) };
    f.set(next, args, this.env);
    validateConfig(next.c);
    validateExtras(next.x);
    if (f.name === 'networks') await this.env.allocateVlans?.(next.c.net.map((n) => n.vlan));
    if (f.name === 'preinit' && next.c.preinit !== '') await this.env.checkPreinit?.(next.c);
    this.current = next.c;
    this.extras = next.x;
  }

  /** Reset one field (or one key of a map field) or, with no field, everything. */
  clear(field?: string, key?: string): void {
    if (field === undefined) {
      this.current = defaultConfig();
      this.extras = defaultExtras();
      return;
    }
    const next: VmConfig = { c: copyConfig(this.current), x: copyExtras(this.extras) };
    findField(field).clear(next, key);
    this.current = next.c;
    this.extras = next.x;
  }

  /** `vm config qemu-override <match> <replacement>`: appended, applied in order (KVM only). */
  addQemuOverride(match: string, replacement: string): void {
    this.extras = copyExtras(this.extras);
    this.extras.kvm.qemuOverride.push({ match, replacement });
  }

  clearQemuOverrides(): void {
    this.extras = copyExtras(this.extras);
    this.extras.kvm.qemuOverride = [];
  }

  save(name: string): void {
    this.saved.set(name, { c: copyConfig(this.current), x: copyExtras(this.extras) });
  }

  /** A saved configuration (a copy), or minimega's error. */
  savedConfig(name: string): VmConfig {
    const v = this.saved.get(name);
    if (!v) throw configError('config', name, `config ${name} does not exist`);
    return { c: copyConfig(v.c), x: copyExtras(v.x) };
  }

  restore(name: string): void {
    const v = this.savedConfig(name);
    this.current = v.c;
    this.extras = v.x;
  }

  /** Names of saved configs, sorted. */
  savedNames(): string[] {
    return [...this.saved.keys()].sort();
  }

  /** Forget every saved config (`clear all`). */
  clearSaved(): void {
    this.saved.clear();
  }

  /** Everything the store holds, as copies. */
  toJSON(): ConfigStoreJSON {
    const saved: Record<string, VmConfig> = {};
    for (const [k, v] of this.saved) saved[k] = { c: copyConfig(v.c), x: copyExtras(v.x) };
    return { current: copyConfig(this.current), extras: copyExtras(this.extras), saved };
  }

  /**
   * Take back what toJSON gave (a field it lacks gets its default). A value validation refuses throws
   * E_CONFIG naming the field, and the store stays as it was.
   */
  restoreJSON(data: unknown): void {
    const d = (typeof data === 'object' && data !== null ? data : {}) as Partial<ConfigStoreJSON>;
    const now = loadVmConfig({ c: d.current, x: d.extras });
    const saved = new Map<string, VmConfig>();
    for (const [k, v] of Object.entries(d.saved ?? {})) saved.set(k, loadVmConfig(v));
    this.current = now.c;
    this.extras = now.x;
    this.saved.clear();
    for (const [k, v] of saved) this.saved.set(k, v);
  }

  /** Take a container's configuration (as launched) but not its UUID; KVM and Android settings stay. */
  clone(from: ContainerConfig): void {
    const c = copyConfig(from);
    c.uuid = '';
    this.current = c;
  }
}
