/**
 * The network of an experiment as a graph, from the engine's data: bridges joined to their VLAN
 * segments (hubs), containers joined to segments by one edge per NIC (a container on two or more
 * segments is a router), host taps on their segment, dnsmasq servers on their tap, and tap mirrors
 * from the mirrored port's owner to the monitor. Pure: the view
 * (TopologyView.vue) turns it into Cytoscape elements and keeps them in step with it.
 */
import type { ContainerInfo, DnsmasqInfo, HostTapInfo, NicQos, TapMirrorInfo, VmState } from '../../engine/api/types';

export type NodeKind = 'bridge' | 'segment' | 'container' | 'tap' | 'dnsmasq';

export interface TopoNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** Containers: state, router flag, engine id. */
  state?: VmState;
  router?: boolean;
  vmId?: number;
  /** Segments: the logical bridge and the VLAN. */
  bridge?: string;
  vlan?: string;
  vlanId?: number;
}

export interface TopoEdge {
  id: string;
  source: string;
  target: string;
  kind: 'nic' | 'tap' | 'dhcp' | 'trunk' | 'mirror';
  label: string;
  /** NIC edges: which NIC of which container, its host end and qos. */
  vmId?: number;
  index?: number;
  tap?: string;
  qos?: string;
  /** The container is not running (QUIT/ERROR): its NIC has no host end now. */
  down?: boolean;
}

export interface Topology {
  nodes: TopoNode[];
  edges: TopoEdge[];
}

export interface TopoInput {
  containers: readonly ContainerInfo[];
  taps?: readonly HostTapInfo[];
  dnsmasq?: readonly DnsmasqInfo[];
  /** `tap mirror`s: an edge from the mirrored port's owner to the one that gets the copies. */
  mirrors?: readonly TapMirrorInfo[];
}

/** A NIC taken off its bridge (`vm net disconnect`) has no segment. */
const DISCONNECTED = 'disconnected';

export const segmentId = (bridge: string, vlanId: number) => `seg:${bridge}:${vlanId}`;
export const bridgeId = (bridge: string) => `br:${bridge}`;
export const containerId = (id: number) => `vm:${id}`;

/** minimega's VLAN text: `LAN (101)` for an alias, `101` otherwise. */
export function vlanLabel(vlan: string, vlanId: number): string {
  return vlan !== '' && !/^\d+$/.test(vlan) ? `${vlan} (${vlanId})` : String(vlanId);
}

function qosLabel(q: NicQos | undefined): string {
  if (!q) return '';
  return [q.rate && `rate ${q.rate}`, q.loss && `loss ${q.loss}%`, q.delay && `delay ${q.delay}`].filter(Boolean).join(' ');
}

