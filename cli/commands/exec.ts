import { EngineClient } from '../engine-client.js';
import { fail } from '../args.js';
import type { Subcommand } from '../subcommand.js';

/** stdin chunk per exec.input call (each awaited: the daemon and the monitor push back). */
const INPUT_CHUNK = 64 * 1024;

/** Exit status for a command that could not run (docker's and the shells' convention). */
function notRunStatus(error: string): number {
  return /No such file or directory/.test(error) ? 127 : 126;
}

const USAGE = 'exec [-t] [NS//]NAME -- CMD...';

/** `[-t] NAME [--] CMD...` → its parts. */
export function parseExecArgs(rest: string[]): { tty: boolean; name: string; argv: string[] } {
  let i = 0;
  let tty = false;
  for (; i < rest.length && rest[i]!.startsWith('-') && rest[i] !== '--'; i++) {
    if (rest[i] === '-t' || rest[i] === '--tty') tty = true;
    else if (rest[i] === '-i')
      continue; // stdin is always forwarded; accepted for docker's habit
    else if (rest[i] === '-it' || rest[i] === '-ti') tty = true;
    else fail(`exec: unknown option \`${rest[i]}\` (see nanomega exec --help)`, 2);
  }
  const name = rest[i++];
  if (rest[i] === '--') i++;
  const argv = rest.slice(i);
  if (!name || argv.length === 0) fail(`usage: nanomega ${USAGE}`);
  return { tty, name, argv };
}

/**
 * `nanomega exec [-t] NAME -- CMD...`: run CMD inside the running container NAME through the daemon,
 * this terminal's stdin/stdout/stderr connected, and exit with its status (128+N when killed by
 * signal N; 126/127 when it could not run).
 */
async function execIn(base: string, rest: string[]): Promise<number> {
  const { tty, name, argv } = parseExecArgs(rest);
  const client = await EngineClient.connect(base);
  const stdin = process.stdin;
  const raw = tty && stdin.isTTY;
  let session = -1;
  const early: { name: 'output' | 'exit'; payload: unknown }[] = [];
  let onOutput: (o: { session: number; stream: 'stdout' | 'stderr'; data: string }) => void = (o) => early.push({ name: 'output', payload: o });
  let onExit: (e: { session: number; code?: number; signal?: number; error?: string }) => void = (e) => early.push({ name: 'exit', payload: e });
  client.on('exec.output', (o) => onOutput(o));
  client.on('exec.exit', (e) => onExit(e));
  const size = () => (process.stdout.isTTY ? { cols: process.stdout.columns, rows: process.stdout.rows } : {});
  const env = tty ? [`TERM=${process.env.TERM ?? 'xterm-256color'}`] : undefined;
  try {
    // NS//NAME names a container of namespace NS (names repeat across namespaces; ids never do).
    const at = name.indexOf('//');
    const [target, ns] = at < 0 ? [name, undefined] : [name.slice(at + 2), name.slice(0, at)];
    session = (await client.call('exec.start', target, argv, { tty, ...(tty ? size() : {}), ...(env ? { env } : {}) }, ns)).session;
  } catch (e) {
    client.close();
    process.stderr.write(`nanomega: ${(e as Error).message}\n`);
    return (e as { code?: string }).code === 'E_EXEC' ? notRunStatus((e as Error).message) : 1;
  }
  return new Promise<number>((resolve) => {
    const finish = (code: number) => {
      if (raw) stdin.setRawMode(false);
      stdin.pause();
      process.off('SIGWINCH', resize);
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', terminate);
      client.close();
      resolve(code);
    };
    const resize = () => {
      if (process.stdout.isTTY) void client.call('exec.resize', session, process.stdout.columns, process.stdout.rows).catch(() => undefined);
    };
    const interrupt = () => void client.call('exec.signal', session, 2).catch(() => undefined);
    const terminate = () => void client.call('exec.signal', session, 15).catch(() => undefined);
    onOutput = (o) => {
      if (o.session !== session) return;
      const data = Buffer.from(o.data, 'base64');
      (o.stream === 'stderr' ? process.stderr : process.stdout).write(data, () => {
        void client.call('exec.ack', session, data.length).catch(() => undefined);
      });
    };
    onExit = (e) => {
      if (e.session !== session) return;
      const done = () => {
        if (e.error) process.stderr.write(`nanomega: ${e.error}\n`);
        finish(e.error ? notRunStatus(e.error) : e.signal ? 128 + e.signal : (e.code ?? 0));
      };
      // Everything written before the exit reaches the terminal first.
      process.stdout.write('', () => process.stderr.write('', done));
    };
    for (const ev of early.splice(0)) {
      if (ev.name === 'output') onOutput(ev.payload as Parameters<typeof onOutput>[0]);
      else onExit(ev.payload as Parameters<typeof onExit>[0]);
    }
    if (raw) stdin.setRawMode(true);
    process.on('SIGWINCH', resize);
    if (!raw) {
      process.on('SIGINT', interrupt);
      process.on('SIGTERM', terminate);
    }
    (async () => {
      try {
        for await (const chunk of stdin as AsyncIterable<Buffer>) {
          for (let off = 0; off < chunk.length; off += INPUT_CHUNK) {
            await client.call('exec.input', session, chunk.subarray(off, off + INPUT_CHUNK).toString('base64'));
          }
        }
        await client.call('exec.end', session);
      } catch {
        // Best-effort: the command ended (its session is gone) while we still had input for it.
      }
    })().catch(() => undefined);
  });
}

export const command: Subcommand = {
  name: 'exec',
  usage: USAGE,
  summary:
    "run CMD inside a running container (its init's confinement), with this terminal's stdio;\n-t: on a new pty of the container; exits with CMD's status",
  run(args, rest) {
    return execIn(args.base, rest);
  },
};
