/** `qos add …` and `clear qos …`: link emulation on container NICs (minimega's patterns and errors). */
import type { QosOp } from '../../api/types.js';
import type { Handler } from '../handler.js';
import { resultErrors } from './vm-lifecycle.js';

/** minimega's interface argument: an unsigned integer. */
function tapIndex(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new Error(`invalid tap index ${text}`);
  return Number(text);
}

export const qosHandlers: Handler[] = [
  {
    patterns: [
      'qos <add,> <vm target> <interface> <loss,> <percent>',
      'qos <add,> <vm target> <interface> <delay,> <duration>',
      'qos <add,> <vm target> <interface> <rate,> <bw> <kbit,mbit,gbit>',
    ],
    help: 'add qos constraints on an interface',
    helpLong:
      'Emulate a link on interface <interface> of the target containers: lose <percent> of the packets, delay each ' +
      'by <duration> (100ms; a bare number is milliseconds), or limit the rate. Loss and delay stack; rate replaces ' +
      'them and they replace rate. Shapes what the container receives (tc netem/tbf on the host end).',
    async call(ctx, cmd) {
      const a = cmd.stringArgs;
      if (a.interface === 'all') throw new Error('wildcard qos not implemented');
      const index = tapIndex(a.interface!);
      const op: QosOp = cmd.boolArgs.loss
        ? { type: 'loss', percent: a.percent! }
        : cmd.boolArgs.delay
          ? { type: 'delay', duration: a.duration! }
          : { type: 'rate', bw: a.bw!, unit: cmd.boolArgs.kbit ? 'kbit' : cmd.boolArgs.mbit ? 'mbit' : 'gbit' };
      return resultErrors(await ctx.deps.engine.call('qos.add', a.vm!, index, op));
    },
  },
  {
    patterns: ['clear qos <vm target> [tap index]'],
    help: 'clear qos constraints on an interface',
    helpLong: 'Remove the qos of one interface of the target containers, or of every interface (no index, or all).',
    async call(ctx, cmd) {
      const { vm, tap } = cmd.stringArgs;
      if (tap === undefined || tap === 'all') return resultErrors(await ctx.deps.engine.call('qos.clear', vm!));
      return resultErrors(await ctx.deps.engine.call('qos.clear', vm!, tapIndex(tap)));
    },
  },
];
