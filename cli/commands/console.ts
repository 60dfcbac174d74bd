import { connect } from 'node:net';
import type { ContainerInfo } from '../../engine/api/types.js';
import { ShimControl } from '../../engine/shim/control-client.js';
import { EngineClient } from '../engine-client.js';
import { fail } from '../args.js';
import type { Subcommand } from '../subcommand.js';

/** Ctrl-] (GS), telnet's and virsh's detach key. */
export const DETACH_BYTE = 0x1d;

/**
 * `nanomega console NAME`: attach this terminal to a container's console socket (raw mode,
 * following the local window size). Exit 0 on detach, 1 when the container is not found or not
 * running, 2 when the console closes because the container ended.
 */
export async function attachConsole(base: string, target: string): Promise<number> {
  // NS//NAME names a container of namespace NS (names repeat across namespaces; ids never do).
  const at = target.indexOf('//');
  const [name, ns] = at < 0 ? [target, undefined] : [target.slice(at + 2), target.slice(0, at)];
  const client = await EngineClient.connect(base);
  const all = await client.call('vm.info', ns).catch((e: unknown) => {
    client.close();
    throw e;
  });
  const named = (x: ContainerInfo) => (x.name === name || String(x.id) === name || x.uuid === name) && (ns === undefined || x.namespace === ns);
  const hits = all.filter(named);
  const c = hits[0];
  if (!c) {
    // In a cluster: a container of another host, through the daemon that owns it.
    const remote = (await client.call('cluster.containers').catch(() => [])).flatMap((h) => h.vms.filter(named).map((v) => ({ host: h.host, up: h.up, c: v })));
    if (remote.length === 1 && remote[0]!.up) return attachRemote(client, remote[0]!.host, remote[0]!.c);
    client.close();
    if (remote.length > 1) {
      process.stderr.write(`nanomega: vm ${name} is on more than one host (${remote.map((r) => r.host).join(', ')}): name it NS//${name}\n`);
      return 1;
    }
    process.stderr.write(remote.length ? `nanomega: ${name} is on ${remote[0]!.host}, whose daemon is down\n` : `nanomega: vm not found: ${target}\n`);
    return 1;
  }
  client.close();
  if (hits.length > 1) {
    const where = [...new Set(hits.map((x) => x.namespace))].sort();
    process.stderr.write(`nanomega: vm ${name} is in more than one namespace (${where.join(', ')}): name it NS//${name}, or use its id\n`);
    return 1;
  }
  if (c.state === 'QUIT' || c.state === 'ERROR') {
    process.stderr.write(`nanomega: ${c.name} is not running (${c.state})\n`);
    return 1;
  }
  const control = await ShimControl.connect(c.dir).catch(() => undefined);
  const resize = () => {
    if (process.stdout.isTTY && control) control.resize(process.stdout.columns, process.stdout.rows);
  };
  resize();
  const sock = connect(c.console);
  const stdin = process.stdin;
  return new Promise<number>((resolve) => {
    let detached = false;
    const finish = (code: number, msg: string) => {
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      process.off('SIGWINCH', resize);
      control?.close();
      sock.destroy();
      process.stderr.write(`\r\n${msg}\r\n`);
      resolve(code);
    };
    sock.once('error', (e) => finish(1, `nanomega: console of ${c.name}: ${e.message}`));
    sock.once('connect', () => {
      process.stderr.write(`nanomega: attached to ${c.name}; Ctrl-] detaches\r\n`);
      if (stdin.isTTY) stdin.setRawMode(true);
      stdin.resume();
      process.on('SIGWINCH', resize);
      stdin.on('data', (d: Buffer) => {
        const i = d.indexOf(DETACH_BYTE);
        if (i >= 0) {
          if (i > 0) sock.write(d.subarray(0, i));
          detached = true;
          finish(0, `nanomega: detached from ${c.name}`);
          return;
        }
        sock.write(d);
      });
    });
    sock.on('data', (d) => process.stdout.write(d));
    sock.on('close', () => {
      if (!detached) finish(2, `nanomega: console of ${c.name} closed`);
    });
  });
}

/**
 * The console of a container another daemon of the cluster owns, relayed by this daemon
 * (cluster.console.open): output acknowledged as it is written, input, window size, Ctrl-] to detach.
 */
async function attachRemote(client: EngineClient, host: string, c: ContainerInfo): Promise<number> {
  if (c.state === 'QUIT' || c.state === 'ERROR') {
    client.close();
    process.stderr.write(`nanomega: ${c.name} is not running (${c.state})\n`);
    return 1;
  }
  const size = () => (process.stdout.isTTY ? ([process.stdout.columns, process.stdout.rows] as const) : ([undefined, undefined] as const));
  let session: number | undefined;
  const early: { session: number; data: string }[] = [];
  const show = (d: { session: number; data: string }) => {
    process.stdout.write(d.data);
    void client.call('console.ack', d.session, d.data.length).catch(() => undefined); // Best-effort: a closed session needs none.
  };
  const stdin = process.stdin;
  return new Promise<number>((resolve) => {
    let done = false;
    const resize = () => {
      const [cols, rows] = size();
      if (session !== undefined && cols && rows) void client.call('console.resize', session, cols, rows).catch(() => undefined);
    };
    const finish = (code: number, msg: string) => {
      if (done) return;
      done = true;
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      process.off('SIGWINCH', resize);
      const closing = session !== undefined && code === 0 ? client.call('console.close', session).catch(() => undefined) : Promise.resolve();
      closing.then(
        () => client.close(),
        () => client.close(),
      );
      process.stderr.write(`\r\n${msg}\r\n`);
      resolve(code);
    };
    client.on('console.data', (d) => {
      if (session === undefined) early.push(d);
      else if (d.session === session) show(d);
    });
    client.on('console.closed', (e) => {
      if (e.session === session) finish(2, `nanomega: console of ${c.name} on ${host} closed: ${e.reason}`);
    });
    const [cols, rows] = size();
    client.call('cluster.console.open', host, c.id, cols, rows).then(
      (s) => {
        session = s.session;
        for (const d of early) if (d.session === session) show(d);
        process.stderr.write(`nanomega: attached to ${c.name} on ${host}; Ctrl-] detaches\r\n`);
        if (stdin.isTTY) stdin.setRawMode(true);
        stdin.resume();
        process.on('SIGWINCH', resize);
        stdin.on('data', (d: Buffer) => {
          const i = d.indexOf(DETACH_BYTE);
          const part = i >= 0 ? d.subarray(0, i) : d;
          if (part.length) void client.call('console.input', s.session, part.toString('utf8')).catch(() => undefined);
          if (i >= 0) finish(0, `nanomega: detached from ${c.name}`);
        });
      },
      (e: unknown) => finish(1, `nanomega: console of ${c.name} on ${host}: ${(e as Error).message}`),
    );
  });
}

export const command: Subcommand = {
  name: 'console',
  options: [],
  usage: 'console [NS//]NAME',
  summary: "attach this terminal to a container's console (Ctrl-] detaches)",
  run(args, rest) {
    if (rest.length !== 1) fail('usage: nanomega console [NS//]NAME');
    return attachConsole(args.base, rest[0]!);
  },
};
