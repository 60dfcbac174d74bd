/**
 * The store behind `vm config`: the current config, getters and setters by field name, save/restore/clone
 * and the `vm config` block.
 */
import type { ContainerConfig } from '../api/types.js';
import { configError } from '../errors.js';
import { copyConfig, defaultConfig } from './defaults.js';
import { FIELDS, findField, KEYED_FIELDS } from './fields.js';
import { marshalMap } from './go-values.js';
import { validateConfig } from './validate.js';

/** Align `label:\tvalue` lines like Go's tabwriter (min width 5, padding 1). */
function alignBlock(rows: [string, string][]): string {
  const width = Math.max(5, ...rows.map(([k]) => [...k].length + 1));
  return rows.map(([k, v]) => (k + ' '.repeat(width - [...k].length) + v).trimEnd()).join('\n');
}

export class ConfigStore {
  current: ContainerConfig = defaultConfig();
  private readonly saved = new Map<string, ContainerConfig>();

  /** Getter text of a field (prefix names allowed); `key` for keyed fields (volume, tags). */
  get(field: string, key?: string): string {
    const f = findField(field);
    if (key !== undefined && !KEYED_FIELDS.includes(f.name)) {
      throw configError(f.name, key, `vm config ${f.name} takes no key`);
    }
    return f.get(this.current, key);
  }

  /** Set a field from its CLI arguments; the config is left unchanged when the value is refused. */
  set(field: string, args: string[]): void {
    const f = findField(field);
    const next = copyConfig(this.current);
    f.set(next, args);
    validateConfig(next);
    this.current = next;
  }

  /** Reset one field (or one key of a keyed field) or, with no field, everything. */
  clear(field?: string, key?: string): void {
    if (field === undefined) {
      this.current = defaultConfig();
      return;
    }
    const f = findField(field);
    const next = copyConfig(this.current);
    f.clear(next, key);
    this.current = next;
  }

  save(name: string): void {
    this.saved.set(name, copyConfig(this.current));
  }

  restore(name: string): void {
    const c = this.saved.get(name);
    if (!c) throw configError('config', name, `config ${name} does not exist`);
    this.current = copyConfig(c);
  }

  /** Names of saved configs, sorted. */
  savedNames(): string[] {
    return [...this.saved.keys()].sort();
  }

  /** Copy a container's config (as launched) but not its UUID. */
  clone(from: ContainerConfig): void {
    const c = copyConfig(from);
    c.uuid = '';
    this.current = c;
  }

  /** `vm config` alone: minimega's base block then the container block. */
  print(): string {
    const c = this.current;
    const base = alignBlock([
      ['Memory:', String(c.memory)],
      ['VCPUS:', String(c.vcpus)],
      ['Networks:', FIELDS.find((f) => f.name === 'net')!.get(c)],
      ['Snapshot:', String(c.snapshot)],
      ['UUID:', c.uuid],
      ['Tags:', marshalMap(c.tags)],
    ]);
    const volumes: [string, string][] = Object.keys(c.volumes)
      .sort()
      .map((k) => ['', `${k} -> ${c.volumes[k]}`]);
    const container = alignBlock([
      ['Filesystem Path:', c.filesystem],
      ['Hostname:', c.hostname],
      ['Init:', `[${c.init.join(' ')}]`],
      ['Pre-init:', c.preinit],
      ['FIFOs:', String(c.fifos)],
      ['Volumes:', ''],
      ...volumes,
    ]);
    return `Current VM configuration:\n${base}\n\nContainer configuration:\n${container}`;
  }
}
