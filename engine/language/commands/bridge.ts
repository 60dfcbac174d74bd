/** `bridge`: the managed bridges, their trunks and settings (minimega's patterns and columns). */
import type { BridgeInfo } from '../../api/types.js';
import type { Handler } from '../handler.js';
import { errorResponse, tableResponse } from '../response.js';

/** minimega's columns of `bridge`. */
export const BRIDGE_COLUMNS = ['bridge', 'preexisting', 'vlans', 'trunks', 'tunnels', 'bonds', 'config'] as const;

/** A list as Go's %v prints a []string: `[a b]`. */
function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/** A map as minimega's marshal (encoding/json, keys sorted) prints it. */
function goJson(config: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** The rows of `bridge` for `bridges`. */
export function bridgeRows(bridges: readonly BridgeInfo[]): string[][] {
  return bridges.map((b) => [b.name, String(b.preexisting), goList(b.vlans), goList(b.trunks), goList(b.tunnels), goList(b.bonds), goJson(b.config)]);
}

export const bridgeHandlers: Handler[] = [
  {
    patterns: [
      'bridge',
      'bridge <config,> <bridge> <config>',
      'bridge <trunk,> <bridge> <interface>',
      'bridge <notrunk,> <bridge> <interface>',
      'bridge <tunnel,> <vxlan,gre> <bridge> <remote ip> [key]',
      'bridge <notunnel,> <bridge> <interface>',
      'bridge <destroy,> <bridge>',
    ],
    help: 'display information and modify virtual bridges',
    helpLong:
      'With no arguments, list the bridges nanomega manages: the VLANs with container NICs or host taps on ' +
      'them (aliases as the current namespace names them), their trunks, and settings.\n\n' +
      '`bridge trunk BRIDGE IFACE` makes host interface IFACE (a NIC cabled to a switch trunk port, or a veth) ' +
      'carry every VLAN of BRIDGE tagged with its 802.1Q VLAN id, VLANs made later included; `bridge notrunk ' +
      'BRIDGE IFACE` stops it. On a Linux bridge with VLAN filtering IFACE becomes a port of the bridge; without ' +
      'it (one kernel bridge per VLAN) each VLAN bridge gets an 802.1Q subinterface IFACE.VLAN. IFACE itself is ' +
      'left as it is and must be up.\n\n' +
      '`bridge destroy BRIDGE` removes a bridge nothing uses (its trunks too). `bridge config BRIDGE K=V` sets an ' +
      'Open vSwitch bridge option (the Open vSwitch backend only).\n\n' +
      '`bridge tunnel vxlan|gre BRIDGE REMOTE [KEY]` carries the VLANs of BRIDGE to the bridge of host REMOTE in ' +
      'VXLAN (port 4789) or GRE: one tunnel with the 802.1Q tags inside (VNI or key KEY) on a VLAN-filtering or ' +
      'Open vSwitch bridge, one per VLAN bridge (id KEY×4096 + VLAN) without VLAN filtering. Tunnels are named ' +
      'like taps and listed; `bridge notunnel BRIDGE NAME` removes one.\n\nNote: bridge is not a namespace-aware command.',
    async call(ctx, cmd) {
      const a = cmd.stringArgs;
      const b = cmd.boolArgs;
      const engine = ctx.deps.engine;
      if (b.trunk) await engine.call('bridge.trunk', a.bridge!, a.interface!);
      else if (b.notrunk) await engine.call('bridge.notrunk', a.bridge!, a.interface!);
      else if (b.tunnel) await engine.call('bridge.tunnel', b.gre ? 'gre' : 'vxlan', a.bridge!, a.remote!, ...(a.key ? [a.key] : []));
      else if (b.notunnel) await engine.call('bridge.notunnel', a.bridge!, a.interface!);
      else if (b.config) await engine.call('bridge.config', a.bridge!, a.config!);
      else if (b.destroy) await engine.call('bridge.destroy', a.bridge!);
      else return tableResponse([...BRIDGE_COLUMNS], bridgeRows(await engine.call('bridge.list')));
      return errorResponse();
    },
  },
];
