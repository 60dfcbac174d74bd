/**
 * minimega's cc filters: parsing `cc filter k=v ...` (ron.Filter), printing them, and matching a
 * client. Unknown keys are tags; when matching, a `vm info` column of the same name wins over the tag.
 */
import type { CcClientInfo, CcFilter } from '../api/types.js';

export function emptyFilter(): CcFilter {
  return { uuid: '', hostname: '', arch: '', os: '', ip: '', mac: '', tags: {} };
}

/** `cc filter` arguments → a filter (minimega: `tag=k:v`, `tag=k=v`, `k=v` are tags, `=` beats `:`). */
export function parseFilter(pairs: readonly string[]): CcFilter {
  const f = emptyFilter();
  let tags: Record<string, string> | undefined;
  for (const v of pairs) {
    const eq = v.indexOf('=');
    if (eq < 0) throw new Error(`malformed id=value pair: ${v}`);
    const key = v.slice(0, eq);
    const value = v.slice(eq + 1);
    switch (key.toLowerCase()) {
      case 'uuid':
        f.uuid = value.toLowerCase();
        break;
      case 'hostname':
        f.hostname = value;
        break;
      case 'arch':
        f.arch = value;
        break;
      case 'os':
        f.os = value;
        break;
      case 'ip':
        f.ip = value;
        break;
      case 'mac':
        f.mac = value;
        break;
      default: {
        // `tag=foo:bar`, `tag=foo=bar`, `tag=foo`, or an implicit `foo=bar`.
        const body = key.toLowerCase() === 'tag' ? value : v;
        const sep = body.includes('=') ? '=' : body.includes(':') ? ':' : '';
        tags ??= {};
        if (sep === '') tags[body] = '';
        else tags[body.slice(0, body.indexOf(sep))] = body.slice(body.indexOf(sep) + 1);
      }
    }
  }
  if (tags) f.tags = tags;
  return f;
}

/** Go's json.Marshal of the tags map: keys sorted. */
export function tagsJson(tags: Record<string, string>): string {
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) sorted[k] = tags[k]!;
  return JSON.stringify(sorted);
}

/** The `cc filter` table row: uuid, hostname, arch, os, ip, mac, tags. */
export function filterRow(f: CcFilter): string[] {
  return [f.uuid, f.hostname, f.arch, f.os, f.ip, f.mac, tagsJson(f.tags)];
}

/** ron.Filter.String(): the set fields joined by ` && ` (tags sorted, as Go's map order is not stable). */
export function filterString(f: CcFilter | null): string {
  if (!f) return '';
  const out: string[] = [];
  for (const k of ['uuid', 'hostname', 'arch', 'os', 'ip', 'mac'] as const) if (f[k]) out.push(`${k}=${f[k]}`);
  for (const k of Object.keys(f.tags).sort()) out.push(`${k}=${f.tags[k]}`);
  return out.join(' && ');
}

function ipToNum(ip: string): bigint | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) | (0xffffn << 32n); // v4-mapped
  }
  if (!ip.includes(':')) return undefined;
  const [head, tail] = ip.split('::') as [string, string?];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  if (ip.split('::').length > 2 || h.length + t.length > 8) return undefined;
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Does `ip` fall in `cidr` (Go's net.ParseCIDR + Contains)? A malformed CIDR matches nothing. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [net, len] = cidr.split('/') as [string, string];
  const n = ipToNum(net);
  const a = ipToNum(ip);
  if (n === undefined || a === undefined || !/^\d+$/.test(len)) return false;
  const v4 = net.includes('.');
  const bits = Number(len) + (v4 ? 96 : 0);
  if (bits > 128 || (v4 && !ip.includes('.') && !(a >> 32n === 0xffffn))) return false;
  const shift = BigInt(128 - bits);
  return n >> shift === a >> shift;
}

/** What a filter is matched against: the client, its tags, and its `vm info` columns. */
export interface FilterSubject {
  client: CcClientInfo;
  tags: Record<string, string>;
  /** A `vm info` column's value ('' or undefined when it has none). */
  info(column: string): string | undefined;
}

/** ron.Client.Matches. */
export function matches(f: CcFilter | null, s: FilterSubject): boolean {
  if (!f) return true;
  const c = s.client;
  if (f.uuid && f.uuid !== c.uuid) return false;
  if (f.hostname && f.hostname !== c.hostname) return false;
  if (f.arch && f.arch !== c.arch) return false;
  if (f.os && f.os !== c.os) return false;
  for (const [k, v] of Object.entries(f.tags)) {
    const actual = s.info(k) || s.tags[k] || '';
    if (actual !== v) return false;
  }
  if (f.ip) {
    const ok = f.ip.includes('/') ? c.ip.some((ip) => cidrContains(f.ip, ip)) : c.ip.includes(f.ip);
    if (!ok) return false;
  }
  if (f.mac && !c.mac.includes(f.mac)) return false;
  return true;
}
