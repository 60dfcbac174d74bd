/** `dnsmasq`, `dnsmasq start|kill`, `dnsmasq configure`: DHCP and DNS on host taps (minimega's patterns). */
import type { DnsmasqEntry } from '../../api/types.js';
import type { Handler } from '../handler.js';
import { type Response, errorResponse, tableResponse } from '../response.js';

/** Headers of each listing, as minimega prints them. */
const HEADERS = {
  ip: ['id', 'mac', 'ip'],
  dns: ['id', 'ip', 'hostname'],
  upstream: ['id', 'upstream server'],
  options: ['id', 'option'],
} as const;

function listing(kind: keyof typeof HEADERS, entries: DnsmasqEntry[]): Response {
  const rows = entries.map((e) => (kind === 'upstream' || kind === 'options' ? [String(e.id), e.value] : [String(e.id), e.key, e.value]));
  return tableResponse([...HEADERS[kind]], rows);
}

export const dnsmasqHandlers: Handler[] = [
  {
    patterns: ['dnsmasq', 'dnsmasq start <listen address> <low dhcp range> <high dhcp range> [config]', 'dnsmasq start <config>', 'dnsmasq kill <id or all>'],
    help: 'start a dhcp/dns server on a specified ip',
    helpLong:
      'List the DHCP/DNS servers, start one on the host tap that holds the listen address (serving the range), ' +
      'start one from a dnsmasq config file alone, or kill one or all.',
    async call(ctx, cmd) {
      const a = cmd.stringArgs;
      if (a.id !== undefined) {
        await ctx.deps.engine.call('dnsmasq.kill', a.id);
        return errorResponse();
      }
      if (a.listen !== undefined) {
        await ctx.deps.engine.call('dnsmasq.start', a.listen, a.low!, a.high!, a.config);
        return errorResponse();
      }
      if (a.config !== undefined) {
        await ctx.deps.engine.call('dnsmasq.start', '', '', '', a.config);
        return errorResponse();
      }
      const list = await ctx.deps.engine.call('dnsmasq.list');
      return tableResponse(
        ['id', 'address', 'min', 'max', 'path', 'pid'],
        list.map((s) => [String(s.id), s.address, s.min, s.max, s.path, String(s.pid)]),
      );
    },
  },
  {
    patterns: [
      'dnsmasq configure <ID> <ip,>',
      'dnsmasq configure <ID> <ip,> <mac address> <ip>',
      'dnsmasq configure <ID> <dns,>',
      'dnsmasq configure <ID> <dns,> <ip> <hostname>',
      'dnsmasq configure <ID> <dns,> <upstream,>',
      'dnsmasq configure <ID> <dns,> <upstream,> server <ip>',
      'dnsmasq configure <ID> <options,>',
      'dnsmasq configure <ID> <options,> <optionstring>',
    ],
    help: 'configure dhcp/dns options',
    helpLong:
      'Show or add static leases (ip MAC IP), DNS names (dns IP HOSTNAME), upstream DNS servers (dns upstream ' +
      'server IP) or DHCP options of a server, or of all of them.',
    async call(ctx, cmd) {
      const a = cmd.stringArgs;
      const b = cmd.boolArgs;
      let kind: keyof typeof HEADERS;
      let values: string[];
      if (b.ip) [kind, values] = ['ip', a.mac !== undefined ? [a.mac, a.ip!] : []];
      else if (b.upstream) [kind, values] = ['upstream', a.ip !== undefined ? [a.ip] : []];
      else if (b.dns) [kind, values] = ['dns', a.ip !== undefined ? [a.ip, a.hostname!] : []];
      else [kind, values] = ['options', a.optionstring !== undefined ? [a.optionstring] : []];
      const entries = await ctx.deps.engine.call('dnsmasq.configure', a.ID!, kind, values);
      return values.length > 0 ? errorResponse() : listing(kind, entries);
    },
  },
];