export function buildTopology(input: TopoInput): Topology {
  const nodes = new Map<string, TopoNode>();
  const edges: TopoEdge[] = [];
  const segment = (bridge: string, vlan: string, vlanId: number): string => {
    const id = segmentId(bridge, vlanId);
    if (!nodes.has(bridgeId(bridge))) nodes.set(bridgeId(bridge), { id: bridgeId(bridge), kind: 'bridge', label: bridge });
    const known = nodes.get(id);
    // An alias names the segment better than its number, whoever mentions it first.
    if (!known || (/^\d+$/.test(known.vlan ?? '') && !/^\d+$/.test(vlan))) {
      nodes.set(id, { id, kind: 'segment', label: vlanLabel(vlan, vlanId), bridge, vlan, vlanId });
    }
    if (!known) edges.push({ id: `trunk:${bridge}:${vlanId}`, source: bridgeId(bridge), target: id, kind: 'trunk', label: '' });
    return id;
  };

  for (const c of input.containers) {
    const segs = new Set<string>();
    const node: TopoNode = { id: containerId(c.id), kind: 'container', label: c.name, state: c.state, vmId: c.id, router: false };
    nodes.set(node.id, node);
    c.nics.forEach((n, index) => {
      if (n.vlan === DISCONNECTED || !n.bridge) return;
      const seg = segment(n.bridge, n.vlan, n.vlanId);
      segs.add(seg);
      edges.push({
        id: `nic:${c.id}:${index}`,
        source: node.id,
        target: seg,
        kind: 'nic',
        label: `veth${index}`,
        vmId: c.id,
        index,
        tap: n.tap,
        qos: qosLabel(c.qos?.find((q) => q.index === index)),
        down: c.state === 'QUIT' || c.state === 'ERROR',
      });
    });
    node.router = segs.size >= 2;
  }
  for (const t of input.taps ?? []) {
    const id = `tap:${t.name}`;
    nodes.set(id, { id, kind: 'tap', label: t.name });
    edges.push({ id: `tapl:${t.name}`, source: id, target: segment(t.bridge, t.vlan, t.vlanId), kind: 'tap', label: t.ip || (t.dhcp ? 'dhcp' : '') });
  }
  for (const d of input.dnsmasq ?? []) {
    const id = `dns:${d.id}`;
    nodes.set(id, { id, kind: 'dnsmasq', label: `dnsmasq ${d.id}` });
    if (d.interface && nodes.has(`tap:${d.interface}`)) {
      edges.push({ id: `dhcp:${d.id}`, source: id, target: `tap:${d.interface}`, kind: 'dhcp', label: d.min && d.max ? `${d.min}–${d.max}` : '' });
    }
  }
  // A mirror joins the owners of its two ports: a container (by the host end of one of its NICs) or a host tap.
  const owner = new Map<string, string>();
  for (const c of input.containers) for (const n of c.nics) if (n.tap) owner.set(n.tap, containerId(c.id));
  for (const t of input.taps ?? []) owner.set(t.name, `tap:${t.name}`);
  for (const m of input.mirrors ?? []) {
    const source = owner.get(m.src);
    const target = owner.get(m.dst);
    if (source && target) edges.push({ id: `mirror:${m.dst}`, source, target, kind: 'mirror', label: `mirror ${m.src} → ${m.dst}` });
  }
  return { nodes: [...nodes.values()], edges };
}

/** What changed between two topologies: elements to add and remove, and nodes whose data changed. */
export interface TopoDiff {
  addNodes: TopoNode[];
  addEdges: TopoEdge[];
  remove: string[];
  updateNodes: TopoNode[];
  updateEdges: TopoEdge[];
}

export function diffTopology(prev: Topology, next: Topology): TopoDiff {
  const pn = new Map(prev.nodes.map((n) => [n.id, n]));
  const pe = new Map(prev.edges.map((e) => [e.id, e]));
  const nn = new Map(next.nodes.map((n) => [n.id, n]));
  const ne = new Map(next.edges.map((e) => [e.id, e]));
  const d: TopoDiff = { addNodes: [], addEdges: [], remove: [], updateNodes: [], updateEdges: [] };
  for (const n of next.nodes) {
    const old = pn.get(n.id);
    if (!old) d.addNodes.push(n);
    else if (!sameData(old, n)) d.updateNodes.push(n);
  }
  for (const e of next.edges) {
    const old = pe.get(e.id);
    if (!old || old.source !== e.source || old.target !== e.target) d.addEdges.push(e);
    else if (!sameData(old, e)) d.updateEdges.push(e);
  }
  for (const e of prev.edges) {
    const n = ne.get(e.id);
    if (!n || n.source !== e.source || n.target !== e.target) d.remove.push(e.id);
  }
  for (const n of prev.nodes) {
    const m = nn.get(n.id);
    if (!m) d.remove.push(n.id);
  }
  return d;
}

function sameData(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}

export interface Point {
  x: number;
  y: number;
}

/** Room per container around its segment, and between segment clusters. */
const RING_STEP = 70;
const FIRST_RING = 90;
const SLOT = 62;

/** Slots on ring r (0-based) around a segment: as many as fit at SLOT spacing. */
function ringSlots(r: number): number {
  return Math.max(6, Math.floor((2 * Math.PI * (FIRST_RING + r * RING_STEP)) / SLOT));
}

/** Radius needed for `n` members. */
function clusterRadius(n: number): number {
  let r = 0;
  let left = n;
  while (left > 0) {
    left -= ringSlots(r);
    r++;
  }
  return FIRST_RING + Math.max(0, r - 1) * RING_STEP;
}

