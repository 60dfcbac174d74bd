/** `qos add …` and `clear qos …`: link emulation on container NICs (minimega's words and errors). */
import type { QosOp } from '../../api/types.js';
import type { CliCommand } from '../deps.js';
import { resultErrors } from './vm-lifecycle.js';

const ADD_USAGE = 'qos add <vm target> <interface> <loss <percent>|delay <duration>|rate <bw> <kbit|mbit|gbit>>';
const CLEAR_USAGE = 'clear qos <vm target> [tap index|all]';

/** minimega's interface argument: an unsigned integer. */
function tapIndex(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new Error(`invalid tap index ${text}`);
  return Number(text);
}

function parseOp(words: readonly string[]): QosOp {
  const [kind, value, unit] = words;
  if (kind === 'loss' && words.length === 2) return { type: 'loss', percent: value! };
  if (kind === 'delay' && words.length === 2) return { type: 'delay', duration: value! };
  if (kind === 'rate' && words.length === 3 && (unit === 'kbit' || unit === 'mbit' || unit === 'gbit')) return { type: 'rate', bw: value!, unit };
  throw new Error(`usage: ${ADD_USAGE}`);
}

export const qosAdd: CliCommand = {
  words: ['qos', 'add'],
  usage: ADD_USAGE,
  help: 'Emulate a link on interface <interface> of the target containers: lose <percent> of the packets, delay each by <duration> (100ms; a bare number is milliseconds), or limit the rate. Loss and delay stack; rate replaces them and they replace rate. Shapes what the container receives (tc netem/tbf on the host end).',
  async run(deps, args) {
    if (args.length < 4) throw new Error(`usage: ${ADD_USAGE}`);
    const [target, iface, ...rest] = args as [string, string, ...string[]];
    if (iface === 'all') throw new Error('wildcard qos not implemented');
    const index = tapIndex(iface);
    return resultErrors(await deps.engine.call('qos.add', target, index, parseOp(rest)));
  },
};

export const clearQos: CliCommand = {
  words: ['clear', 'qos'],
  usage: CLEAR_USAGE,
  help: 'Remove the qos of one interface of the target containers, or of every interface (no index, or all).',
  async run(deps, args) {
    if (args.length < 1 || args.length > 2) throw new Error(`usage: ${CLEAR_USAGE}`);
    const [target, index] = args as [string, string?];
    if (index === undefined || index === 'all') return resultErrors(await deps.engine.call('qos.clear', target));
    return resultErrors(await deps.engine.call('qos.clear', target, tapIndex(index)));
  },
};
