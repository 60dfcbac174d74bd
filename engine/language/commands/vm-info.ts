/**
 * `vm info [summary]`: minimega's 44 columns, in its order. A container fills the generic, network,
 * base and container columns; the KVM and Android ones read N/A as in minimega; `qinq` and `bond` are `[]`
 * (no QinQ or bonds on container veths). `.json` Data is the list of VMs shaped like
 * minimega's ContainerVM.
 */
import type { ContainerInfo, NicInfo } from '../../api/types.js';
import { marshalMap } from '../../config/go-values.js';
import type { Handler } from '../handler.js';
import { DEFAULT_NAMESPACE } from '../session.js';
import { goDuration, listCell } from '../format.js';
import { qosText } from '../../net/qos.js';
import { NOT_APPLICABLE, tableResponse } from '../response.js';

/** minimega's vm info columns (vm.go vmInfo). */
export const VM_INFO_COLUMNS = [
  'id',
  'name',
  'state',
  'uptime',
  'type',
  'uuid',
  'cc_active',
  'pid',
  'vlan',
  'bridge',
  'tap',
  'mac',
  'ip',
  'ip6',
  'qos',
  'qinq',
  'bond',
  'memory',
  'vcpus',
  'disks',
  'snapshot',
  'initrd',
  'kernel',
  'cdrom',
  'save',
  'append',
  'serial-ports',
  'virtio-ports',
  'vnc_port',
  'usb-use-xhci',
  'tpm-socket',
  'bidirectional-copy-paste',
  'android_avd',
  'android_console_port',
  'android_adb_port',
  'android_serial',
  'filesystem',
  'hostname',
  'init',
  'preinit',
  'fifo',
  'volume',
  'console_port',
  'tags',
] as const;

/** `vm info summary`. */
export const VM_SUMMARY_COLUMNS = ['id', 'name', 'state', 'type', 'uuid', 'cc_active', 'vlan'] as const;

/** The VLAN text of an unplugged NIC. */
const DISCONNECTED = 'disconnected';

/** minimega printVLAN: `LAN (101)` for an alias, `101` otherwise; `disconnected` when unplugged. */
export function vlanText(n: NicInfo): string {
  if (n.vlan === DISCONNECTED) return DISCONNECTED;
  if (n.vlan !== '' && !/^[0-9]+$/.test(n.vlan)) return n.vlanId < 0 ? n.vlan : `${n.vlan} (${n.vlanId})`;
  return String(n.vlanId);
}

/** An unplugged NIC is on no bridge (minimega clears it). */
function bridgeText(n: NicInfo): string {
  return n.vlan === DISCONNECTED ? '' : n.bridge;
}

/** One cell of `vm info` for a container. */
export function infoCell(c: ContainerInfo, column: string, now: number): string {
  const cfg = c.config;
  switch (column) {
    case 'id':
      return String(c.id);
    case 'name':
      return c.name;
    case 'state':
      return c.state;
    case 'uptime':
      return goDuration(now - c.launchedAt);
    case 'type':
      return 'container';
    case 'uuid':
      return c.uuid;
    case 'cc_active':
      return String(c.ccActive ?? false);
    case 'pid':
      return String(c.pid);
    case 'vlan':
      return listCell(c.nics.map(vlanText));
    case 'bridge':
      return listCell(c.nics.map(bridgeText));
    case 'tap':
      return listCell(c.nics.map((n) => n.tap));
    case 'mac':
      return listCell(c.nics.map((n) => n.mac));
    case 'ip':
      return listCell(c.nics.map((n) => n.ip));
    case 'ip6':
      return listCell(c.nics.map((n) => n.ip6));
    case 'qos':
      return listCell((c.qos ?? []).map(qosText));
    case 'qinq':
    case 'bond':
      return '[]';
    case 'memory':
      return String(cfg.memory);
    case 'vcpus':
      return String(cfg.vcpus);
    case 'snapshot':
      return String(cfg.snapshot);
    case 'filesystem':
      return cfg.filesystem;
    case 'hostname':
      return cfg.hostname || c.name;
    case 'init':
      return `[${cfg.init.join(' ')}]`;
    case 'preinit':
      return cfg.preinit;
    // minimega prints N/A here (its field is named fifos); the count is more use.
    case 'fifo':
      return String(cfg.fifos);
    case 'volume':
      return marshalMap(cfg.volumes);
    // A unix socket path: consoles are never on a TCP port here.
    case 'console_port':
      return c.console;
    case 'tags':
      return marshalMap(c.tags);
    default:
      return NOT_APPLICABLE;
  }
}

/** A container as minimega's JSON of a ContainerVM (BaseVM, BaseConfig and ContainerConfig flattened). */
export function vmData(c: ContainerInfo): Record<string, unknown> {
  const cfg = c.config;
  return {
    UUID: c.uuid,
    VCPUs: cfg.vcpus,
    Memory: cfg.memory,
    Snapshot: cfg.snapshot,
    Schedule: '',
    Colocate: '',
    Coschedule: -1,
    Backchannel: cfg.backchannel,
    Networks: c.nics.map((n) => ({
      Alias: /^[0-9]+$/.test(n.vlan) || n.vlan === DISCONNECTED ? '' : n.vlan,
      VLAN: n.vlan === DISCONNECTED ? -1 : n.vlanId,
      Bridge: bridgeText(n),
      Tap: n.tap,
      MAC: n.mac,
      Driver: '',
      IP4: n.ip,
      IP6: n.ip6,
      QinQ: false,
    })),
    Bonds: [],
    Tags: { ...c.tags },
    ID: c.id,
    Name: c.name,
    Namespace: DEFAULT_NAMESPACE,
    Host: '',
    State: c.state,
    LaunchTime: new Date(c.launchedAt).toISOString(),
    Type: 'container',
    ActiveCC: false,
    Pid: c.pid,
    FilesystemPath: cfg.filesystem,
    Hostname: cfg.hostname || c.name,
    Init: cfg.init,
    Preinit: cfg.preinit,
    Fifos: cfg.fifos,
    VolumePaths: { ...cfg.volumes },
    ConsolePort: c.console,
  };
}

export function infoTable(vms: readonly ContainerInfo[], columns: readonly string[], host: string, now = Date.now()) {
  const sorted = [...vms].sort((a, b) => a.id - b.id);
  const rows = sorted.map((c) => columns.map((col) => infoCell(c, col, now)));
  return { ...tableResponse([...columns], rows), data: sorted.map((c) => ({ ...vmData(c), Host: host })) };
}

export const vmInfoHandlers: Handler[] = [
  {
    patterns: ['vm info [summary,]'],
    help: 'print information about VMs',
    helpLong:
      'A table of the containers with every column minimega has (KVM and Android ones read N/A); `summary` keeps ' +
      'id, name, state, type, uuid, cc_active and vlan. Use .columns and .filter to pick columns and rows: ' +
      "`.columns name,state,ip .filter state=running vm info`. `console_port` is the console socket's path and " +
      '`fifo` the number of fifos.',
    async call(ctx, cmd) {
      const vms = await ctx.deps.engine.call('vm.info');
      return infoTable(vms, cmd.boolArgs.summary ? VM_SUMMARY_COLUMNS : VM_INFO_COLUMNS, ctx.deps.hostname);
    },
  },
];
