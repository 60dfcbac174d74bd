/**
 * Link emulation (minimega `qos`) as data: parsing a constraint with minimega's checks and error
 * texts, merging it into a NIC's settings, and the `tc` command that makes the kernel do it.
 *
 * The qdisc sits at the root of the host end (mega_tapN), so it shapes the host end's egress: the
 * traffic the container *receives*, as in minimega. netem (loss, delay) and tbf (rate) are not
 * stacked: setting one kind replaces the other, as minimega does.
 */
import type { NicQos, QosOp, QosSettings } from '../api/types.js';
import { EngineError } from '../errors.js';

/** tbf's `latency`: how long a packet may wait for tokens before it is dropped (minimega's value). */
const TBF_LATENCY = '20ms';
/** tbf's bucket holds this much of a second's worth of tokens… */
const TBF_BURST_SECONDS = 0.01;
/** …but never less than a few full-size frames, or a frame could never leave the bucket. */
const TBF_MIN_BURST_BYTES = 4096;

const UNIT_BITS = { kbit: 1e3, mbit: 1e6, gbit: 1e9 } as const;

/** Go's time.ParseDuration units, in nanoseconds. */
const GO_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
/** Go durations are int64 nanoseconds. */
const GO_MAX_NS = 2 ** 63 - 1;

/** Go's time.ParseDuration: "1h2m3.5s", "-10ms", "0". Undefined when Go would refuse it. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([-+]?)(.*)$/s.exec(text)!;
  let rest = m[2]!;
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const part = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(rest);
    if (!part || (part[1] === '' && (part[2] ?? '') === '')) return undefined;
    const unit = GO_UNITS[part[3]!];
    if (unit === undefined) return undefined;
    total += Number(`${part[1] || '0'}.${part[2] || '0'}`) * unit;
    rest = rest.slice(part[0].length);
  }
  if (total > GO_MAX_NS) return undefined;
  return m[1] === '-' ? -total : total;
}

/** The qos kind a constraint belongs to. */
function kindOf(op: QosOp['type']): 'netem' | 'tbf' {
  return op === 'rate' ? 'tbf' : 'netem';
}

/**
 * Checks one `qos add` constraint as minimega does and returns the setting as it will be shown:
 * `loss 5`, `delay 100ms` (a bare number is taken as milliseconds), `rate 1mbit`.
 */
export function parseQosOp(op: QosOp): QosSettings {
  switch (op.type) {
    case 'loss': {
      const v = goFloat(op.percent);
      if (v === undefined || !(v >= 0 && v < 100)) throw qosError('percent', op.percent, `invalid loss: \`${op.percent}\``);
      return { loss: op.percent };
    }
    case 'delay': {
      let text = op.duration;
      let ns = parseGoDuration(text);
      if (ns === undefined) {
        ns = parseGoDuration(text + 'ms');
        if (ns === undefined) throw qosError('duration', op.duration, `invalid duration: \`${op.duration}\``);
        text += 'ms';
      }
      if (ns < 0) throw qosError('duration', op.duration, 'delay cannot be negative');
      return { delay: text };
    }
    case 'rate': {
      if (!/^\d+$/.test(op.bw) || !Number.isSafeInteger(Number(op.bw))) throw qosError('bw', op.bw, `invalid rate: \`${op.bw}\``);
      if (!(op.unit in UNIT_BITS)) throw qosError('unit', op.unit, `invalid rate unit: \`${op.unit}\` (kbit, mbit or gbit)`);
      if (Number(op.bw) === 0) throw qosError('bw', op.bw, `invalid rate: \`${op.bw}\` (must be > 0)`);
      return { rate: op.bw + op.unit };
    }
  }
  throw qosError('type', (op as { type: unknown }).type, `invalid qos type: \`${String((op as { type: unknown }).type)}\` (loss, delay or rate)`);
}

