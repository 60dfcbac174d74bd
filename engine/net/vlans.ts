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
  /** `vlans range MIN MAX`: new aliases come from [min, max). */
  range?: { min: number; max: number };
}

/** `vlans range`: where new aliases come from, [min, max), and the next one to be handed out. */
export interface VlanRange {
  min: number;
  max: number;
  next: number;
}

/**
 * Per-daemon VLAN aliases (minimega's `vlans`): `LAN`, `DMZ`… get 101, 102… in first-use order;
 * numeric VLANs are used as given. Persisted by the owner (Network keeps them in net.json) because
 * running containers keep their VLANs across a daemon restart.
 */
export class VlanAliases {
  private readonly byAlias = new Map<string, number>();
  private readonly used = new Set<number>();
  private min = ALIAS_VLAN_MIN;
  private max = VLAN_LIMIT;

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
    const v = this.next();
    if (v === undefined) throw configError('vlan', vlan, `no free vlan for alias \`${vlan}\` in ${this.min}..${this.max - 1}`);
    this.byAlias.set(text, v);
    return v;
  }

  /** The lowest VLAN of the range no alias and no direct use holds. */
  private next(): number | undefined {
    const taken = new Set([...this.used, ...this.byAlias.values()]);
    for (let v = this.min; v < this.max; v++) if (!taken.has(v)) return v;
    return undefined;
  }

  /** `vlans add ALIAS VLAN` (minimega's AddAlias errors). */
  add(alias: string, vlan: number): void {
    if (!ALIAS_RE.test(alias)) throw configError('vlan', alias, `invalid VLAN alias \`${alias}\`: a name of letters, digits, _ - .`);
    if (!Number.isInteger(vlan) || vlan < 0 || vlan > VLAN_MAX) throw configError('vlan', vlan, `invalid VLAN ${vlan} (0 <= vlan < ${VLAN_LIMIT})`);
    if (this.byAlias.has(alias)) throw configError('vlan', alias, 'alias already in use');
    if (this.used.has(vlan) || [...this.byAlias.values()].includes(vlan)) throw configError('vlan', vlan, 'vlan already in use');
    this.byAlias.set(alias, vlan);
  }

  /** `vlans range [MIN MAX]`: the range new aliases come from, [min, max). */
  range(min?: number, max?: number): VlanRange {
    if (min !== undefined && max !== undefined) {
      if (max <= min) throw configError('vlan', `${min}-${max}`, 'expected min > max');
      if (min < 0 || max > VLAN_LIMIT) throw configError('vlan', `${min}-${max}`, `invalid VLAN range ${min}-${max} (0 <= vlan < ${VLAN_LIMIT})`);
      this.min = min;
      this.max = max;
    }
    return { min: this.min, max: this.max, next: this.next() ?? this.max };
  }

  /** `vlans blacklist [VLAN]`: keep a VLAN away from aliases (an alias on it is dropped); the list. */
  blacklist(vlan?: number): number[] {
    if (vlan !== undefined) {
      if (!Number.isInteger(vlan) || vlan < 0 || vlan > VLAN_MAX) throw configError('vlan', vlan, `invalid VLAN ${vlan} (0 <= vlan < ${VLAN_LIMIT})`);
      for (const [alias, v] of this.byAlias) if (v === vlan) this.byAlias.delete(alias);
      this.used.add(vlan);
    }
    return [...this.used].sort((a, b) => a - b);
  }

  /**
   * `clear vlans [PREFIX]`: forget the aliases starting with PREFIX; with none, every alias and the
   * range; `all` also the blacklist (minimega's fresh VLAN state).
   */
  clear(prefix = ''): void {
    for (const alias of [...this.byAlias.keys()]) if (prefix === 'all' || alias.startsWith(prefix)) this.byAlias.delete(alias);
    if (prefix === '' || prefix === 'all') {
      this.min = ALIAS_VLAN_MIN;
      this.max = VLAN_LIMIT;
    }
    if (prefix === 'all') this.used.clear();
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
    const range = this.min !== ALIAS_VLAN_MIN || this.max !== VLAN_LIMIT ? { range: { min: this.min, max: this.max } } : {};
    return { aliases: Object.fromEntries(this.byAlias), used: [...this.used].sort((a, b) => a - b), ...range };
  }

  static fromJSON(data: unknown): VlanAliases {
    const v = new VlanAliases();
    const d = (data ?? {}) as Partial<VlanAliasesJSON>;
    for (const [alias, id] of Object.entries(d.aliases ?? {})) {
      if (ALIAS_RE.test(alias) && Number.isInteger(id) && id >= 0 && id <= VLAN_MAX) v.byAlias.set(alias, id);
    }
    for (const id of d.used ?? []) if (Number.isInteger(id) && id >= 0 && id <= VLAN_MAX) v.used.add(id);
    const r = d.range;
    if (r && Number.isInteger(r.min) && Number.isInteger(r.max) && r.min >= 0 && r.max <= VLAN_LIMIT && r.min < r.max) {
      v.min = r.min;
      v.max = r.max;
    }
    return v;
  }
}
