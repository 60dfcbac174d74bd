/**
 * `nanomega serve --cluster ENDPOINTS --cluster-certs DIR --cluster-listen ADDR:PORT`: read this
 * host's certificates, find the underlay's MTU, open the etcd session and join. The host's name is its
 * hostname, as in minimega (namespaces and `vm info` name hosts so): its certificate is DIR/NAME.crt.
 */
import type { Socket } from 'node:net';
import { hostname } from 'node:os';
import type { Engine } from '../engine.js';
import { EngineError } from '../errors.js';
import type { Host } from '../host/host.js';
import { certPaths, checkHostName } from './certs.js';
import { Cluster } from './cluster.js';
import { parseAddress, type TlsMaterial } from './peer-link.js';

export interface ClusterOptions {
  /** etcd endpoints, comma-separated https URLs. */
  endpoints: string;
  /** The directory `nanomega cluster init` made (ca.crt, NAME.crt, NAME.key). */
  certDir: string;
  /** ADDR:PORT the peer API listens on; ADDR is this host's underlay address. */
  listen: string;
  /** This host's name in the cluster (default: its hostname; tests only). */
  name?: string;
}

/** The MTU of the interface holding `address` (`ip -j addr`), 1500 when none does (a wildcard address). */
export async function mtuOf(host: Host, address: string): Promise<number> {
  const r = await host.run(['ip', '-j', 'addr', 'show']);
  if (r.code !== 0) return 1500;
  const links = JSON.parse(r.stdout || '[]') as { mtu?: number; addr_info?: { local?: string }[] }[];
  return links.find((l) => l.addr_info?.some((a) => a.local === address))?.mtu ?? 1500;
}

async function readTls(host: Host, dir: string, name: string): Promise<TlsMaterial> {
  const paths = certPaths(dir, name);
  const read = async (p: string) => {
    if (!(await host.exists(p)))
      throw new EngineError('E_CONFIG', `--cluster-certs: ${p} is missing (nanomega cluster init ${dir} --host ${name}=ADDR)`, {
        field: 'cluster-certs',
        value: p,
      });
    return host.readFile(p);
  };
  return { ca: await read(paths.ca), cert: await read(paths.cert), key: await read(paths.key) };
}

export async function joinCluster(engine: Engine, opts: ClusterOptions, serveConnection: (sock: Socket) => void, log: (m: string) => void): Promise<Cluster> {
  const name = opts.name ?? hostname();
  checkHostName(name, 'cluster-name');
  // etcd3 and the gRPC stack under it take ~0.2 s of CPU to load: only a daemon that joins loads them.
  const { EtcdStore, parseEndpoints } = await import('./etcd-store.js');
  const endpoints = parseEndpoints(opts.endpoints);
  const listen = parseAddress(opts.listen, 'cluster-listen');
  // Other hosts dial this address and tunnel VLANs to it: a wildcard reaches nobody.
  if (/^(0\.0\.0\.0|::|0+(:0*)*)$/.test(listen.host))
    throw new EngineError('E_CONFIG', `--cluster-listen: \`${opts.listen}\` is a wildcard; give this host's underlay address`, {
      field: 'cluster-listen',
      value: opts.listen,
    });
  const host = engine.ctx.host;
  const tls = await readTls(host, opts.certDir, name);
  const store = new EtcdStore(endpoints, tls, log);
  try {
    return await Cluster.join(engine, store, { name, listen, mtu: await mtuOf(host, listen.host), tls }, { serveConnection, log });
  } catch (e) {
    await store.close().catch(() => undefined);
    throw new EngineError('E_UNAVAILABLE', `joining the cluster at ${endpoints.join(',')}: ${(e as Error).message}`, { field: 'cluster' });
  }
}
