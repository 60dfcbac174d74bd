/**
 * A cluster of "hosts" on one machine, started and stopped by a test: each host is a network namespace
 * (with its own mount and UTS namespace: its hostname, and a /sys that shows its own links, the cgroup
 * hierarchies bound back in), joined to the others by a veth underlay on a bridge in a fourth network
 * namespace. Each host runs an etcd member (the three form one etcd cluster, mutual TLS) and a nanomega
 * daemon with its own base, both entered into the host's namespaces with nsenter, as a real host's
 * would run. The certificates come from `nanomega cluster init`. Link names (mega_bridge, mega_tapN)
 * are per network namespace, so the daemons never collide; cgroup names carry each base's tag.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandResult } from '../../engine/api/types.js';
import { EngineClient, socketPath } from '../../cli/engine-client.js';
import { BIN } from './daemon.js';
import { until } from './wait.js';

/** Where the peer API listens on each host, and etcd's client and peer ports. */
export const PEER_PORT = 9102;
export const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;

export interface ClusterHostHandle {
  name: string;
  /** Its underlay address. */
  address: string;
  netns: string;
  base: string;
  daemon?: ChildProcess;
  etcd?: ChildProcess;
  client?: EngineClient;
}

export interface TestCluster {
  id: string;
  dir: string;
  certs: string;
  hosts: ClusterHostHandle[];
  /** The underlay's own netns (an address on its bridge reaches every host). */
  underlay: string;
  endpoints: string;
  /** A line of the language on host i's daemon (`.annotate` as the daemon has it). */
  exec(i: number, line: string): Promise<CommandResult>;
  ok(i: number, line: string): Promise<string>;
  /** argv run inside host i's namespaces (net, mount, uts). */
  inHost(i: number, argv: string[]): string[];
  startDaemon(i: number): Promise<void>;
  /** SIGKILL host i's daemon (its containers keep running). */
  crashDaemon(i: number): Promise<void>;
  startEtcd(i: number): void;
  stopEtcd(i: number): Promise<void>;
  /** Everything down and removed: containers killed and flushed, daemons, etcd, namespaces, files. */
  dispose(): Promise<void>;
}

