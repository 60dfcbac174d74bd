import { EngineError } from '../errors.js';
import { MARK, type BridgeBackend, type OwnedBridges, type PortPlan } from './bridge-backend.js';
import { runBatch, runOne } from './ip.js';
import type { NetHost } from './net-host.js';

const OVS_VSCTL = 'ovs-vsctl';
/** Present when the openvswitch kernel module is loaded. */
const OVS_MODULE = '/sys/module/openvswitch';
/** external_ids key that marks bridges we created. */
const OWNER_KEY = `${MARK}-owner`;

/** Why OVS cannot be used here, or undefined when it can. */
export async function ovsUnavailable(host: NetHost): Promise<string | undefined> {
  const which = await host.run(['sh', '-c', `command -v ${OVS_VSCTL}`]);
  if (which.code !== 0) return `${OVS_VSCTL} not found`;
  if (!(await host.exists(OVS_MODULE))) return 'openvswitch kernel module not loaded';
  return undefined;
}

/** ovs-vsctl argv for adding access ports; one process for the whole list. */
export function addPortsArgv(tag: string, ports: readonly PortPlan[], newBridges: readonly string[]): string[] {
  const argv = [OVS_VSCTL];
  for (const br of newBridges) {
    argv.push('--', '--may-exist', 'add-br', br, '--', 'br-set-external-id', br, OWNER_KEY, tag);
  }
  for (const p of ports) {
    // minimega's ovsSetPortQinQ: the VLAN becomes the outer tag of a dot1q-tunnel port.
    argv.push('--', '--may-exist', 'add-port', p.bridge, p.port, `tag=${p.vlan}`, ...(p.qinq ? ['vlan_mode=dot1q-tunnel'] : []));
  }
  return argv;
}

/** Open vSwitch: one OVS bridge per logical bridge, access ports with `tag=V`. */
export class OvsBridge implements BridgeBackend {
  readonly kind = 'ovs' as const;
  readonly mode = 'ovs';

  constructor(
    private readonly host: NetHost,
    private readonly tag: string,
    private readonly owned: OwnedBridges,
  ) {}

  kernelBridge(bridge: string): string {
    return bridge;
  }

  async ensureBridge(name: string): Promise<void> {
    const created = await this.missing([name]);
    if (created.length === 0) return;
    await runOne(this.host, addPortsArgv(this.tag, [], created), 'create bridge', name);
  }

  addPort(bridge: string, port: string, vlan: number): Promise<void> {
    return this.addPorts([{ bridge, port, vlan }]);
  }

  async addPorts(ports: readonly PortPlan[], prelude: readonly string[] = []): Promise<void> {
    await runBatch(this.host, 'ip', [...prelude, ...ports.map((p) => `link set ${p.port} up`)], { op: 'attach ports' });
    const created = await this.missing([...new Set(ports.map((p) => p.bridge))]);
    await runOne(this.host, addPortsArgv(this.tag, ports, created), 'attach ports', ports[0]?.bridge ?? '');
  }

  async movePort(bridge: string, port: string, vlan: number): Promise<void> {
    const current = (await this.host.run([OVS_VSCTL, 'port-to-br', port])).stdout.trim();
    const created = await this.missing([bridge]);
    const argv = addPortsArgv(this.tag, [], created);
    if (current !== '' && current !== bridge) argv.push('--', 'del-port', current, port);
    argv.push('--', '--may-exist', 'add-port', bridge, port, '--', 'set', 'port', port, `tag=${vlan}`);
    await runOne(this.host, argv, `move ${port} to vlan ${vlan}`, port);
  }

  async removePort(bridge: string, port: string): Promise<void> {
    await runOne(this.host, [OVS_VSCTL, '--if-exists', 'del-port', bridge, port], 'disconnect', port);
  }

  async removeBridgeIfUnused(bridge: string): Promise<boolean> {
    if (!this.owned.has(bridge)) return false;
    const ports = await this.host.run([OVS_VSCTL, 'list-ports', bridge]);
    if (ports.code === 0 && ports.stdout.trim() !== '') return false;
    await runOne(this.host, [OVS_VSCTL, '--if-exists', 'del-br', bridge], 'remove bridge', bridge);
    this.owned.delete(bridge);
    return true;
  }

  async ownedBridges(): Promise<string[]> {
    return [...this.owned.keys()].sort();
  }

  /** Bridges of `names` that do not exist yet; recorded as owned before they are created. */
  private async missing(names: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const br of names) {
      const r = await this.host.run([OVS_VSCTL, 'br-exists', br]);
      if (r.code === 0) continue;
      if (r.code !== 2) throw new EngineError('E_HOST', `ovs-vsctl br-exists ${br}: ${r.stderr.trim()}`, { op: 'br-exists', path: br });
      this.owned.set(br, br);
      out.push(br);
    }
    return out;
  }
}
