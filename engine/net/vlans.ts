import { configError } from '../errors.js';

/** First VLAN handed to an alias, as minimega's default range [101, 4096). */
export const ALIAS_VLAN_MIN = 101;
/**
 * VLANs are 0 <= vlan < 4096, as minimega's ParseVLAN accepts them. 0 (no VLAN / priority tag) and 4095
 * (reserved) cannot be a VID on a Linux vlan-filtering bridge: that backend gives them a bridge of their
 * own (linux-bridge.ts); OVS takes them as `tag=`.
 */
export const VLAN_LIMIT = 4096;
export const VLAN_MAX = VLAN_LIMIT - 1;
/** Aliases are names a user types: letters first, then letters, digits, `_`, `-`, `.`. */
export const VLAN_ALIAS_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const ALIAS_RE = VLAN_ALIAS_RE;

/** A VLAN number as written ("0".."4095"), or undefined when it is none. */
export function parseVlanNumber(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n < VLAN_LIMIT ? n : undefined;
}

export interface VlanAliasesJSON {
  aliases: Record<string, number>;
  /** Numeric VLANs used directly; aliases never land on them. */
  used: number[];
}

/**
 * Per-daemon VLAN aliases (minimega's `vlans`): `LAN`, `DMZ`… get 101, 102… in first-use order;
 * numeric VLANs are used as given. Persisted by the owner (Network keeps them in net.json) because
 * running containers keep their VLANs across a daemon restart.
 */
export class VlanAliases {
  private readonly byAlias = new Map<string, number>();
  private readonly used = new Set<number>();

  /** VLAN id for `vlan` as a user wrote it ("101" or "LAN"); allocates a new alias when needed. */
  resolve(vlan: string): number {
    const text = vlan.trim();
    if (/^[0-9]+$/.test(text)) {
      const n = parseVlanNumber(text);
      if (n === undefined) throw configError('vlan', vlan, `invalid VLAN ${vlan} (0 <= vlan < ${VLAN_LIMIT})`);
      this.used.add(n);
      return n;
    }
    if (!ALIAS_RE.test(text)) {
      throw configError('vlan', vlan, `invalid VLAN alias \`${vlan}\`: use a number 0-${VLAN_MAX} or a name of letters, digits, _ - .`);
    }
    const known = this.byAlias.get(text);
    if (known !== undefined) return known;
    const taken = new Set([...this.used, ...this.byAlias.values()]);
    for (let v = ALIAS_VLAN_MIN; v <= VLAN_MAX; v++) {
      if (!taken.has(v)) {
        this.byAlias.set(text, v);
        return v;
      }
    }
    throw configError('vlan', vlan, `no free vlan for alias \`${vlan}\` in ${ALIAS_VLAN_MIN}..${VLAN_MAX}`);
  }

  /** The alias of a VLAN id, if it has one. */
  aliasOf(id: number): string | undefined {
    for (const [alias, v] of this.byAlias) if (v === id) return alias;
    return undefined;
  }

  /** `LAN (101)` for aliased VLANs, `101` otherwise — the `vm info` vlan cell. */
  describe(id: number): string {
    const alias = this.aliasOf(id);
    return alias === undefined ? String(id) : `${alias} (${id})`;
  }

  /** Rows for the `vlans` command, sorted by VLAN. */
  list(): { alias: string; vlan: number }[] {
    return [...this.byAlias].map(([alias, vlan]) => ({ alias, vlan })).sort((a, b) => a.vlan - b.vlan);
  }

  toJSON(): VlanAliasesJSON {
    return { aliases: Object.fromEntries(this.byAlias), used: [...this.used].sort((a, b) => a - b) };
  }

  static fromJSON(data: unknown): VlanAliases {
    const v = new VlanAliases();
    const d = (data ?? {}) as Partial<VlanAliasesJSON>;
    for (const [alias, id] of Object.entries(d.aliases ?? {})) {
      if (ALIAS_RE.test(alias) && Number.isInteger(id) && id >= 0 && id <= VLAN_MAX) v.byAlias.set(alias, id);
    }
    for (const id of d.used ?? []) if (Number.isInteger(id) && id >= 0 && id <= VLAN_MAX) v.used.add(id);
    return v;
  }
}