function sh(argv: string[]): string {
  return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function stop(p: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill(signal);
  return gone;
}

/**
 * Bring up `n` hosts (h1…hn) and their etcd cluster; daemons are started too unless `daemons` is false.
 * `prefix` keeps two suites' names apart; `root` holds everything of the cluster (default /run).
 */
export async function startCluster(opts: { n?: number; daemons?: boolean; prefix?: string; root?: string } = {}): Promise<TestCluster> {
  const n = opts.n ?? 3;
  const id = `${opts.prefix ?? 'nmc'}${process.pid % 10000}`;
  const dir = join(opts.root ?? '/run', id);
  const nsDir = join(dir, 'ns');
  const subnet = `10.213.${process.pid % 250}`;
  const underlay = `${id}u`;
  const hosts: ClusterHostHandle[] = [];
  for (let i = 1; i <= n; i++) hosts.push({ name: `${id}h${i}`, address: `${subnet}.${i}`, netns: `${id}h${i}`, base: join(dir, `h${i}`, 'base') });
  const certs = join(dir, 'certs');
  const endpoints = hosts.map((h) => `https://${h.address}:${ETCD_CLIENT_PORT}`).join(',');
  const cleanups: (() => void)[] = [];

  const nsFile = (h: ClusterHostHandle, kind: 'mnt' | 'uts') => join(nsDir, `${h.name}.${kind}`);
  const inHost = (i: number, argv: string[]): string[] => {
    const h = hosts[i]!;
    return ['nsenter', `--net=/run/netns/${h.netns}`, `--mount=${nsFile(h, 'mnt')}`, `--uts=${nsFile(h, 'uts')}`, '--', ...argv];
  };

  const c: TestCluster = {
    id,
    dir,
    certs,
    hosts,
    underlay,
    endpoints,
    inHost,
    exec: (i, line) => hosts[i]!.client!.call('cli.exec', line),
    async ok(i, line) {
      const r = await hosts[i]!.client!.call('cli.exec', line);
      if (r.errors.length) throw new Error(`${hosts[i]!.name}: ${line}: ${r.errors.join('; ')}`);
      return r.output;
    },
    startEtcd(i) {
      const h = hosts[i]!;
      const data = join(dir, `h${i + 1}`, 'etcd');
      mkdirSync(data, { recursive: true, mode: 0o700 });
      const crt = join(certs, `${h.name}.crt`);
      const key = join(certs, `${h.name}.key`);
      const ca = join(certs, 'ca.crt');
      const initial = hosts.map((x) => `${x.name}=https://${x.address}:${ETCD_PEER_PORT}`).join(',');
      const log = openSync(join(dir, `h${i + 1}`, 'etcd.log'), 'a');
      const argv = inHost(i, [
        'etcd',
        '--name',
        h.name,
        '--data-dir',
        data,
        '--listen-client-urls',
        `https://${h.address}:${ETCD_CLIENT_PORT}`,
        '--advertise-client-urls',
        `https://${h.address}:${ETCD_CLIENT_PORT}`,
        '--listen-peer-urls',
        `https://${h.address}:${ETCD_PEER_PORT}`,
        '--initial-advertise-peer-urls',
        `https://${h.address}:${ETCD_PEER_PORT}`,
        '--initial-cluster',
        initial,
        '--initial-cluster-state',
        existsSync(join(data, 'member')) ? 'existing' : 'new',
        '--initial-cluster-token',
        id,
        '--client-cert-auth',
        '--trusted-ca-file',
        ca,
        '--cert-file',
        crt,
        '--key-file',
        key,
        '--peer-client-cert-auth',
        '--peer-trusted-ca-file',
        ca,
        '--peer-cert-file',
        crt,
        '--peer-key-file',
        key,
        // Small test clusters on a loaded 2-core machine: quick elections, no snapshots.
        '--heartbeat-interval',
        '100',
        '--election-timeout',
        '1000',
        '--snapshot-count',
        '100000',
      ]);
      h.etcd = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', log, log] });
      closeSync(log);
    },
    async stopEtcd(i) {
      await stop(hosts[i]!.etcd);
      hosts[i]!.etcd = undefined;
    },
    async startDaemon(i) {
      const h = hosts[i]!;
      const log = openSync(join(dir, `h${i + 1}`, 'daemon.log'), 'a');
      const argv = inHost(i, [
        process.execPath,
        BIN,
        'serve',
        '--base',
        h.base,
        '--no-minimega-socket',
        '--cluster',
        endpoints,
        '--cluster-certs',
        certs,
        '--cluster-listen',
        `${h.address}:${PEER_PORT}`,
      ]);
      const p = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', log, log] });
      closeSync(log);
      h.daemon = p;
      await until(
        () => `${h.name}'s daemon serving (log: ${readFileSync(join(dir, `h${i + 1}`, 'daemon.log'), 'utf8').slice(-2000)})`,
        async () => {
          if (p.exitCode !== null) throw new Error(`${h.name}'s daemon exited: ${readFileSync(join(dir, `h${i + 1}`, 'daemon.log'), 'utf8').slice(-2000)}`);
          if (!existsSync(socketPath(h.base))) return false;
          try {
            h.client = await EngineClient.connect(h.base);
            return true;
          } catch {
            return false;
          }
        },
        60_000,
      );
    },
    async crashDaemon(i) {
      const h = hosts[i]!;
      h.client?.close();
      h.client = undefined;
      await stop(h.daemon, 'SIGKILL');
      h.daemon = undefined;
    },
    async dispose() {
      for (const [i, h] of hosts.entries()) {
        // A host whose daemon is gone (a test crashed it): its containers go by nuke, run on that host.
        if (!h.client && existsSync(h.base)) {
          try {
            const argv = inHost(i, [process.execPath, BIN, 'nuke', '--base', h.base]);
            execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
          } catch {
            // Best-effort: the leak check reports what is left.
          }
        }
        if (h.client) {
          await h.client.call('vm.kill', 'all').catch(() => undefined);
          await h.client.call('vm.flush', 'all').catch(() => undefined);
          h.client.close();
          h.client = undefined;
        }
      }
      await Promise.all(hosts.map((h) => stop(h.daemon)));
      await Promise.all(hosts.map((h) => stop(h.etcd)));
      for (const f of cleanups.reverse()) {
        try {
          f();
        } catch {
          // Best-effort: the rest must still go.
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    mkdirSync(nsDir, { recursive: true, mode: 0o700 });
    // ns files must sit on a private mount (as ip netns keeps /run/netns).
    sh(['mount', '--bind', nsDir, nsDir]);
    cleanups.push(() => sh(['umount', '-l', nsDir]));
    sh(['mount', '--make-private', nsDir]);
    sh(['ip', 'netns', 'add', underlay]);
    cleanups.push(() => sh(['ip', 'netns', 'del', underlay]));
    sh(['ip', '-n', underlay, 'link', 'add', 'br0', 'type', 'bridge']);
    sh(['ip', '-n', underlay, 'addr', 'add', `${subnet}.254/24`, 'dev', 'br0']);
    sh(['ip', '-n', underlay, 'link', 'set', 'br0', 'up']);
    sh(['ip', '-n', underlay, 'link', 'set', 'lo', 'up']);
    for (const [k, h] of hosts.entries()) {
      sh(['ip', 'netns', 'add', h.netns]);
      cleanups.push(() => sh(['ip', 'netns', 'del', h.netns]));
      sh(['ip', '-n', underlay, 'link', 'add', `u${k + 1}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.netns]);
      sh(['ip', '-n', underlay, 'link', 'set', `u${k + 1}`, 'master', 'br0', 'up']);
      sh(['ip', '-n', h.netns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
      sh(['ip', '-n', h.netns, 'link', 'set', 'eth0', 'up']);
      sh(['ip', '-n', h.netns, 'link', 'set', 'lo', 'up']);
      // The host's mount and UTS namespaces, kept by bind mounts like ip netns keeps network ones.
      for (const kind of ['mnt', 'uts'] as const) writeFileSync(nsFile(h, kind), '');
      const cg = join(dir, `cg-${h.name}`);
      mkdirSync(cg, { recursive: true });
      sh([
        'nsenter',
        `--net=/run/netns/${h.netns}`,
        'unshare',
        `--mount=${nsFile(h, 'mnt')}`,
        `--uts=${nsFile(h, 'uts')}`,
        '--propagation',
        'slave',
        'sh',
        '-ec',
        // sysfs shows the links of the netns that mounts it; the cgroup hierarchies are carried over.
        `hostname ${h.name}; mount --rbind /sys/fs/cgroup ${cg}; mount -t sysfs sysfs /sys; mount --move ${cg} /sys/fs/cgroup`,
      ]);
      cleanups.push(() => sh(['umount', nsFile(h, 'mnt')]));
      cleanups.push(() => sh(['umount', nsFile(h, 'uts')]));
    }
    mkdirSync(certs, { recursive: true, mode: 0o700 });
    sh([process.execPath, BIN, 'cluster', 'init', certs, ...hosts.flatMap((h) => ['--host', `${h.name}=${h.address}`])]);
    for (let i = 0; i < n; i++) c.startEtcd(i);
    await until(
      'etcd cluster healthy',
      () => {
        try {
          sh(etcdctl(c, 0, ['endpoint', 'health', '--cluster']));
          return true;
        } catch {
          return false;
        }
      },
      60_000,
    );
    if (opts.daemons !== false) for (let i = 0; i < n; i++) await c.startDaemon(i);
  } catch (e) {
    await c.dispose();
    throw e;
  }
  return c;
}

/** etcdctl as host i (its certificate), against every endpoint. */
export function etcdctl(c: TestCluster, i: number, args: string[], certs = true): string[] {
  const h = c.hosts[i]!;
  const tls = certs ? ['--cacert', join(c.certs, 'ca.crt'), '--cert', join(c.certs, `${h.name}.crt`), '--key', join(c.certs, `${h.name}.key`)] : [];
  return c.inHost(i, ['env', 'ETCDCTL_API=3', 'etcdctl', '--endpoints', c.endpoints, '--dial-timeout', '3s', '--command-timeout', '5s', ...tls, ...args]);
}

/** Run argv and return stdout (throws on a nonzero exit). */
export function run(argv: string[]): string {
  return sh(argv);
}
