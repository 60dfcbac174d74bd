/** `capture …` and `clear capture`: pcap captures of container NICs and bridges (minimega's words). */
import type { CaptureInfo } from '../../api/types.js';
import type { CliCommand, CliDeps } from '../deps.js';
import { type Response, tableResponse, textResponse } from '../response.js';

const USAGE = [
  'capture',
  'capture pcap vm <vm name> <interface index> <filename>',
  'capture pcap bridge <bridge> <filename>',
  'capture pcap delete <id|all>',
  'capture pcap delete vm <vm name|all>',
  'capture pcap delete bridge <bridge|all>',
  'capture pcap snaplen [size]',
  'capture pcap filter [bpf]',
].join('\n');

/** minimega's columns (mode and compress are netflow's), with our capture id first for `delete <id>`. */
export const CAPTURE_COLUMNS = ['id', 'bridge', 'type', 'interface', 'mode', 'compress', 'path'];

export function captureRows(list: readonly CaptureInfo[]): string[][] {
  return list
    .filter((c) => c.state === 'running')
    .map((c) => [String(c.id), c.bridge, 'pcap', c.vm ? `${c.vm.name}:${c.vm.index}` : '', '', '', c.path]);
}

function usage(): Error {
  return new Error(`usage:\n${USAGE}`);
}

async function stopWhere(deps: CliDeps, pick: (c: CaptureInfo) => boolean): Promise<CaptureInfo[]> {
  const ids = (await deps.engine.call('capture.list')).filter((c) => c.state === 'running' && pick(c)).map((c) => c.id);
  return ids.length ? deps.engine.call('capture.stop', ids) : [];
}

async function pcap(deps: CliDeps, args: string[]): Promise<Response> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'vm': {
      if (rest.length !== 3) throw usage();
      const [vm, iface, file] = rest as [string, string, string];
      if (!/^-?\d+$/.test(iface)) throw new Error(`invalid interface: \`${iface}\``);
      await deps.engine.call('capture.start', { kind: 'vm', vm, index: Number(iface), file });
      return textResponse('');
    }
    case 'bridge': {
      if (rest.length !== 2) throw usage();
      await deps.engine.call('capture.start', { kind: 'bridge', bridge: rest[0]!, file: rest[1]! });
      return textResponse('');
    }
    case 'delete': {
      const [what, name] = rest;
      if (what === 'vm' && rest.length === 2) {
        const stopped = await stopWhere(deps, (c) => c.kind === 'vm' && (name === 'all' || c.vm?.name === name));
        if (!stopped.length && name !== 'all') throw new Error(`vm not found: ${name}`);
        return textResponse('');
      }
      if (what === 'bridge' && rest.length === 2) {
        await stopWhere(deps, (c) => c.kind === 'bridge' && (name === 'all' || c.bridge === name));
        return textResponse('');
      }
      if (rest.length !== 1) throw usage();
      if (what === 'all') {
        await stopWhere(deps, () => true);
        return textResponse('');
      }
      if (!/^\d+$/.test(what!)) throw new Error(`invalid capture id: \`${what}\``);
      await deps.engine.call('capture.stop', [Number(what)]);
      return textResponse('');
    }
    case 'snaplen': {
      if (rest.length > 1) throw usage();
      if (rest.length === 0) return textResponse(String((await deps.engine.call('capture.config')).snaplen));
      if (!/^\d+$/.test(rest[0]!)) throw new Error(`strconv.ParseUint: parsing "${rest[0]}": invalid syntax`);
      await deps.engine.call('capture.config', { snaplen: Number(rest[0]) });
      return textResponse('');
    }
    case 'filter': {
      if (rest.length === 0) return textResponse((await deps.engine.call('capture.config')).filter);
      await deps.engine.call('capture.config', { filter: rest.join(' ') });
      return textResponse('');
    }
    default:
      throw usage();
  }
}

export const capture: CliCommand = {
  words: ['capture'],
  usage: USAGE,
  help: 'Record the traffic of a container interface or of a whole bridge as a pcap file (relative names are under the files directory); list running captures; stop them by id, vm or bridge.',
  async run(deps, args) {
    if (args.length === 0) return tableResponse(CAPTURE_COLUMNS, captureRows(await deps.engine.call('capture.list')));
    if (args[0] === 'pcap') return pcap(deps, args.slice(1));
    if (args[0] === 'netflow') throw new Error('capture netflow is not supported: nanomega has no Open vSwitch netflow exporter');
    throw usage();
  },
};

export const clearCapture: CliCommand = {
  words: ['clear', 'capture'],
  usage: 'clear capture [pcap]',
  help: 'Stop every capture.',
  async run(deps, args) {
    if (args.length > 1 || (args.length === 1 && args[0] !== 'pcap' && args[0] !== 'netflow')) throw new Error('usage: clear capture [netflow,pcap]');
    // There are no netflow captures to clear.
    if (args[0] !== 'netflow') await stopWhere(deps, () => true);
    return textResponse('');
  },
};