/** The NIC's settings after adding `op`: same-kind values are kept, the other kind is dropped. */
export function mergeQos(current: QosSettings | undefined, type: QosOp['type'], next: QosSettings): QosSettings {
  const keep: QosSettings = {};
  if (current && kindOf(type) === 'netem') {
    if (current.loss !== undefined) keep.loss = current.loss;
    if (current.delay !== undefined) keep.delay = current.delay;
  }
  return { ...keep, ...next };
}

/** `tc` argv that installs `q` at the root of `dev` (replacing whatever root qdisc it had). */
export function tcReplaceArgv(dev: string, q: QosSettings): string[] {
  const base = ['tc', 'qdisc', 'replace', 'dev', dev, 'root'];
  if (q.rate !== undefined) {
    const bits = rateBits(q.rate);
    const burst = Math.max(Math.ceil((bits / 8) * TBF_BURST_SECONDS), TBF_MIN_BURST_BYTES);
    return [...base, 'tbf', 'rate', q.rate, 'burst', `${burst}b`, 'latency', TBF_LATENCY];
  }
  const args = [...base, 'netem'];
  // tc takes netem times in its own syntax; microseconds say any Go duration exactly enough.
  if (q.delay !== undefined) args.push('delay', `${Math.round(parseGoDuration(q.delay)! / 1e3)}us`);
  if (q.loss !== undefined) args.push('loss', `${q.loss}%`);
  return args;
}

/** Classic BPF `ld rand` (SKF_AD_OFF + SKF_AD_RANDOM): a fresh prandom_u32 per packet. */
const CBPF_LD_RAND = 0xfffff038;
/** tc actions a direct-action classifier returns: TC_ACT_OK passes, TC_ACT_SHOT drops. */
const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;

/**
 * tc's `bpf bytecode` for a direct-action classifier that drops `loss` percent of packets at random:
 * `ld rand; jge #T, pass, drop` with T = loss/100 × 2³² (the kernel runs classic BPF as eBPF).
 */
export function lossBytecode(loss: string): string {
  const t = Math.min(2 ** 32 - 1, Math.round((Number(loss) / 100) * 2 ** 32));
  return ['4', `32 0 0 ${CBPF_LD_RAND}`, `53 0 1 ${t}`, `6 0 0 ${TC_ACT_OK}`, `6 0 0 ${TC_ACT_SHOT}`].join(',');
}

/** `tc` argv that removes the root qdisc of `dev` (back to the default). */
export function tcDeleteArgv(dev: string): string[] {
  return ['tc', 'qdisc', 'del', 'dev', dev, 'root'];
}

/** tc's answer when there was no root qdisc of ours to delete: already clear. */
export function isNothingToDelete(stderr: string): boolean {
  return /No such file or directory|Cannot delete qdisc with handle of zero|Cannot find device/.test(stderr);
}

/** Bits per second of a rate as stored ("10mbit"). */
export function rateBits(rate: string): number {
  const m = /^(\d+)(kbit|mbit|gbit)$/.exec(rate);
  if (!m) throw qosError('rate', rate, `invalid rate: \`${rate}\``);
  return Number(m[1]) * UNIT_BITS[m[2] as keyof typeof UNIT_BITS];
}

/** True when the settings say nothing (a NIC without qos). */
export function isEmptyQos(q: QosSettings | undefined): boolean {
  return !q || (q.loss === undefined && q.delay === undefined && q.rate === undefined);
}

/** One NIC's `vm info qos` entry, minimega's text: `0: loss 5 delay 100ms`, `1: rate 1mbit`. */
export function qosText(q: NicQos): string {
  const parts: string[] = [];
  if (q.rate !== undefined) parts.push(`rate ${q.rate}`);
  if (q.loss !== undefined) parts.push(`loss ${q.loss}`);
  if (q.delay !== undefined) parts.push(`delay ${q.delay}`);
  return `${q.index}: ${parts.join(' ')}`;
}

/** Go's strconv.ParseFloat for the plain decimal forms a percentage takes; undefined otherwise. */
function goFloat(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function qosError(field: string, value: unknown, message: string): EngineError {
  return new EngineError('E_CONFIG', message, { field, value: String(value).slice(0, 200) });
}
