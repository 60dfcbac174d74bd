import type { CaptureInfo, CaptureSpec } from '../api/types.js';
import type { EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { isAlive } from '../state/lifecycle.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';
import { findOne } from './targets.js';

/**
 * `capture pcap vm NAME INDEX FILE` / `capture pcap bridge BRIDGE FILE`: what to read is resolved
 * here (a container NIC's host end; every kernel bridge of a logical bridge), the capture itself is
 * engine/net/captures.ts.
 */
export async function captureStart(ctx: EngineContext, spec: CaptureSpec, ns?: string): Promise<CaptureInfo> {
  if (spec.kind === 'vm') {
    const c = findOne(ctx, spec.vm, ns);
    const nic = c.rec.nics[spec.index];
    if (!Number.isInteger(spec.index) || spec.index < 0 || spec.index >= c.rec.config.net.length) {
      throw new EngineError('E_CONFIG', `no such interface ${spec.index} for ${c.rec.name}`, { field: 'interface', value: spec.index });
    }
    if (!isAlive(c.rec.state) || !nic?.tap) throw new EngineError('E_STATE', `VM state error: ${c.rec.name}`, { target: spec.vm });
    return ctx.captures.start({
      kind: 'vm',
      bridge: nic.bridge,
      vm: { id: c.rec.id, name: c.rec.name, index: spec.index },
      ifaces: [nic.tap],
      file: spec.file,
      namespace: ns ?? DEFAULT_NAMESPACE,
    });
  }
  if (spec.kind === 'bridge') {
    const ifaces = await ctx.network.kernelBridges(spec.bridge);
    if (ifaces.length === 0) throw new EngineError('E_NOT_FOUND', `bridge not found: ${spec.bridge}`, { field: 'bridge', value: spec.bridge });
    return ctx.captures.start({ kind: 'bridge', bridge: spec.bridge, ifaces, file: spec.file, namespace: ns ?? DEFAULT_NAMESPACE });
  }
  throw new EngineError('E_CONFIG', `invalid capture kind: \`${String((spec as { kind: unknown }).kind)}\` (vm or bridge)`, { field: 'kind' });
}
