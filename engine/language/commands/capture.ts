/**
 * `capture …` and `clear capture`: pcap captures of container NICs and bridges (minimega's patterns),
 * kept per namespace as minimega keeps them: a namespace lists, deletes and clears only its own.
 */
import type { CaptureInfo } from '../../api/types.js';
import type { CallContext, Handler } from '../handler.js';
import { errorResponse, tableResponse, textResponse } from '../response.js';

const NO_NETFLOW = 'capture netflow is not supported: nanomega has no Open vSwitch netflow exporter';

/**
 * minimega's columns (mode and compress are netflow's). The capture ids of `capture pcap delete <id>`
 * are the API's (the GUI shows them); the table stays minimega's.
 */
export const CAPTURE_COLUMNS = ['bridge', 'type', 'interface', 'mode', 'compress', 'path'];

export function captureRows(list: readonly CaptureInfo[]): string[][] {
  return list.filter((c) => c.state === 'running').map((c) => [c.bridge, 'pcap', c.vm ? `${c.vm.name}:${c.vm.index}` : '', '', '', c.path]);
}

async function stopWhere(ctx: CallContext, pick: (c: CaptureInfo) => boolean): Promise<CaptureInfo[]> {
  const ids = (await ctx.deps.engine.call('capture.list')).filter((c) => c.state === 'running' && pick(c)).map((c) => c.id);
  return ids.length ? ctx.deps.engine.call('capture.stop', ids) : [];
}

export const captureHandlers: Handler[] = [
  {
    patterns: [
      'capture',
      'capture <pcap,> <snaplen,> [size]',
      'capture <pcap,> <filter,> [bpf]',
      'capture <pcap,> vm <vm name> <interface index> <filename>',
      'capture <pcap,> bridge <bridge> <filename>',
      'capture <pcap,> <delete,> vm <vm name>',
      'capture <pcap,> <delete,> bridge <bridge>',
      'capture <pcap,> <delete,> <id or all>',
      'capture <netflow,> <mode,> [raw,ascii]',
      'capture <netflow,> <gzip,> [true,false]',
      'capture <netflow,> <bridge,> <bridge> <filename>',
      'capture <netflow,> <bridge,> <bridge> <tcp,udp> <hostname:port>',
      'capture <netflow,> <delete,> bridge <bridge>',
      'capture <netflow,> <timeout,> [timeout in seconds]',
    ],
    help: 'capture experiment data',
    helpLong:
      'Record the traffic of a container interface or of a whole bridge as a pcap file (relative names are under ' +
      "the files directory); list the namespace's running captures; stop them by vm, bridge or id (the API's); set " +
      'the snap length and a BPF filter for new captures. netflow is not supported.',
    async call(ctx, cmd) {
      const a = cmd.stringArgs;
      const b = cmd.boolArgs;
      if (b.netflow) throw new Error(NO_NETFLOW);
      if (!b.pcap) return tableResponse(CAPTURE_COLUMNS, captureRows(await ctx.deps.engine.call('capture.list')));
      if (b.snaplen) {
        if (a.size === undefined) return textResponse(String((await ctx.deps.engine.call('capture.config')).snaplen));
        if (!/^\d+$/.test(a.size)) throw new Error(`strconv.ParseUint: parsing "${a.size}": invalid syntax`);
        await ctx.deps.engine.call('capture.config', { snaplen: Number(a.size) });
        return errorResponse();
      }
      if (b.filter) {
        if (a.bpf === undefined) return textResponse((await ctx.deps.engine.call('capture.config')).filter);
        await ctx.deps.engine.call('capture.config', { filter: a.bpf });
        return errorResponse();
      }
      if (b.delete) {
        if (a.vm !== undefined) {
          const stopped = await stopWhere(ctx, (c) => c.kind === 'vm' && (a.vm === 'all' || c.vm?.name === a.vm));
          if (!stopped.length && a.vm !== 'all') throw new Error(`vm not found: ${a.vm}`);
        } else if (a.bridge !== undefined) {
          await stopWhere(ctx, (c) => c.kind === 'bridge' && (a.bridge === 'all' || c.bridge === a.bridge));
        } else if (a.id === 'all') {
          await stopWhere(ctx, () => true);
        } else {
          if (!/^\d+$/.test(a.id!)) throw new Error(`invalid capture id: \`${a.id}\``);
          await ctx.deps.engine.call('capture.stop', [Number(a.id)]);
        }
        return errorResponse();
      }
      if (a.vm !== undefined) {
        if (!/^-?\d+$/.test(a.interface!)) throw new Error(`invalid interface: \`${a.interface}\``);
        await ctx.deps.engine.call('capture.start', { kind: 'vm', vm: a.vm, index: Number(a.interface), file: a.filename! });
      } else {
        await ctx.deps.engine.call('capture.start', { kind: 'bridge', bridge: a.bridge!, file: a.filename! });
      }
      return errorResponse();
    },
  },
  {
    patterns: ['clear capture [netflow,pcap]'],
    help: 'reset capture state',
    async call(ctx, cmd) {
      // There are no netflow captures to clear.
      if (!cmd.boolArgs.netflow) await stopWhere(ctx, () => true);
      return errorResponse();
    },
  },
];
