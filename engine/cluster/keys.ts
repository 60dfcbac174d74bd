/**
 * The cluster's keys in etcd, all under /nanomega/ (one cluster per etcd; etcd's own auth and TLS
 * guard it). Values are JSON. Session keys vanish with their daemon's lease; the others are desired
 * state and reports that outlive a daemon.
 *
 *   hosts/HOST                 session  ClusterHost: a live daemon and its load
 *   status/HOST                         StatusReport: its containers as last reported (shown UNKNOWN while it is down)
 *   requests/ID                session  LaunchRequest: a `vm launch` waiting for the scheduler
 *   plans/ID                            Plan: where the scheduler put it (or why it could not)
 *   placements/HOST/ID                  Placement: VMs HOST must launch (deleted by HOST when done)
 *   results/ID/HOST                     LaunchResult: what HOST launched of it
 *   vxlan/BRIDGE/VLAN/HOST              VxlanMember: HOST has containers on BRIDGE's VLAN (its tunnel endpoint)
 */
import type { ClusterHost, ContainerConfig, ContainerInfo } from '../api/types.js';
import type { HostSort, Placement as VmPlacement } from '../namespace/record.js';

export const ROOT = '/nanomega/';
/** The election of the daemon that schedules. */
export const SCHEDULER_ELECTION = 'nanomega-scheduler';

export const keys = {
  hosts: `${ROOT}hosts/`,
  host: (h: string) => `${ROOT}hosts/${h}`,
  statuses: `${ROOT}status/`,
  status: (h: string) => `${ROOT}status/${h}`,
  requests: `${ROOT}requests/`,
  request: (id: string) => `${ROOT}requests/${id}`,
  plan: (id: string) => `${ROOT}plans/${id}`,
  placements: (h: string) => `${ROOT}placements/${h}/`,
  placement: (h: string, id: string) => `${ROOT}placements/${h}/${id}`,
  results: (id: string) => `${ROOT}results/${id}/`,
  result: (id: string, h: string) => `${ROOT}results/${id}/${h}`,
  vxlans: `${ROOT}vxlan/`,
  /** `segment`: BRIDGE/VLAN (engine/net/vxlan.ts segmentKey). */
  vxlan: (segment: string, h: string) => `${ROOT}vxlan/${segment}/${h}`,
};

/** The last path element of a key. */
export function lastPart(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

export interface StatusReport {
  host: ClusterHost;
  vms: ContainerInfo[];
}

export interface LaunchGroup {
  names: string[];
  config: ContainerConfig;
  placement?: VmPlacement;
}

export interface LaunchRequest {
  id: string;
  /** The host whose `vm launch` it is. */
  from: string;
  namespace: string;
  groups: LaunchGroup[];
  hosts: string[];
  sortBy: HostSort;
  vlans: { alias: string; vlan: number }[];
  assignment?: Record<string, string[]>;
}

export interface Plan {
  /** host → names; absent with `error`. */
  placed?: Record<string, string[]>;
  error?: string;
}

export interface PlacementOrder {
  id: string;
  namespace: string;
  groups: LaunchGroup[];
  vlans: { alias: string; vlan: number }[];
}

export interface LaunchResult {
  launched: number;
  errors: string[];
}

export interface VxlanMember {
  address: string;
  mtu: number;
}

/** JSON of a stored value, or undefined when it is not (a foreign or damaged key is skipped). */
export function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
