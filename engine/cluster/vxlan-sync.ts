/**
 * Which segments (a bridge's VLAN) cross hosts, kept in etcd: vxlan/BRIDGE/VLAN/HOST = this host's
 * tunnel endpoint, present while it has live containers with a NIC on that VLAN of that bridge. Every
 * host watches the lot and keeps a tunnel (engine/net/vxlan.ts) for each of its segments that another
 * host has too, replicating to those hosts' endpoints. These keys are not leased: a host whose daemon died still has its containers
 * on the VLAN, so the others keep tunnelling to it.
 */
import type { ContainerInfo } from '../api/types.js';
import { logError } from '../log.js';
import { segmentKey, type VxlanTunnels } from '../net/vxlan.js';
import { keys, parseJson, ROOT, type VxlanMember } from './keys.js';
import type { ClusterStore } from './store.js';

/** Changes arriving together (a launch wave, a kill all) are synced once. */
const SYNC_DEBOUNCE_MS = 200;
/**
 * A sync that failed (etcd unreachable or electing a leader, a tunnel the kernel refused) is tried
 * again after RETRY_MIN_MS, doubling up to RETRY_MAX_MS, until one succeeds: no later change may be
 * coming to trigger it, and a segment left half made cuts that VLAN between hosts.
 */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;
/** VIDs a VXLAN segment is made for (a bridge's VLAN ids). */
const VID_MIN = 1;
const VID_MAX = 4094;

function alive(state: string): boolean {
  return state === 'BUILDING' || state === 'RUNNING' || state === 'PAUSED';
}

/** Segments (`BRIDGE/VLAN`) that live containers here have a connected NIC on. */
export function localSegments(vms: readonly ContainerInfo[]): Set<string> {
  const out = new Set<string>();
  for (const v of vms) {
    if (!alive(v.state)) continue;
    for (const n of v.nics) {
      if (n.vlan === 'disconnected') continue;
      if (n.vlanId >= VID_MIN && n.vlanId <= VID_MAX) out.add(segmentKey({ bridge: n.bridge, vlan: n.vlanId }));
    }
  }
  return out;
}

/** `vxlan/BRIDGE/VLAN/HOST` → [BRIDGE/VLAN, HOST]. */
function parseKey(key: string): [string, string] | undefined {
  const m = new RegExp(`^${ROOT}vxlan/([^/]+/\\d+)/([^/]+)$`).exec(key);
  return m ? [m[1]!, m[2]!] : undefined;
}

export class VxlanSync {
  /** Segment → host → endpoint, as etcd has it. */
  private readonly members = new Map<string, Map<string, string>>();
  /** Segments this host published. */
  private published = new Set<string>();
  private timer?: NodeJS.Timeout;
  private retryMs = RETRY_MIN_MS;
  private chain: Promise<void> = Promise.resolve();
  private unwatch?: () => Promise<void>;
  private offEvents?: () => void;
  private stopped = false;

  constructor(
    private readonly store: ClusterStore,
    private readonly self: string,
    private readonly me: VxlanMember,
    private readonly tunnels: Pick<VxlanTunnels, 'sync'>,
    private readonly vms: () => ContainerInfo[],
    onChange: (fn: () => void) => () => void,
  ) {
    this.offEvents = onChange(() => this.kick());
  }

  async start(): Promise<void> {
    this.unwatch = await this.store.watch(keys.vxlans, (e) => {
      const k = parseKey(e.key);
      if (!k) return;
      const [seg, host] = k;
      const m = this.members.get(seg) ?? new Map<string, string>();
      if (e.type === 'put') {
        const v = parseJson<VxlanMember>(e.value);
        if (v) m.set(host, v.address);
      } else m.delete(host);
      this.members.set(seg, m);
      if (host !== this.self) this.kick();
    });
    for (const kv of await this.store.list(keys.vxlans)) {
      const k = parseKey(kv.key);
      const v = parseJson<VxlanMember>(kv.value);
      if (!k || !v) continue;
      const m = this.members.get(k[0]) ?? new Map<string, string>();
      m.set(k[1], v.address);
      this.members.set(k[0], m);
      if (k[1] === this.self) this.published.add(k[0]);
    }
    await this.run();
  }

  /** Something changed: sync soon (changes within the debounce are synced together). */
  private kick(): void {
    this.schedule(SYNC_DEBOUNCE_MS);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.run().catch((e: unknown) => logError('cluster: vxlan sync', e));
    }, ms);
    this.timer.unref();
  }

  /** One sync after those already queued (syncs never overlap); a failed one is tried again later. */
  private run(): Promise<void> {
    this.chain = this.chain.then(async () => {
      const ok = await this.sync().catch((e: unknown) => {
        logError('cluster: vxlan sync', e);
        return false;
      });
      if (ok) this.retryMs = RETRY_MIN_MS;
      else {
        this.schedule(this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      }
    });
    return this.chain;
  }

  /** Publish this host's segments, then make the tunnels match; false if a tunnel is not as wanted yet. */
  private async sync(): Promise<boolean> {
    const local = localSegments(this.vms());
    for (const seg of local) {
      if (!this.published.has(seg)) await this.store.put(keys.vxlan(seg, this.self), JSON.stringify(this.me));
    }
    for (const seg of this.published) if (!local.has(seg)) await this.store.delete(keys.vxlan(seg, this.self));
    this.published = local;
    const want = new Map<string, Set<string>>();
    for (const seg of local) {
      const remotes = [...(this.members.get(seg) ?? new Map<string, string>())].filter(([h]) => h !== this.self).map(([, ip]) => ip);
      want.set(seg, new Set(remotes));
    }
    return this.tunnels.sync(want);
  }

  /** Stop following; the tunnels stay with the containers (they outlive the daemon). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.offEvents?.();
    await this.unwatch?.().catch(() => undefined);
    await this.chain;
  }
}
