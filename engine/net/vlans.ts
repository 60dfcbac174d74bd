import { configError } from '../errors.js';
import { DEFAULT_NAMESPACE, NAMESPACE_SEP, namespaceNameProblem, splitQualified } from '../namespace/names.js';

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
  /** `namespace//alias` → VLAN (older files: plain aliases, which belong to the default namespace). */
  aliases: Record<string, number>;
  /** Numeric VLANs used directly, and blacklisted ones; aliases never land on them. */
  used: number[];
  /** Older files: the global range. */
  range?: { min: number; max: number };
  /** `vlans range`: '' is the global range (set from the default namespace), others a namespace's own. */
  ranges?: Record<string, { min: number; max: number }>;
}

/** `vlans range`: where new aliases come from, [min, max), and the next one to be handed out. */
export interface VlanRange {
  min: number;
  max: number;
  next: number;
}

/** The range key of a namespace: the default namespace sets the global one (minimega's `""`). */
const rangeKey = (ns: string): string => (ns === DEFAULT_NAMESPACE ? '' : ns);

/**
 * The daemon's VLAN aliases (minimega's internal/vlans): each alias belongs to a namespace (`LAN` typed
 * in namespace `foo` is `foo//LAN`; typing `other//LAN` names another namespace's), VLAN numbers are one
 * pool for the whole host. Aliases get the lowest free VLAN of their namespace's range, or of the global
 * range [101, 4096) skipping the ranges namespaces reserved; numeric VLANs are used as given and never
 * handed to an alias. Persisted by the owner (Network keeps them in net.json) because running
 * containers keep their VLANs across a daemon restart.
 */
export class VlanAliases {
  /** `namespace//alias` → VLAN. */
  private readonly byAlias = new Map<string, number>();
  private readonly used = new Set<number>();
  /** '' → the global range; a namespace → its own. */
  private readonly ranges = new Map<string, { min: number; max: number }>();

  /** `ns//alias` for what a user typed in namespace `ns`; throws naming the value when it is not an alias. */
  private key(ns: string, text: string, shown = text): string {
    const q = splitQualified(ns, text);
    const nsWhy = namespaceNameProblem(q.namespace);
    if (nsWhy) throw configError('vlan', shown, `invalid VLAN alias \`${shown}\`: ${nsWhy}`);
    if (!ALIAS_RE.test(q.value)) {
      throw configError('vlan', shown, `invalid VLAN alias \`${shown}\`: use a number 0-${VLAN_MAX} or a name of letters, digits, _ - .`);
    }
    return q.namespace + NAMESPACE_SEP + q.value;
  }

  /** VLAN id for `vlan` as a user in namespace `ns` wrote it ("101", "LAN", "other//LAN"); allocates a new alias when needed. */
  resolve(vlan: string, ns = DEFAULT_NAMESPACE): number {
    const text = vlan.trim();
    if (/^[0-9]+$/.test(text)) {
      const n = parseVlanNumber(text);
      if (n === undefined) throw configError('vlan', vlan, `invalid VLAN ${vlan} (0 <= vlan < ${VLAN_LIMIT})`);
      this.used.add(n);
      return n;
    }
    const key = this.key(ns, text, vlan);
    const known = this.byAlias.get(key);
    if (known !== undefined) return known;
    const owner = key.slice(0, key.indexOf(NAMESPACE_SEP));
    const v = this.next(owner);
    const r = this.rangeFor(owner);
    if (v === undefined) throw configError('vlan', vlan, `no free vlan for alias \`${vlan}\` in ${r.min}..${r.max - 1}`);
    this.byAlias.set(key, v);
    return v;
  }

  /** VLAN id for `vlan` as `resolve` would give it, without allocating: undefined for an unknown alias or bad text. */
  lookup(vlan: string, ns = DEFAULT_NAMESPACE): number | undefined {
    const text = vlan.trim();
    if (/^[0-9]+$/.test(text)) return parseVlanNumber(text);
    try {
      return this.byAlias.get(this.key(ns, text, vlan));
    } catch {
      return undefined;
    }
  }

