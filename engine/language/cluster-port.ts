/**
 * What the language needs from a cluster (`nanomega serve --cluster`): the hosts, a way to run a
 * line on one of them, what a host that is down last reported, and the scheduler. Implemented by
 * engine/cluster/ (cluster.ts); absent when the daemon runs alone, and absent in the sessions that
 * run a peer's fan-out (those answer for their own host only, as minimega's commands with a Source).
 */
import type { ClusterHost, ContainerConfig, ContainerInfo, HostResponse } from '../api/types.js';
import type { HostSort, Placement } from '../namespace/record.js';

/** VMs to place: each group shares a config (a `vm launch` line), its names already given. */
export interface PlacementGroup {
  names: string[];
  config: ContainerConfig;
  placement?: Placement;
}

export interface ScheduleRequest {
  namespace: string;
  groups: PlacementGroup[];
  /** The namespace's hosts (`ns hosts`); the ones that are down are left out. */
  hosts: string[];
  sortBy: HostSort;
  /** The namespace's VLAN aliases, so every host resolves `LAN` to the same VLAN. */
  vlans: { alias: string; vlan: number }[];
  /** A placement made earlier (`ns schedule dry-run`, then `mv`): used as it is. */
  assignment?: Record<string, string[]>;
}

export interface ScheduleOutcome {
  /** host → names launched there. */
  placed: Record<string, string[]>;
  launched: number;
  errors: string[];
}

export interface ClusterPort {
  /** This host's name in the cluster. */
  readonly self: string;
  /** Every registered host, up or down. */
  hosts(): Promise<ClusterHost[]>;
  /** Run `line` on `host` in `namespace`, there only; its responses. Throws E_UNAVAILABLE when it cannot be reached. */
  run(host: string, line: string, namespace: string): Promise<HostResponse[]>;
  /** The containers of `namespace` that `host` last reported (for a host that is down). */
  lastKnown(host: string, namespace: string): Promise<ContainerInfo[]>;
  /** Where the scheduler would put the groups (host → names), launching nothing. */
  plan(req: ScheduleRequest): Promise<Record<string, string[]>>;
  /** Place and launch through the elected scheduler; resolves when every host reported. */
  schedule(req: ScheduleRequest): Promise<ScheduleOutcome>;
  /** Every container of `namespace` on every host (live hosts asked, down ones as last reported). */
  vms(namespace: string): Promise<ContainerInfo[]>;
}
