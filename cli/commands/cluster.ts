import { initCluster, parseHostSpec, type HostSpec } from '../../engine/cluster/certs.js';
import { LinuxHost } from '../../engine/host/linux-host.js';
import { EngineClient } from '../engine-client.js';
import { fail } from '../args.js';
import type { Subcommand } from '../subcommand.js';

/** `cluster hosts`: the table of the daemon's cluster. */
async function hosts(base: string): Promise<number> {
  const client = await EngineClient.connect(base);
  try {
    const list = await client.call('cluster.hosts');
    if (list.length === 0) {
      process.stdout.write('this daemon is not in a cluster (nanomega serve --cluster …)\n');
      return 0;
    }
    const rows = list.map((h) => [
      h.name,
      h.up ? 'up' : 'down',
      h.leader ? '*' : '',
      h.api,
      String(h.cpus),
      `${h.memoryUsedMB}/${h.memoryMB}`,
      h.load1.toFixed(2),
      String(h.containers),
    ]);
    const table = [['host', 'state', 'leader', 'api', 'cpus', 'memory', 'load', 'containers'], ...rows];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    process.stdout.write(
      table
        .map((r) =>
          r
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd(),
        )
        .join('\n') + '\n',
    );
    return 0;
  } finally {
    client.close();
  }
}

export const command: Subcommand = {
  name: 'cluster',
  options: ['--host', '--force'],
  usage: 'cluster init DIR --host NAME[=ADDR,…]… [--force] | cluster hosts',
  summary:
    "init: make the cluster's CA (unless DIR has one) and a certificate per host for etcd and the daemons'\n" +
    "mutual TLS (openssl; a host's addresses go in its certificate); copy DIR to every host.\n" +
    "hosts: the hosts of this daemon's cluster, their load and which one schedules",
  async run(args, rest) {
    const [verb, ...more] = rest;
    if (verb === 'hosts') {
      if (more.length) fail(`cluster hosts: unexpected argument \`${more[0]}\``);
      return hosts(args.base);
    }
    if (verb !== 'init') fail('cluster: expected init or hosts (see nanomega cluster --help)');
    let dir: string | undefined;
    let force = false;
    const specs: HostSpec[] = [];
    for (let i = 0; i < more.length; i++) {
      const a = more[i]!;
      if (a === '--force') force = true;
      else if (a === '--host') {
        const v = more[++i];
        if (v === undefined) fail('cluster init: --host needs NAME[=ADDR,…]');
        specs.push(parseHostSpec(v));
      } else if (dir === undefined) dir = a;
      else fail(`cluster init: unexpected argument \`${a}\``);
    }
    if (dir === undefined) fail('cluster init: name the directory (nanomega cluster init DIR --host NAME=ADDR …)');
    const written = await initCluster(new LinuxHost(), dir, specs, { force });
    for (const f of written) process.stdout.write(`${f}\n`);
    return 0;
  },
};
