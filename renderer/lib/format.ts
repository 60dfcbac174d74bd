import type { ContainerConfig, ContainerInfo } from '../../engine/api/types';

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n < 10 && i > 0 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 0) ms = 0;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d}d${h}h`;
  if (h) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** "100 (10.0.0.5/24), LAN" — what the VLAN/IP column shows. */
export function formatNets(c: ContainerInfo): string {
  if (c.nics.length) return c.nics.map((n) => (n.ip ? `${n.vlan} ${n.ip}` : n.vlan)).join(', ');
  return c.config.net.map((n) => (n.ip ? `${n.vlan} ${n.ip}` : n.vlan)).join(', ');
}

export function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => (v ? `${k}=${v}` : k))
    .join(' ');
}

function quote(s: string): string {
  return /^[^\s"'\\]+$/.test(s) ? s : JSON.stringify(s);
}

/**
 * The minimega commands equivalent to launching `names` with `config`: one `vm config` line per field
 * that differs from `base` (the daemon's current config), then `vm launch container NAMES`.
 */
export function minimegaCommands(names: string, config: ContainerConfig, base: ContainerConfig): string[] {
  const out: string[] = [];
  if (config.filesystem !== base.filesystem) out.push(`vm config filesystem ${quote(config.filesystem)}`);
  if (config.init.join('\0') !== base.init.join('\0')) out.push(`vm config init ${config.init.map(quote).join(' ')}`);
  if (config.preinit !== base.preinit) out.push(`vm config preinit ${quote(config.preinit)}`);
  if (config.hostname !== base.hostname) out.push(`vm config hostname ${quote(config.hostname)}`);
  if (config.memory !== base.memory) out.push(`vm config memory ${config.memory}`);
  if (config.vcpus !== base.vcpus) out.push(`vm config vcpus ${config.vcpus}`);
  if (config.fifos !== base.fifos) out.push(`vm config fifos ${config.fifos}`);
  if (JSON.stringify(config.volumes) !== JSON.stringify(base.volumes)) {
    for (const [inside, host] of Object.entries(config.volumes)) out.push(`vm config volume ${quote(inside)} ${quote(host)}`);
  }
  if (config.snapshot !== base.snapshot) out.push(`vm config snapshot ${config.snapshot}`);
  if (config.uuid !== base.uuid) out.push(`vm config uuid ${config.uuid}`);
  if (JSON.stringify(config.net) !== JSON.stringify(base.net)) {
    const nets = config.net.map((n) => [n.bridge, n.vlan, n.mac].filter(Boolean).join(','));
    if (nets.length) out.push(`vm config net ${nets.join(' ')}`);
  }
  if (JSON.stringify(config.tags) !== JSON.stringify(base.tags)) {
    for (const [k, v] of Object.entries(config.tags)) out.push(`vm config tags ${quote(k)} ${quote(v)}`);
  }
  out.push(`vm launch container ${names}`);
  return out;
}
