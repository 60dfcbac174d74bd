/** The minimega commands equivalent to what the topology view does, shown before it does it. */
import type { CaptureSpec, QosOp } from '../../engine/api/types';

function word(s: string): string {
  return /^[^\s"'\\#]+$/.test(s) ? s : JSON.stringify(s);
}

/** The default namespace: commands there need no `namespace` prefix. */
export const DEFAULT_NAMESPACE = 'minimega';

/** `namespace NS CMD` for a container outside the default namespace, as minimega runs a command in another one. */
export function inNamespace(ns: string | undefined, cmd: string): string {
  return ns && ns !== DEFAULT_NAMESPACE ? `namespace ${word(ns)} ${cmd}` : cmd;
}

export function qosAddCommand(vm: string, index: number, op: QosOp): string {
  const what = op.type === 'loss' ? `loss ${op.percent}` : op.type === 'delay' ? `delay ${op.duration}` : `rate ${op.bw} ${op.unit}`;
  return `qos add ${word(vm)} ${index} ${what}`;
}

export function qosClearCommand(vm: string, index: number): string {
  return `clear qos ${word(vm)} ${index}`;
}

export function captureCommand(spec: CaptureSpec): string {
  return spec.kind === 'vm'
    ? `capture pcap vm ${word(spec.vm)} ${spec.index} ${word(spec.file)}`
    : `capture pcap bridge ${word(spec.bridge)} ${word(spec.file)}`;
}

export function captureStopCommand(id: number): string {
  return `capture pcap delete ${id}`;
}

/** `vm net connect VM INDEX VLAN [BRIDGE]`; the bridge only when it changes. */
export function connectCommand(vm: string, index: number, vlan: string, bridge?: string): string {
  return `vm net connect ${word(vm)} ${index} ${word(vlan)}${bridge ? ` ${word(bridge)}` : ''}`;
}

/** A capture file name no other capture of this session uses: `<what>-<yyyymmdd-hhmmss>.pcap`. */
export function captureFileFor(what: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${what.replace(/[^A-Za-z0-9_.-]/g, '_')}-${stamp}.pcap`;
}
