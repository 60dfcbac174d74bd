/** `dnsmasq`, `dnsmasq start|kill`, `dnsmasq configure`: DHCP and DNS on host taps (minimega's words). */
import type { DnsmasqEntry } from '../../api/types.js';
import type { CliCommand } from '../deps.js';
import { tableResponse, textResponse, type Response } from '../response.js';

const USAGE = 'dnsmasq | dnsmasq start <listen address> <low dhcp range> <high dhcp range> [config] | dnsmasq start <config> | dnsmasq kill <id or all>';
const CONFIGURE_USAGE =
  'dnsmasq configure <ID> ip [<mac address> <ip>] | dns [<ip> <hostname>] | dns upstream [server <ip>] | upstream [server <ip>] | options [<optionstring>]';

export const dnsmasq: CliCommand = {
  words: ['dnsmasq'],
  usage: USAGE,
  help: 'List the DHCP/DNS servers, start one on the host tap holding the listen address, or kill them.',
  async run(deps, args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case undefined: {
        const list = await deps.engine.call('dnsmasq.list');
        return tableResponse(
          ['id', 'address', 'min', 'max', 'path', 'pid'],
          list.map((s) => [String(s.id), s.address, s.min, s.max, s.path, String(s.pid)]),
        );
      }
      case 'start':
        if (rest.length === 1) await deps.engine.call('dnsmasq.start', '', '', '', rest[0]!);
        else if (rest.length === 3 || rest.length === 4) await deps.engine.call('dnsmasq.start', rest[0]!, rest[1]!, rest[2]!, rest[3]);
        else throw new Error(`usage: ${USAGE}`);
        return textResponse('');
      case 'kill':
        if (rest.length !== 1) throw new Error('usage: dnsmasq kill <id or all>');
        await deps.engine.call('dnsmasq.kill', rest[0]!);
        return textResponse('');
      default:
        throw new Error(`usage: ${USAGE}`);
    }
  },
};

/** Headers of each listing, as minimega prints them. */
const HEADERS = {
  ip: ['id', 'mac', 'ip'],
  dns: ['id', 'ip', 'hostname'],
  upstream: ['id', 'upstream server'],
  options: ['id', 'option'],
} as const;

export const dnsmasqConfigure: CliCommand = {
  words: ['dnsmasq', 'configure'],
  usage: CONFIGURE_USAGE,
  help: 'Show or add static leases (ip), DNS names (dns), upstream DNS servers, or DHCP options of a server (or all).',
  async run(deps, args) {
    const [id, word, ...rest] = args;
    if (id === undefined || word === undefined) throw new Error(`usage: ${CONFIGURE_USAGE}`);
    let kind: keyof typeof HEADERS;
    let values = rest;
    if (word === 'ip' || word === 'options') kind = word;
    else if (word === 'dns' && rest[0] === 'upstream') [kind, values] = ['upstream', rest.slice(1)];
    else if (word === 'dns') kind = 'dns';
    else if (word === 'upstream') kind = 'upstream';
    else throw new Error(`usage: ${CONFIGURE_USAGE}`);
    if (kind === 'upstream' && values.length > 0) {
      if (values[0] !== 'server' || values.length !== 2) throw new Error(`usage: dnsmasq configure <ID> dns upstream server <ip>`);
      values = values.slice(1);
    }
    // An option string may contain spaces; minimega takes it as one argument.
    if (kind === 'options' && values.length > 1) values = [values.join(' ')];
    const entries = await deps.engine.call('dnsmasq.configure', id, kind, values);
    if (values.length > 0) return textResponse('');
    return listing(kind, entries);
  },
};

function listing(kind: keyof typeof HEADERS, entries: DnsmasqEntry[]): Response {
  const rows = entries.map((e) => (kind === 'upstream' || kind === 'options' ? [String(e.id), e.value] : [String(e.id), e.key, e.value]));
  return tableResponse([...HEADERS[kind]], rows);
}