  /** The range a namespace's aliases come from: its own, or the global one. */
  private rangeFor(ns: string): { min: number; max: number } {
    return this.ranges.get(rangeKey(ns)) ?? this.ranges.get('') ?? { min: ALIAS_VLAN_MIN, max: VLAN_LIMIT };
  }

  /** The lowest VLAN of the namespace's range no alias and no direct use holds (the global range skips reserved ones). */
  private next(ns: string): number | undefined {
    const taken = new Set([...this.used, ...this.byAlias.values()]);
    const own = this.ranges.has(rangeKey(ns)) && rangeKey(ns) !== '';
    const r = this.rangeFor(ns);
    const reserved = own ? [] : [...this.ranges].filter(([k]) => k !== '').map(([, x]) => x);
    for (let v = r.min; v < r.max; v++) {
      if (!taken.has(v) && !reserved.some((x) => v >= x.min && v < x.max)) return v;
    }
    return undefined;
  }

  /** `vlans add ALIAS VLAN` in namespace `ns` (minimega's AddAlias errors). */
  add(alias: string, vlan: number, ns = DEFAULT_NAMESPACE): void {
    const key = this.key(ns, alias);
    if (!Number.isInteger(vlan) || vlan < 0 || vlan > VLAN_MAX) throw configError('vlan', vlan, `invalid VLAN ${vlan} (0 <= vlan < ${VLAN_LIMIT})`);
    if (this.byAlias.has(key)) throw configError('vlan', alias, 'alias already in use');
    if (this.used.has(vlan) || [...this.byAlias.values()].includes(vlan)) throw configError('vlan', vlan, 'vlan already in use');
    this.byAlias.set(key, vlan);
  }

  /**
   * `vlans range [MIN MAX]` in namespace `ns`: the range its new aliases come from, [min, max). The
   * default namespace sets the global range; another namespace reserves its own, which may not overlap
   * another namespace's. Without MIN MAX: the range, or null for a namespace without one of its own.
   */
  range(min?: number, max?: number, ns = DEFAULT_NAMESPACE): VlanRange | null {
    const k = rangeKey(ns);
    if (min !== undefined && max !== undefined) {
      if (max <= min) throw configError('vlan', `${min}-${max}`, 'expected min > max');
      if (min < 0 || max > VLAN_LIMIT) throw configError('vlan', `${min}-${max}`, `invalid VLAN range ${min}-${max} (0 <= vlan < ${VLAN_LIMIT})`);
      for (const [other, r] of this.ranges) {
        if (other === k || other === '') continue;
        if (min < r.max && r.min <= max) throw configError('vlan', `${min}-${max}`, `range overlaps with another namespace: ${other}`);
      }
      this.ranges.set(k, { min, max });
    }
    if (k !== '' && !this.ranges.has(k)) return null;
    const r = this.rangeFor(ns);
    return { ...r, next: this.next(ns) ?? r.max };
  }

  /** The range `namespace` prints: the global one for the default namespace, a namespace's own, or undefined. */
  rangeOf(ns: string): { min: number; max: number } | undefined {
    const k = rangeKey(ns);
    return k === '' ? this.rangeFor(ns) : this.ranges.get(k);
  }

  /** `vlans blacklist [VLAN]`: keep a VLAN away from aliases of every namespace (an alias on it is dropped); the list. */
  blacklist(vlan?: number): number[] {
    if (vlan !== undefined) {
      if (!Number.isInteger(vlan) || vlan < 0 || vlan > VLAN_MAX) throw configError('vlan', vlan, `invalid VLAN ${vlan} (0 <= vlan < ${VLAN_LIMIT})`);
      for (const [alias, v] of this.byAlias) if (v === vlan) this.byAlias.delete(alias);
      this.used.add(vlan);
    }
    return [...this.used].sort((a, b) => a - b);
  }

