/**
 * `tap mirror` and `clear tap mirror`: which bridge ports the names of a command stand for, checked in
 * minimega's order and words (its tap_mirror_vm transcript); the kernel side is engine/net/mirrors.ts.
 */
import type { TapMirrorClear, TapMirrorInfo, TapMirrorRequest } from '../api/types.js';
import type { Container, EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import type { MirrorEnd } from '../net/mirrors.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';
import { DEFAULT_BRIDGE } from '../net/netspec.js';
import { SYS_NET } from '../net/ip.js';
import { isAlive } from '../state/lifecycle.js';
import { containersIn, findOne } from './targets.js';

/** A NIC of a container: its bridge and host end ('' when it has none now). */
interface NicRef {
  bridge: string;
  tap: string;
}

/** Go's strconv.Atoi, as minimega parses an interface index: an optional sign and decimal digits. */
function interfaceNumber(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new EngineError('E_CONFIG', `invalid interface number: \`${s}\``, { field: 'interface', value: s });
  }
  return Number(s);
}

/** NIC `index` of `c` (minimega's GetNetwork). */
function nicOf(c: Container, index: number): NicRef {
  const spec = c.rec.config.net[index];
  if (index < 0 || !spec)
    throw new EngineError('E_CONFIG', `no such interface ${index} for ${c.rec.name}`, { field: 'interface', value: index, target: c.rec.name });
  const nic = c.rec.nics[index];
  return { bridge: nic?.bridge || spec.bridge || DEFAULT_BRIDGE, tap: isAlive(c.rec.state) ? (nic?.tap ?? '') : '' };
}

function vmNic(ctx: EngineContext, vm: string, index: string, ns: string | undefined): NicRef {
  const i = interfaceNumber(index);
  return nicOf(findOne(ctx, vm, ns), i);
}

const isNotFound = (e: unknown) => e instanceof EngineError && e.code === 'E_NOT_FOUND';

/** The port a tap name stands for on `bridge`, or undefined when it is not one of the bridge's. */
async function portOn(ctx: EngineContext, bridge: string, name: string): Promise<MirrorEnd | undefined> {
  if (name === '') return undefined;
  const hostTap = await ctx.taps.portOf(name);
  if (hostTap) return hostTap.bridge === bridge ? { name, dev: hostTap.port } : undefined;
  for (const c of containersIn(ctx)) {
    if (!isAlive(c.rec.state)) continue;
    const on = c.rec.nics.some((n, i) => n.tap === name && (n.bridge || c.rec.config.net[i]?.bridge || DEFAULT_BRIDGE) === bridge);
    if (on && (await ctx.host.exists(`${SYS_NET}/${name}`))) return { name, dev: name };
  }
  return undefined;
}

/** `tap mirror SRC DST [BRIDGE]` or `tap mirror VM IDX VM2 IDX2`. */
export async function tapMirror(ctx: EngineContext, req: TapMirrorRequest, ns?: string): Promise<void> {
  const namespace = ns ?? DEFAULT_NAMESPACE;
  let bridge: string;
  let src: string;
  let dst: string;
  if ('vm' in req) {
    // Both ends are looked up before either error is reported: a missing VM beside a found one is
    // minimega's "not colocated" (on one host, a name it does not know).
    const look = (vm: string, index: string): NicRef | Error => {
      try {
        return vmNic(ctx, vm, index, ns);
      } catch (e) {
        return e as Error;
      }
    };
    const n1 = look(req.vm, req.index);
    const n2 = look(req.vm2, req.index2);
    if (n1 instanceof Error) {
      if (!(n2 instanceof Error) && isNotFound(n1)) throw notColocated(req.vm);
      throw n1;
    }
    if (n2 instanceof Error) {
      if (isNotFound(n2)) throw notColocated(req.vm2);
      throw n2;
    }
    if (n1.bridge !== n2.bridge) throw new EngineError('E_CONFIG', `interfaces on different bridges: ${n1.bridge} and ${n2.bridge}`, { op: 'tap mirror' });
    [bridge, src, dst] = [n1.bridge, n1.tap, n2.tap];
  } else {
    [bridge, src, dst] = [req.bridge || DEFAULT_BRIDGE, req.src, req.dst];
  }
  await ctx.network.exclusive(async () => {
    if (src !== '' && src === dst) throw new EngineError('E_CONFIG', 'cannot mirror tap to itself', { op: 'tap mirror', path: src });
    const s = await portOn(ctx, bridge, src);
    if (!s) throw new EngineError('E_CONFIG', 'source tap is not on bridge', { op: 'tap mirror', path: src, bridge });
    const d = await portOn(ctx, bridge, dst);
    if (!d) throw new EngineError('E_CONFIG', 'destination tap is not on bridge', { op: 'tap mirror', path: dst, bridge });
    await ctx.mirrors.add(namespace, bridge, s, d);
  });
}

function notColocated(vm: string): EngineError {
  return new EngineError('E_NOT_FOUND', `vms are not colocated or invalid vm name: ${vm}`, { target: vm });
}

/** `clear tap mirror [NAME]` and `clear tap mirror VM IDX|all`. */
export async function tapMirrorClear(ctx: EngineContext, req: TapMirrorClear, ns?: string): Promise<void> {
  const namespace = ns ?? DEFAULT_NAMESPACE;
  await ctx.network.exclusive(async () => {
    if (!('vm' in req)) return ctx.mirrors.remove(namespace, req.name ?? undefined);
    const c = findOne(ctx, req.vm, ns);
    if (req.index === 'all') {
      // Every NIC of the container that is a mirror's destination; the others are not an error.
      for (let i = 0; i < c.rec.config.net.length; i++) {
        const { tap } = nicOf(c, i);
        if (tap !== '' && (await ctx.mirrors.has(namespace, tap))) await ctx.mirrors.remove(namespace, tap);
      }
      return;
    }
    const { tap } = nicOf(c, interfaceNumber(req.index));
    await ctx.mirrors.remove(namespace, tap === '' ? `${c.rec.name}/${req.index}` : tap);
  });
}

/** The mirrors of a namespace (every one when undefined). */
export async function tapMirrors(ctx: EngineContext, ns?: string): Promise<TapMirrorInfo[]> {
  return (await ctx.mirrors.list(ns)).map((m) => ({ namespace: m.namespace, bridge: m.bridge, src: m.src.name, dst: m.dst.name }));
}