function slotPoint(center: Point, k: number): Point {
  let r = 0;
  while (k >= ringSlots(r)) k -= ringSlots(r++);
  const n = ringSlots(r);
  const a = (2 * Math.PI * k) / n + (r % 2 ? Math.PI / n : 0) - Math.PI / 2;
  const rad = FIRST_RING + r * RING_STEP;
  return { x: center.x + rad * Math.cos(a), y: center.y + rad * Math.sin(a) };
}

/**
 * A deterministic layout that costs O(n) for any size: segments on a grid, each with its members on
 * rings around it; routers between the segments they join; hosts without a segment in a row below.
 * Positions in `keep` are left where they are (a saved layout), others are placed.
 */
export function clusterLayout(topo: Topology, keep: Readonly<Record<string, Point>> = {}): Record<string, Point> {
  const out: Record<string, Point> = {};
  const segs = topo.nodes.filter((n) => n.kind === 'segment');
  const members = new Map<string, string[]>(segs.map((s) => [s.id, []]));
  const segsOf = new Map<string, string[]>();
  for (const e of topo.edges) {
    if (e.kind === 'dhcp' || e.kind === 'trunk') continue;
    const list = segsOf.get(e.source) ?? [];
    if (!list.includes(e.target)) list.push(e.target);
    segsOf.set(e.source, list);
  }
  for (const [node, list] of segsOf) if (list.length === 1) members.get(list[0]!)?.push(node);
  // dnsmasq sits with the segment of its tap.
  for (const e of topo.edges) {
    if (e.kind !== 'dhcp') continue;
    const seg = segsOf.get(e.target)?.[0];
    if (seg) members.get(seg)?.push(e.source);
  }
  const radius = Math.max(FIRST_RING, ...[...members.values()].map((m) => clusterRadius(m.length)));
  const cell = 2 * radius + 2 * RING_STEP;
  const cols = Math.max(1, Math.ceil(Math.sqrt(segs.length)));
  const sorted = [...segs].sort((a, b) => (a.bridge! + a.vlanId).localeCompare(b.bridge! + b.vlanId, undefined, { numeric: true }));
  sorted.forEach((s, i) => {
    out[s.id] = keep[s.id] ?? { x: (i % cols) * cell, y: Math.floor(i / cols) * cell };
  });
  for (const s of sorted) {
    let k = 0;
    for (const m of members.get(s.id)!) {
      if (keep[m]) continue;
      out[m] = slotPoint(out[s.id]!, k++);
    }
  }
  // Routers: the middle of their segments, nudged apart when several share the same ones.
  const seen = new Map<string, number>();
  for (const [node, list] of segsOf) {
    if (list.length < 2 || keep[node]) continue;
    const pts = list.map((s) => out[s]!).filter(Boolean);
    const key = [...list].sort().join('|');
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const cx = pts.reduce((a, p) => a + p.x, 0) / pts.length;
    const cy = pts.reduce((a, p) => a + p.y, 0) / pts.length;
    out[node] = { x: cx + (n % 2 ? 1 : -1) * Math.ceil(n / 2) * SLOT * 0.8, y: cy + Math.ceil(n / 2) * SLOT * 0.5 };
  }
  // A bridge sits in the middle of its segments, a little above.
  for (const n of topo.nodes) {
    if (n.kind !== 'bridge' || keep[n.id]) continue;
    const pts = segs.filter((x) => x.bridge === n.label).map((x) => out[x.id]!);
    if (!pts.length) continue;
    out[n.id] = {
      x: pts.reduce((a, p) => a + p.x, 0) / pts.length,
      y: Math.min(...pts.map((p) => p.y)) - (pts.length > 1 ? cell / 2 : FIRST_RING + RING_STEP),
    };
  }
  const rows = Math.ceil(segs.length / cols);
  let loose = 0;
  for (const n of topo.nodes) {
    if (out[n.id] || keep[n.id]) continue;
    out[n.id] = { x: (loose % 20) * SLOT, y: rows * cell + Math.floor(loose / 20) * SLOT };
    loose++;
  }
  const ids = new Set(topo.nodes.map((n) => n.id));
  for (const [id, p] of Object.entries(keep)) if (ids.has(id)) out[id] = p;
  return out;
}
