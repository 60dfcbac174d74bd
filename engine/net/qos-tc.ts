/** The kernel side of `qos`: root qdiscs on a NIC's host end, through iproute2's `tc`. */
import type { QosSettings } from '../api/types.js';
import { netError } from './ip.js';
import type { NetHost } from './net-host.js';
import { isEmptyQos, isNothingToDelete, tcDeleteArgv, tcReplaceArgv } from './qos.js';

/**
 * Makes `dev`'s root qdisc say `q` (or removes it when `q` is empty). `replace` swaps netem for tbf
 * and back in one step, so packets never pass unshaped in between.
 */
export async function setQdisc(host: NetHost, dev: string, q: QosSettings | undefined, op: string): Promise<void> {
  if (isEmptyQos(q)) return clearQdisc(host, dev, op);
  const argv = tcReplaceArgv(dev, q!);
  const r = await host.run(argv);
  if (r.code !== 0) throw netError(op, dev, r.stderr || `tc exited ${r.code}`, { argv: argv.join(' ') });
}

/** Removes `dev`'s root qdisc; a device without one (or gone already) is fine. */
export async function clearQdisc(host: NetHost, dev: string, op: string): Promise<void> {
  const argv = tcDeleteArgv(dev);
  const r = await host.run(argv);
  if (r.code !== 0 && !isNothingToDelete(r.stderr)) throw netError(op, dev, r.stderr || `tc exited ${r.code}`, { argv: argv.join(' ') });
}

/** The root qdisc kind of `dev` as the kernel reports it (`netem`, `tbf`, `noqueue`…), '' when unreadable. */
export async function rootQdiscKind(host: NetHost, dev: string): Promise<string> {
  const r = await host.run(['tc', '-j', 'qdisc', 'show', 'dev', dev, 'root']);
  if (r.code !== 0) return '';
  const list = JSON.parse(r.stdout || '[]') as { kind?: string; root?: boolean }[];
  return list.find((q) => q.root)?.kind ?? list[0]?.kind ?? '';
}
