/**
 * `nanomega cluster init DIR --host NAME[=IP,…]…`: the cluster's certificate authority and one
 * certificate per host, made with Debian's `openssl` (the tool every lab already has; node:crypto
 * cannot issue X.509 certificates). Each host certificate serves both ends of mutual TLS — etcd's
 * client and peer ports, the daemon-to-daemon API, and the daemon's own connections to both — so its
 * subject names the host (CN and a DNS SAN) and every address it is reached on (IP SANs).
 *
 * DIR/ca.crt, DIR/ca.key (0600), DIR/NAME.crt, DIR/NAME.key (0600). An existing CA is reused, so
 * running init again with new hosts adds them; an existing host certificate is kept unless `force`.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { EngineError, configError } from '../errors.js';
import type { Host } from '../host/host.js';

export const CA_CERT = 'ca.crt';
export const CA_KEY = 'ca.key';
/** Days a CA (10 years) and a host certificate (825: what browsers and most TLS stacks still accept) last. */
const CA_DAYS = 3650;
const HOST_DAYS = 825;
/** ECDSA P-256: supported by etcd's Go TLS, Node and every openssl. */
const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
/** A host name as certificates and etcd keys carry it (RFC 1123 labels). */
const HOST_NAME_RE = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export interface HostSpec {
  name: string;
  ips: string[];
}

export function checkHostName(name: string, field = 'host'): void {
  if (name.length > 253 || !HOST_NAME_RE.test(name)) {
    throw configError(field, name, `${field}: \`${name}\` is not a host name (letters, digits, - and . only)`);
  }
}

/** `NAME` or `NAME=IP[,IP…]` as `--host` takes it. */
export function parseHostSpec(text: string): HostSpec {
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  checkHostName(name);
  const ips =
    eq < 0
      ? []
      : text
          .slice(eq + 1)
          .split(',')
          .filter(Boolean);
  for (const ip of ips) if (isIP(ip) === 0) throw configError('host', ip, `--host ${name}: \`${ip}\` is not an IP address`);
  return { name, ips };
}

/** The extensions of a host certificate: both TLS roles, its name and addresses (and loopback). */
export function hostExtensions(h: HostSpec): string {
  const sans = [`DNS:${h.name}`, 'DNS:localhost', ...[...new Set([...h.ips, '127.0.0.1'])].map((ip) => `IP:${ip}`)];
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth',
    `subjectAltName=${sans.join(',')}`,
    '',
  ].join('\n');
}

async function openssl(host: Host, args: string[], what: string): Promise<void> {
  const r = await host.run(['openssl', ...args]);
  if (r.code !== 0)
    throw new EngineError('E_HOST', `${what}: openssl ${args[0]} failed: ${r.stderr.trim().split('\n').pop() ?? r.code}`, { op: what, path: 'openssl' });
}

/** Make the CA (when DIR has none) and a certificate per host; returns the files written. */
export async function initCluster(host: Host, dir: string, hosts: readonly HostSpec[], opts: { force?: boolean } = {}): Promise<string[]> {
  if (hosts.length === 0) throw configError('host', '', 'cluster init: name at least one host (--host NAME[=IP,…])');
  const names = new Set<string>();
  for (const h of hosts) {
    checkHostName(h.name);
    if (names.has(h.name)) throw configError('host', h.name, `cluster init: host \`${h.name}\` named twice`);
    names.add(h.name);
  }
  await host.mkdir(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  const caCert = join(dir, CA_CERT);
  const caKey = join(dir, CA_KEY);
  const hasCa = (await host.exists(caCert)) && (await host.exists(caKey));
  if (!hasCa) {
    await openssl(
      host,
      [
        'req',
        '-x509',
        '-new',
        ...KEY_ARGS,
        '-keyout',
        caKey,
        '-out',
        caCert,
        '-days',
        String(CA_DAYS),
        '-subj',
        '/CN=nanomega cluster CA',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      `create ${caCert}`,
    );
    await host.chmod(caKey, 0o600);
    written.push(caCert, caKey);
  }
  for (const h of hosts) {
    const crt = join(dir, `${h.name}.crt`);
    const key = join(dir, `${h.name}.key`);
    if (!opts.force && (await host.exists(crt))) {
      throw new EngineError('E_EXISTS', `cluster init: ${crt} exists (--force replaces it)`, { path: crt });
    }
    const csr = join(dir, `.${h.name}.csr`);
    const ext = join(dir, `.${h.name}.ext`);
    try {
      await openssl(host, ['req', '-new', ...KEY_ARGS, '-keyout', key, '-out', csr, '-subj', `/CN=${h.name}`], `create ${key}`);
      await host.chmod(key, 0o600);
      await host.createFile(ext, hostExtensions(h), 0o600);
      const serial = `0x${randomBytes(16).toString('hex')}`;
      await openssl(
        host,
        ['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-set_serial', serial, '-days', String(HOST_DAYS), '-out', crt, '-extfile', ext],
        `sign ${crt}`,
      );
    } finally {
      await host.removeTree(csr).catch(() => undefined); // Best-effort: temporary files of this run.
      await host.removeTree(ext).catch(() => undefined);
    }
    written.push(crt, key);
  }
  return written;
}

/** The PEM files a daemon of host `name` needs from a cluster directory. */
export function certPaths(dir: string, name: string): { ca: string; cert: string; key: string } {
  return { ca: join(dir, CA_CERT), cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}
