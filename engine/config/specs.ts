/**
 * minimega's disk and bond specs (cmd/minimega diskconfig.go ParseDiskConfig, netconfig.go
 * ParseBondConfig), parsed and printed with its rules and error texts. Containers keep but do not use them.
 */
import type { BondSpec, DiskSpec } from './extras.js';

const CACHES = ['none', 'writeback', 'unsafe', 'directsync', 'writethrough'];
const INTERFACES = ['ahci', 'ide', 'scsi', 'sd', 'mtd', 'floppy', 'pflash', 'virtio'];

/** PATH[,interface][,cache]; `resolve` turns a relative path into one under the files directory. */
export function parseDiskSpec(spec: string, resolve: (p: string) => string): DiskSpec {
  const f = spec.split(',');
  let path: string;
  let iface = '';
  let cache = '';
  if (f.length === 1) path = f[0]!;
  else if (f.length === 2 && CACHES.includes(f[1]!)) [path, cache] = [f[0]!, f[1]!];
  else if (f.length === 2 && INTERFACES.includes(f[1]!)) [path, iface] = [f[0]!, f[1]!];
  else if (f.length === 3 && INTERFACES.includes(f[1]!) && CACHES.includes(f[2]!)) [path, iface, cache] = [f[0]!, f[1]!, f[2]!];
  else throw new Error('malformed diskspec');
  return { path: resolve(path), iface, cache };
}

export function diskString(d: DiskSpec): string {
  return [d.path, ...(d.iface ? [d.iface] : []), ...(d.cache ? [d.cache] : [])].join(',');
}

/** A list of diskspecs; the same path twice is minimega's `disk conflict`. */
export function parseDiskSpecs(specs: string[], resolve: (p: string) => string): DiskSpec[] {
  const out: DiskSpec[] = [];
  for (const s of specs) {
    const d = parseDiskSpec(s, resolve);
    if (out.some((o) => o.path === d.path)) throw new Error(`disk conflict: ${d.path}`);
    out.push(d);
  }
  return out;
}

const BOND_MODES = ['active-backup', 'balance-slb', 'balance-tcp'];
const LACP_MODES = ['active', 'passive', 'off'];
const DEFAULT_LACP = 'active';

const is = (list: string[]) => (s: string | undefined) => s !== undefined && list.some((m) => m.toLowerCase() === s.toLowerCase());
const isMode = is(BOND_MODES);
const isLacp = is(LACP_MODES);
const isNoFallback = is(['no-lacp-fallback']);
const isQinq = is(['qinq']);

/** `<indexes>,<mode>[,<lacp>][,no-lacp-fallback][,qinq][,<name>]`. */
export function parseBondSpec(spec: string): BondSpec {
  const f = spec.split(',');
  const malformed = () => new Error('malformed bondspec');
  if (f.length < 3) throw malformed();
  const m = f.findIndex(isMode);
  if (m < 0) throw malformed();
  const ifaces = f.slice(0, m);
  let lacp = '';
  let noFallback = false;
  let qinq = false;
  let name = '';
  const [a, b, c, d] = [f[3], f[4], f[5], f[6]];
  switch (f.length) {
    case 4:
      if (isLacp(a)) lacp = a!;
      else if (isQinq(a)) qinq = true;
      else name = a!;
      break;
    case 5:
      if (isQinq(a)) [qinq, name] = [true, b!];
      else if (isLacp(a) && isNoFallback(b)) [lacp, noFallback] = [a!, true];
      else if (isLacp(a) && isQinq(b)) [lacp, qinq] = [a!, true];
      else if (isLacp(a)) [lacp, name] = [a!, b!];
      else throw malformed();
      break;
    case 6:
      if (isLacp(a) && isNoFallback(b) && isQinq(c)) [lacp, noFallback, qinq] = [a!, true, true];
      else if (isLacp(a) && isNoFallback(b)) [lacp, noFallback, name] = [a!, true, c!];
      else if (isLacp(a) && isQinq(b)) [lacp, qinq, name] = [a!, true, c!];
      else throw malformed();
      break;
    case 7:
      if (isLacp(a) && isNoFallback(b) && isQinq(c)) [lacp, noFallback, qinq, name] = [a!, true, true, d!];
      else throw malformed();
      break;
  }
  const interfaces = ifaces.map((s) => {
    if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`invalid interface index ${s} provided in bondspec`);
    return Number(s);
  });
  return { interfaces, mode: f[m]!, lacp: lacp || DEFAULT_LACP, fallback: !noFallback, qinq, name };
}

export function bondString(b: BondSpec): string {
  const parts = [...b.interfaces.map(String), b.mode];
  if (!b.fallback) parts.push(b.lacp, 'no-lacp-fallback');
  else if (b.lacp !== DEFAULT_LACP) parts.push(b.lacp);
  if (b.qinq) parts.push('qinq');
  if (b.name !== '' && !b.name.startsWith('mega_bond')) parts.push(b.name);
  return parts.join(',');
}
