import type { NetSpec, NicInfo } from '../api/types.js';
import type { Container, EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import type { AttachRequest, Network } from '../net/network.js';
import { isAlive } from '../state/lifecycle.js';

/** How long cached in-container addresses stay fresh for `vm info` (one nsenter per container otherwise). */
const ADDRESS_TTL_MS = 2_000;
/** nsenter processes at once when refreshing addresses for `vm info`. */
const ADDRESS_CONCURRENCY = 16;

/**
 * Collects the NIC requests of one launch wave (containers built in parallel reach MOUNTED at about
 * the same time) and hands them to the network in one attachMany: one `ip -batch` for all host ends
 * instead of several forks per NIC.
 */
export class AttachWave {
  private pending: { req: AttachRequest; resolve: (n: NicInfo[]) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(private readonly network: Network) {}

  attach(id: number, nics: NetSpec[], initPid: number): Promise<NicInfo[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ req: { c: { id, nics }, initPid }, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Let the other containers of the wave reach this point first.
        setTimeout(() => void this.flush(), 2);
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    try {
      const results = await this.network.attachMany(batch.map((p) => p.req));
      batch.forEach((p, i) => {
        const r = results[i]!;
        if (r.ok) p.resolve(r.nics);
        else p.reject(r.error);
      });
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
}

/** Fill in ip/ip6 from the container's own network namespace (cached briefly). */
export async function refreshAddresses(ctx: EngineContext, list: Container[]): Promise<void> {
  const now = Date.now();
  const stale = list.filter((c) => isAlive(c.rec.state) && c.rec.nics.length > 0 && c.rec.initPid > 0 && (c.addressesAt ?? 0) + ADDRESS_TTL_MS < now);
  for (let i = 0; i < stale.length; i += ADDRESS_CONCURRENCY) {
    await Promise.all(
      stale.slice(i, i + ADDRESS_CONCURRENCY).map(async (c) => {
        const addrs = await ctx.network.readAddresses(c.rec.initPid).catch(() => undefined);
        if (!addrs) return;
        c.addressesAt = now;
        c.rec.nics = c.rec.nics.map((n, index): NicInfo => {
          const a = addrs.find((x) => x.ifname === `veth${index}`);
          return { ...n, ip: a?.ip[0] ?? '', ip6: a?.ip6.find((x) => !x.startsWith('fe80')) ?? a?.ip6[0] ?? '' };
        });
      }),
    );
  }
}

function one(ctx: EngineContext, target: string): Container {
  const c = [...ctx.containers.values()].find((x) => x.rec.name === target || String(x.rec.id) === target || x.rec.uuid === target);
  if (!c) throw new EngineError('E_NOT_FOUND', `vm not found: ${target}`, { target });
  if (!isAlive(c.rec.state)) throw new EngineError('E_STATE', `VM state error: ${target}`, { target });
  return c;
}

function nicIndex(c: Container, index: number): void {
  if (index < 0 || index >= c.rec.nics.length) {
    throw new EngineError('E_CONFIG', `no such interface ${index} on vm ${c.rec.name} (it has ${c.rec.nics.length})`, { field: 'index', value: index });
  }
}

/** `vm net connect VM INDEX VLAN [BRIDGE]`: works on BUILDING containers too (the port is moved). */
export async function netConnect(ctx: EngineContext, target: string, index: number, vlan: string, bridge?: string): Promise<void> {
  const c = one(ctx, target);
  nicIndex(c, index);
  const nic = await ctx.network.connect(c.rec.id, index, vlan, bridge);
  c.rec.nics[index] = { ...nic, ip: c.rec.nics[index]!.ip, ip6: c.rec.nics[index]!.ip6 };
  c.rec.config.net[index] = { ...c.rec.config.net[index]!, vlan, bridge: nic.bridge };
  await ctx.save(c);
}

export async function netDisconnect(ctx: EngineContext, target: string, index: number): Promise<void> {
  const c = one(ctx, target);
  nicIndex(c, index);
  const nic = await ctx.network.disconnect(c.rec.id, index);
  c.rec.nics[index] = { ...nic, ip: c.rec.nics[index]!.ip, ip6: c.rec.nics[index]!.ip6 };
  await ctx.save(c);
}
