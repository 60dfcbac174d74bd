/** `host [field]`: minimega's report about this machine (its stats.go), one row or one field. */
import type { HostInfo } from '../../api/types.js';
import type { Handler } from '../handler.js';
import { goDuration } from '../format.js';
import { tableResponse, textResponse } from '../response.js';

/** minimega's order of the table (name left out: the host column of `.annotate` carries it). */
export const HOST_COLUMNS = [
  'cpus',
  'load',
  'memused',
  'memtotal',
  'rx',
  'tx',
  'vms',
  'vmlimit',
  'androidvms',
  'cpucommit',
  'memcommit',
  'netcommit',
  'uptime',
] as const;
const FIELDS = [
  'cpucommit',
  'cpus',
  'load',
  'memcommit',
  'memtotal',
  'memused',
  'name',
  'netcommit',
  'rx',
  'tx',
  'uptime',
  'vms',
  'vmlimit',
  'androidvms',
] as const;

/** One field as minimega prints it (rates with one decimal). */
export function hostField(h: HostInfo, field: string): string {
  switch (field) {
    case 'rx':
      return h.rxMBps.toFixed(1);
    case 'tx':
      return h.txMBps.toFixed(1);
    case 'cpus':
      return String(h.cpus);
    case 'cpucommit':
      return String(h.cpuCommit);
    case 'load':
      return h.load;
    case 'memcommit':
      return String(h.memCommit);
    case 'memtotal':
      return String(h.memTotalMB);
    case 'memused':
      return String(h.memUsedMB);
    case 'name':
      return h.name;
    case 'netcommit':
      return String(h.netCommit);
    case 'vms':
      return String(h.vms);
    case 'androidvms':
      return String(h.androidVms);
    case 'vmlimit':
      return String(h.vmLimit);
    case 'uptime':
      return goDuration(h.uptimeMs);
  }
  return '???';
}

export const hostHandlers: Handler[] = [
  {
    patterns: ['host', ...FIELDS.map((f) => `host <${f},>`)],
    help: 'report information about hosts',
    helpLong:
      'Report information about this host: cpucommit (vcpus of all containers), cpus, load (1, 5 and 15 minute ' +
      'averages), memcommit (memory of all containers, MB), memtotal and memused (MB; used is total − free − ' +
      'buffers − cached, as minimega counts it), name, netcommit (NICs of all containers), rx and tx (MB/s ' +
      'through the bridge ports of containers and host taps, averaged over up to a minute of 5 s samples taken ' +
      'while `host` is being asked for), uptime, vms (containers of every namespace), vmlimit (-1: none) and ' +
      'androidvms (always 0). Without a field, all but name as one row.',
    async call(ctx, cmd) {
      const h = await ctx.deps.engine.call('host.info');
      const field = FIELDS.find((f) => cmd.boolArgs[f]);
      if (field) return textResponse(hostField(h, field));
      return tableResponse([...HOST_COLUMNS], [HOST_COLUMNS.map((c) => hostField(h, c))]);
    },
  },
  {
    patterns: ['args'],
    help: 'display arguments used',
    helpLong:
      "The daemon's command-line options (`nanomega serve`): each option's name as a column, with the value in " +
      'use; an option not given shows its default.',
    async call(ctx) {
      const args = await ctx.deps.engine.call('engine.args');
      const names = Object.keys(args).sort();
      return tableResponse(names, [names.map((n) => args[n]!)]);
    },
  },
  {
    patterns: ['version'],
    help: 'display the version',
    helpLong: "Print nanomega's version (the daemon's: `nanomega <version>`).",
    async call(ctx) {
      return textResponse(`nanomega ${await ctx.deps.engine.call('engine.version')}`);
    },
  },
];
