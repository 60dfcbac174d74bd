import { connect } from 'node:net';
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
  const all = await client.call('vm.info', ns).finally(() => client.close());
  const hits = all.filter((x) => x.name === name || String(x.id) === name || x.uuid === name);
  const c = hits[0];
  if (!c) {
    process.stderr.write(`nanomega: vm not found: ${target}\n`);
    return 1;
  }
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
