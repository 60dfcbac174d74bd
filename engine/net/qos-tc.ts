/**
 * The kernel side of `qos` on one NIC. Where the kernel has sch_netem (the usual case) this is
 * minimega's: a netem or tbf root qdisc on the host end. Kernels built without netem (some VM and
 * embedded kernels, our build machines' among them) get the same behaviour from what they have:
 * loss from a classic-BPF classifier that drops at random on the host end's egress (clsact), delay
 * from a netfilter-queue delay line in the container's namespace (qos-delay.ts), rate from tbf.
 */
import type { QosSettings } from '../api/types.js';
import { netError } from './ip.js';
import type { NetHost } from './net-host.js';
import { DelayLines } from './qos-delay.js';
import { isEmptyQos, isNothingToDelete, lossBytecode, parseGoDuration, tcDeleteArgv, tcReplaceArgv } from './qos.js';

/** tc's answer for a qdisc kind the kernel was built without. */
const UNKNOWN_KIND_RE = /qdisc kind is unknown|Unknown qdisc/;
/** Priority and handle of our loss filter on the clsact egress hook. */
const LOSS_FILTER = ['pref', '1', 'handle', '1'];

/** Where one NIC's qos goes: its host end, and (for the delay line) its container's init and index. */
export interface QosNic {
  tap: string;
  index: number;
  initPid: number;
}

export class QosKernel {
  /** Whether the kernel has netem; undefined until the first qos of this daemon finds out. */
  private netem?: boolean;

  constructor(
    private readonly host: NetHost,
    private readonly delays: DelayLines = new DelayLines(host),
  ) {}

  /** How qos is realised on this kernel (for doctor and logs), once known. */
  get mode(): 'netem' | 'bpf+nfqueue' | 'unknown' {
    return this.netem === undefined ? 'unknown' : this.netem ? 'netem' : 'bpf+nfqueue';
  }

  /** Makes the NIC's emulation say `q` (none when empty), whatever it said before. */
  async apply(nic: QosNic, q: QosSettings | undefined, op: string): Promise<void> {
    this.netem ??= await this.probeNetem(nic.tap, op);
    if (this.netem) return this.applyNetem(nic.tap, q, op);
    return this.applyFallback(nic, q, op);
  }

  private async applyNetem(tap: string, q: QosSettings | undefined, op: string): Promise<void> {
    if (isEmptyQos(q)) return this.tcQuiet(tcDeleteArgv(tap), tap, op);
    await this.tc(tcReplaceArgv(tap, q!), tap, op);
  }

  private async applyFallback(nic: QosNic, q: QosSettings | undefined, op: string): Promise<void> {
    const { tap } = nic;
    if (q?.rate !== undefined) await this.tc(tcReplaceArgv(tap, { rate: q.rate }), tap, op);
    else await this.tcQuiet(tcDeleteArgv(tap), tap, op);
    if (q?.loss !== undefined) {
      await this.tcQuiet(['tc', 'qdisc', 'add', 'dev', tap, 'clsact'], tap, op, /File exists|Exclusivity flag on/);
      await this.tc(['tc', 'filter', 'replace', 'dev', tap, 'egress', ...LOSS_FILTER, 'bpf', 'da', 'bytecode', lossBytecode(q.loss)], tap, op);
    } else {
      // Only our filter goes: the clsact qdisc may also carry a tap mirror's filters (engine/net/mirrors.ts).
      await this.tcQuiet(
        ['tc', 'filter', 'del', 'dev', tap, 'egress', ...LOSS_FILTER, 'bpf'],
        tap,
        op,
        /Cannot find specified filter chain|Parent Qdisc doesn't exist|Filter with specified priority\/protocol not found/,
      );
    }
    if (q?.delay !== undefined && nic.initPid > 0) await this.delays.set(nic.initPid, nic.index, Math.round(parseGoDuration(q.delay)! / 1e3), op);
    else if (nic.initPid > 0) await this.delays.clear(nic.initPid, nic.index, op);
  }

  /**
   * Whether netem exists, found by installing a parameterless netem on the NIC about to be set
   * anyway (every apply then sets the root qdisc explicitly, so the probe leaves no trace).
   */
  private async probeNetem(tap: string, op: string): Promise<boolean> {
    const r = await this.host.run(['tc', 'qdisc', 'replace', 'dev', tap, 'root', 'netem']);
    if (r.code === 0) return true;
    if (UNKNOWN_KIND_RE.test(r.stderr)) return false;
    throw netError(op, tap, r.stderr || `tc exited ${r.code}`);
  }

  private async tc(argv: string[], dev: string, op: string): Promise<void> {
    const r = await this.host.run(argv);
    if (r.code !== 0) throw netError(op, dev, r.stderr || `tc exited ${r.code}`, { argv: argv.join(' ') });
  }

  /** Like tc(), but "nothing there" (or `ok`) is success: removals of what may not exist. */
  private async tcQuiet(argv: string[], dev: string, op: string, ok?: RegExp): Promise<void> {
    const r = await this.host.run(argv);
    if (r.code === 0 || isNothingToDelete(r.stderr) || ok?.test(r.stderr) || /Invalid handle|Cannot find specified qdisc/.test(r.stderr)) return;
    throw netError(op, dev, r.stderr || `tc exited ${r.code}`, { argv: argv.join(' ') });
  }
}

/** The root qdisc kind of `dev` as the kernel reports it (`netem`, `tbf`, `noqueue`…), '' when unreadable. */
export async function rootQdiscKind(host: NetHost, dev: string): Promise<string> {
  const r = await host.run(['tc', '-j', 'qdisc', 'show', 'dev', dev, 'root']);
  if (r.code !== 0) return '';
  const list = JSON.parse(r.stdout || '[]') as { kind?: string; root?: boolean }[];
  return list.find((q) => q.root)?.kind ?? list[0]?.kind ?? '';
}
