/**
 * `check`: minimega's check that the external programs the daemon runs are in its $PATH. Nothing is
 * printed when all are there; otherwise one error lists every missing one in Go's exec.LookPath words.
 * The kernel limits and features thousands of containers need are `nanomega doctor`'s.
 */
import type { Handler } from '../handler.js';
import { errorResponse } from '../response.js';

/**
 * What the engine runs, by package (scripts/debian-packages): iproute2 for NICs, bridges and qos,
 * util-linux for entering and unmounting, dnsmasq and dhclient for `dnsmasq start` and `tap create …
 * dhcp`, tcpdump for `capture pcap`, iptables for qos on kernels without netem.
 */
export const EXTERNAL_PROGRAMS: readonly string[] = ['ip', 'bridge', 'tc', 'nsenter', 'umount', 'dnsmasq', 'dhclient', 'tcpdump', 'iptables'];

export const checkHandlers: Handler[] = [
  {
    patterns: ['check'],
    help: 'check that all external executables dependencies exist',
    helpLong:
      'Look up each external program the daemon runs (' +
      EXTERNAL_PROGRAMS.join(', ') +
      ') in its $PATH; errors name every one that is missing. `nanomega doctor` checks the kernel.',
    async call(ctx) {
      const path = ctx.state.env('PATH') ?? '';
      const missing: string[] = [];
      for (const p of EXTERNAL_PROGRAMS) {
        try {
          await ctx.deps.host.lookPath(p, path);
        } catch (e) {
          missing.push((e as Error).message);
        }
      }
      if (missing.length) throw new Error(missing.join('\n'));
      return errorResponse();
    },
  },
];
