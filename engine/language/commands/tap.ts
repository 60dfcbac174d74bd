/** `tap`, `tap create|delete`, `clear tap`: host interfaces on experiment VLANs (minimega's words). */
import type { TapRequest } from '../../api/types.js';
import type { CliCommand } from '../deps.js';
import { tableResponse, textResponse } from '../response.js';

const CREATE_USAGE = 'tap create <vlan> [bridge <bridge>] [name <tap name> | dhcp [tap name] | ip <ip> [tap name] | <tap name>]';
const USAGE = `tap | ${CREATE_USAGE} | tap delete <tap name or all>`;

/** minimega's `tap create` patterns, plus a bare trailing name: `tap create 5 ip 10.0.0.1/24 t0`. */
export function parseTapCreate(args: readonly string[]): TapRequest {
  const usage = () => new Error(`usage: ${CREATE_USAGE}`);
  const [vlan, ...rest] = args;
  if (vlan === undefined) throw usage();
  const req: TapRequest = { vlan };
  let i = 0;
  if (rest[i] === 'bridge') {
    if (rest[i + 1] === undefined) throw usage();
    req.bridge = rest[i + 1]!;
    i += 2;
  }
  const word = rest[i];
  if (word === 'name') {
    if (rest[i + 1] === undefined) throw usage();
    req.name = rest[i + 1]!;
    i += 2;
  } else if (word === 'dhcp') {
    req.dhcp = true;
    i++;
  } else if (word === 'ip') {
    if (rest[i + 1] === undefined) throw usage();
    req.ip = rest[i + 1]!;
    i += 2;
  }
  if (req.name === undefined && rest[i] !== undefined) req.name = rest[i++]!;
  if (i !== rest.length) throw usage();
  return req;
}

export const tap: CliCommand = {
  words: ['tap'],
  usage: USAGE,
  help: 'List host taps, create one on a VLAN (with an address, by DHCP, or bare), or delete them.',
  async run(deps, args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case undefined: {
        const taps = await deps.engine.call('tap.list');
        return tableResponse(['bridge', 'tap', 'vlan'], taps.map((t) => [t.bridge, t.name, vlanCell(t.vlan, t.vlanId)]));
      }
      case 'create':
        return textResponse((await deps.engine.call('tap.create', parseTapCreate(rest))).name);
      case 'delete':
        if (rest.length !== 1) throw new Error('usage: tap delete <tap name or all>');
        await deps.engine.call('tap.delete', rest[0]!);
        return textResponse('');
      case 'mirror':
        throw new Error('tap mirror is not supported by nanomega');
      default:
        throw new Error(`usage: ${USAGE}`);
    }
  },
};

export const clearTap: CliCommand = {
  words: ['clear', 'tap'],
  usage: 'clear tap',
  help: 'Delete every host tap.',
  async run(deps, args) {
    if (args.length) throw new Error(args[0] === 'mirror' ? 'tap mirror is not supported by nanomega' : 'usage: clear tap');
    await deps.engine.call('tap.delete', 'all');
    return textResponse('');
  },
};

/** minimega's printVLAN: `LAN (101)` for an alias, the number otherwise. */
function vlanCell(vlan: string, id: number): string {
  return /^[0-9]+$/.test(vlan) ? String(id) : `${vlan} (${id})`;
}
