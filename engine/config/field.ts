/** The shape of a `vm config` field and the Go-style printing its getters share. */
import type { ContainerConfig } from '../api/types.js';
import type { VmExtras } from './extras.js';

/** The whole `vm config`: what a container launch uses, and what only KVM/Android/placement use. */
export interface VmConfig {
  c: ContainerConfig;
  x: VmExtras;
}

/** What setters may need besides the value. */
export interface FieldEnv {
  /** minimega's files directory: relative paths resolve in it (its checkPath). */
  filesDir: string;
  /** This host's name (`vm config schedule localhost`). */
  hostname: string;
  /** Hosts `vm config schedule` may name: the cluster's (absent: this host alone). */
  hosts?(): string[];
  /** Allocate (and persist) the VLAN aliases a networks setting names: minimega does it at config time. */
  allocateVlans?(vlans: string[]): Promise<unknown>;
  /** Host checks of the config's preinit file (engine/config/paths.ts checkPreinit). */
  checkPreinit?(config: ContainerConfig): Promise<void>;
}

/**
 * How a field is set, which decides its pattern: `string`/`uint`/`int` take `[value]`, `bool` takes
 * `[true,false]`, `list` takes `[value]...`, `specs` takes `[<spec>]...` (networks, disks, bonds),
 * `map` takes nothing or `<key> [value]` (volume, tags).
 */
export type FieldKind = 'string' | 'uint' | 'int' | 'bool' | 'list' | 'specs' | 'map';

/** minimega's config block the field belongs to (the blocks of `vm config`); nanomega's own have theirs. */
export type FieldScope = 'base' | 'kvm' | 'container' | 'android' | 'nanomega';

export interface Field {
  /** `vm config <name>`. */
  name: string;
  /** Other names for the same field (`migrate` for `state`). */
  aliases?: readonly string[];
  kind: FieldKind;
  scope: FieldScope;
  /** One line of help (CLI `help`, GUI tooltips); containers ignore kvm/android/placement fields. */
  doc: string;
  /** Name of the spec in the pattern for `specs` fields (`netspec`). */
  spec?: string;
  get(v: VmConfig, key?: string): string;
  /** Set from the pattern's values: one value, a list, or key and value for maps. */
  set(v: VmConfig, args: string[], env: FieldEnv): void;
  /** Reset to the default; a map field may reset one key. */
  clear(v: VmConfig, key?: string): void;
}

/** Go's fmt %v of a []string: `[a b]`. */
export function goList(xs: readonly string[]): string {
  return `[${xs.join(' ')}]`;
}

/** A list getter as minimega's generated code prints it: nothing for an empty list. */
export function listGet(xs: readonly string[]): string {
  return xs.length === 0 ? '' : goList(xs);
}

/** `key -> value` lines, sorted by key (minimega prints map order, which Go randomises). */
export function mapLines(m: Record<string, string>): string {
  return Object.keys(m)
    .sort()
    .map((k) => `${k} -> ${m[k]}`)
    .join('\n');
}