  /**
   * `clear vlans [PREFIX]` in namespace `ns`: forget its aliases starting with PREFIX; with none, every
   * alias of it and its range (the global one from the default namespace). `all`: every alias of every
   * namespace, every range and the blacklist (minimega's fresh VLAN state).
   */
  clear(prefix = '', ns = DEFAULT_NAMESPACE): void {
    if (prefix === 'all') {
      this.byAlias.clear();
      this.ranges.clear();
      this.used.clear();
      return;
    }
    const own = ns + NAMESPACE_SEP;
    for (const key of [...this.byAlias.keys()]) if (key.startsWith(own) && key.slice(own.length).startsWith(prefix)) this.byAlias.delete(key);
    if (prefix === '') this.ranges.delete(rangeKey(ns));
  }

  /** A namespace is destroyed: its aliases and its own range go (the global range stays). */
  deleteNamespace(ns: string): void {
    const own = ns + NAMESPACE_SEP;
    for (const key of [...this.byAlias.keys()]) if (key.startsWith(own)) this.byAlias.delete(key);
    if (rangeKey(ns) !== '') this.ranges.delete(ns);
  }

  /** The alias of a VLAN id as namespace `ns` sees it (`LAN`, or `other//LAN`), if it has one. */
  aliasOf(id: number, ns = DEFAULT_NAMESPACE): string | undefined {
    for (const [key, v] of this.byAlias) {
      if (v !== id) continue;
      return key.startsWith(ns + NAMESPACE_SEP) ? key.slice(ns.length + NAMESPACE_SEP.length) : key;
    }
    return undefined;
  }

  /** `LAN (101)` for aliased VLANs, `101` otherwise — minimega's PrintVLAN. */
  describe(id: number, ns = DEFAULT_NAMESPACE): string {
    const alias = this.aliasOf(id, ns);
    return alias === undefined ? String(id) : `${alias} (${id})`;
  }

  /** Rows for the `vlans` command of namespace `ns` (its own aliases, unprefixed), sorted by VLAN. */
  list(ns = DEFAULT_NAMESPACE): { alias: string; vlan: number }[] {
    const own = ns + NAMESPACE_SEP;
    return [...this.byAlias]
      .filter(([key]) => key.startsWith(own))
      .map(([key, vlan]) => ({ alias: key.slice(own.length), vlan }))
      .sort((a, b) => a.vlan - b.vlan);
  }

  toJSON(): VlanAliasesJSON {
    const ranges = this.ranges.size ? { ranges: Object.fromEntries(this.ranges) } : {};
    return { aliases: Object.fromEntries(this.byAlias), used: [...this.used].sort((a, b) => a - b), ...ranges };
  }

  static fromJSON(data: unknown): VlanAliases {
    const v = new VlanAliases();
    const d = (data ?? {}) as Partial<VlanAliasesJSON>;
    for (const [name, id] of Object.entries(d.aliases ?? {})) {
      if (!Number.isInteger(id) || id < 0 || id > VLAN_MAX) continue;
      // A plain alias is from a file written before namespaces: it was the default namespace's.
      const key = name.includes(NAMESPACE_SEP) ? name : DEFAULT_NAMESPACE + NAMESPACE_SEP + name;
      const q = splitQualified(DEFAULT_NAMESPACE, key);
      if (ALIAS_RE.test(q.value) && !namespaceNameProblem(q.namespace)) v.byAlias.set(key, id);
    }
    for (const id of d.used ?? []) if (Number.isInteger(id) && id >= 0 && id <= VLAN_MAX) v.used.add(id);
    const ok = (r: { min: number; max: number } | undefined): r is { min: number; max: number } =>
      !!r && Number.isInteger(r.min) && Number.isInteger(r.max) && r.min >= 0 && r.max <= VLAN_LIMIT && r.min < r.max;
    if (ok(d.range)) v.ranges.set('', { min: d.range.min, max: d.range.max });
    for (const [k, r] of Object.entries(d.ranges ?? {})) if (ok(r) && (k === '' || !namespaceNameProblem(k))) v.ranges.set(k, { min: r.min, max: r.max });
    return v;
  }
}
