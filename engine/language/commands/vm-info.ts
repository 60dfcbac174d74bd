/** `vm info [summary]`: minimega's table of containers. */
import type { ContainerInfo, NicInfo } from '../../api/types.js';
import { marshalMap } from '../../config/go-values.js';
import type { CliCommand } from '../deps.js';
import { goDuration, listCell } from '../format.js';
import { tableResponse } from '../response.js';
import { qosText } from '../../net/qos.js';

/** Container columns in minimega's order. */
export const VM_INFO_COLUMNS = [
  'id', 'name', 'state', 'uptime', 'type', 'uuid', 'cc_active', 'pid',
  'vlan', 'bridge', 'tap', 'mac', 'ip', 'ip6', 'qos',
  'memory', 'vcpus', 'snapshot',
  'filesystem', 'hostname', 'init', 'preinit', 'fifo', 'volume', 'console_port',
  'tags',
] as const;

/** `vm info summary`. */
export const VM_SUMMARY_COLUMNS = ['id', 'name', 'state', 'type', 'uuid', 'cc_active', 'vlan'] as const;

/** minimega columns that only KVM VMs fill; accepted by `.columns`/`.filter`, printed as N/A. */
export const KVM_ONLY_COLUMNS = [
  'qinq', 'disks', 'initrd', 'kernel', 'cdrom', 'migrate', 'append',
  'serial-ports', 'virtio-ports', 'vnc_port',
] as const;

/** minimega printVLAN: `LAN (101)` for an alias, `101` otherwise. */
export function vlanText(n: NicInfo): string {
  if (n.vlan !== '' && !/^[0-9]+$/.test(n.vlan)) return `${n.vlan} (${n.vlanId})`;
  return String(n.vlanId);
}

/** One cell of `vm info` for a container. */
export function infoCell(c: ContainerInfo, column: string, now: number): string {
  const cfg = c.config;
  switch (column) {
    case 'id': return String(c.id);
    case 'name': return c.name;
    case 'state': return c.state;
    case 'uptime': return goDuration(now - c.launchedAt);
    case 'type': return 'container';
    case 'uuid': return c.uuid;
    case 'cc_active': return 'false';
    case 'pid': return String(c.pid);
    case 'vlan': return listCell(c.nics.map(vlanText));
    case 'bridge': return listCell(c.nics.map((n) => n.bridge));
    case 'tap': return listCell(c.nics.map((n) => n.tap));
    case 'mac': return listCell(c.nics.map((n) => n.mac));
    case 'ip': return listCell(c.nics.map((n) => n.ip));
    case 'ip6': return listCell(c.nics.map((n) => n.ip6));
    case 'qos': return listCell((c.qos ?? []).map(qosText));
    case 'memory': return String(cfg.memory);
    case 'vcpus': return String(cfg.vcpus);
    case 'snapshot': return String(cfg.snapshot);
    case 'filesystem': return cfg.filesystem;
    case 'hostname': return cfg.hostname || c.name;
    case 'init': return `[${cfg.init.join(' ')}]`;
    case 'preinit': return cfg.preinit;
    case 'fifo': return String(cfg.fifos);
    case 'volume': return marshalMap(cfg.volumes);
    case 'console_port': return c.console;
    case 'tags': return marshalMap(c.tags);
    default: return 'N/A';
  }
}

export function infoTable(vms: readonly ContainerInfo[], columns: readonly string[], now = Date.now()) {
  const rows = [...vms].sort((a, b) => a.id - b.id).map((c) => columns.map((col) => infoCell(c, col, now)));
  return tableResponse([...columns], rows, [...KVM_ONLY_COLUMNS]);
}

export const vmInfo: CliCommand = {
  words: ['vm', 'info'],
  usage: 'vm info [summary]',
  help: 'Print a table of the containers: every column, or with summary only id, name, state, type, uuid, cc_active and vlan.',
  async run(deps, args) {
    if (args.length > 1 || (args.length === 1 && args[0] !== 'summary')) throw new Error('usage: vm info [summary]');
    const vms = await deps.engine.call('vm.info');
    return infoTable(vms, args[0] === 'summary' ? VM_SUMMARY_COLUMNS : VM_INFO_COLUMNS);
  },
};
