import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { appendFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CommandResult } from '../api/types.js';
import type { FreezerMode } from '../cgroup/cgroup.js';
import { compareTranscript, runTranscript } from '../cli/transcript.js';
import { serve } from '../daemon/main.js';
import { Engine } from '../engine.js';
import { LinuxHost } from '../host/linux-host.js';
import { buildBusyboxRoot } from '../rootfs/busybox.js';
import { doctor, renderDoctor, TARGET_CONTAINERS } from '../doctor/doctor.js';
import { attachConsole } from './console.js';
import { EngineClient, socketPath } from './engine-client.js';
import { serveWeb } from '../web/server.js';

/** Where `start` serves the web UI when Electron is not installed. */
const DEFAULT_WEB = '127.0.0.1:9001';

/** Default state directory (design.md §1). */
export const DEFAULT_BASE = '/run/nanomega';

const USAGE = `usage: nanomega [--base DIR] <command>
  serve [--freezer v1|v2] [--web HOST:PORT]
                              run the engine daemon in the foreground; --web also serves the UI and
                              the contract over a WebSocket with a token (e.g. --web 127.0.0.1:9001)
  web [HOST:PORT]             serve the web UI for a daemon that already runs (default 127.0.0.1:9001)
  -e COMMAND...               run one minimega command and print its output
  attach                      interactive minimega prompt (history, line editing)
  console NAME                attach this terminal to a container's console (Ctrl-] detaches)
  test PATH...                run .mm transcript scripts against the daemon (writes .got, diffs .want)
  rootfs build busybox DIR    make a minimega-style busybox root filesystem in DIR
  nuke                        kill every container of this base and remove every engine object
  doctor [--fix]              check the kernel limits thousands of containers need; --fix raises low sysctls
  start                       start the desktop app (Electron) if installed, else a daemon in the
                              background if none runs plus the web UI (127.0.0.1:9001)
options may appear before or after the command; --base defaults to $NANOMEGA_BASE or ${DEFAULT_BASE}`;

interface Args {
  base: string;
  freezer?: FreezerMode;
  /** `--web HOST:PORT`: also serve the web UI and the contract over a WebSocket. */
  web?: string;
  rest: string[];
}

function parseArgs(argv: string[]): Args {
  const out: Args = { base: process.env.NANOMEGA_BASE || DEFAULT_BASE, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    // After -e, everything is the command (it may contain words like --base only as text).
    if (out.rest[0] === '-e') {
      out.rest.push(a);
      continue;
    }
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--base' || flag === '--freezer' || flag === '--web') {
      const v = inline ?? argv[++i];
      if (!v) fail(`${flag} needs a value`);
      if (flag === '--base') out.base = v!;
      else if (flag === '--web') out.web = v!;
      else if (v === 'v1' || v === 'v2') out.freezer = v;
      else fail(`--freezer: expected v1 or v2, got \`${v}\``);
    } else {
      out.rest.push(a);
    }
  }
  return out;
}

function fail(msg: string, code = 1): never {
  process.stderr.write(`nanomega: ${msg}\n`);
  process.exit(code);
}

function printResult(r: CommandResult): void {
  if (r.output) process.stdout.write(r.output + '\n');
  for (const e of r.errors) process.stderr.write(`E: ${e}\n`);
}

async function runOne(base: string, words: string[]): Promise<number> {
  const client = await EngineClient.connect(base);
  try {
    const r = await client.call('cli.exec', words.join(' '));
    printResult(r);
    return r.errors.length ? 1 : 0;
  } finally {
    client.close();
  }
}

async function attach(base: string): Promise<number> {
  const client = await EngineClient.connect(base);
  const historyFile = join(homedir(), '.nanomega_history');
  const history = (await readFile(historyFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).reverse().slice(0, 1000);
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'nanomega$ ', history, historySize: 1000, terminal: process.stdin.isTTY });
  rl.prompt();
  for await (const line of rl) {
    if (line.trim() === 'quit' || line.trim() === 'exit') break;
    if (line.trim()) {
      await appendFile(historyFile, line + '\n').catch(() => undefined); // Best-effort: history is a convenience.
      try {
        const r = await client.call('cli.exec', line);
        if (r.output) process.stdout.write(r.output + '\n');
        for (const e of r.errors) process.stdout.write(`E: ${e}\n`);
      } catch (e) {
        process.stdout.write(`E: ${(e as Error).message}\n`);
        if (!existsSync(socketPath(base))) break;
      }
    }
    rl.prompt();
  }
  rl.close();
  client.close();
  return 0;
}

async function scripts(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if ((await stat(p)).isDirectory()) out.push(...(await readdir(p)).filter((f) => f.endsWith('.mm')).sort().map((f) => join(p, f)));
    else out.push(p);
  }
  return out;
}

/**
 * minitest: each script runs in a fresh session from the default config with `.annotate false`;
 * its containers are killed and flushed afterwards. The daemon is treated as a scratch instance.
 */
async function runTests(base: string, paths: string[]): Promise<number> {
  if (paths.length === 0) fail('test: name at least one .mm file or directory');
  let passed = 0;
  let failed = 0;
  for (const file of await scripts(paths)) {
    const client = await EngineClient.connect(base);
    const exec = (line: string) => client.call('cli.exec', line);
    const reset = async () => {
      for (const line of ['vm kill all', 'vm flush', 'clear vm config', '.annotate false']) await exec(line);
    };
    await reset();
    const got = await runTranscript(await readFile(file, 'utf8'), exec);
    await reset();
    client.close();
    const gotFile = file.replace(/\.mm$/, '.got');
    await writeFile(gotFile, got);
    const want = await readFile(file.replace(/\.mm$/, '.want'), 'utf8').catch(() => undefined);
    const diff = want === undefined ? `no ${basename(file.replace(/\.mm$/, '.want'))}` : compareTranscript(got, want);
    if (diff) {
      failed++;
      process.stdout.write(`FAIL ${file}\n${diff}\n`);
    } else {
      passed++;
      process.stdout.write(`PASS ${file}\n`);
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;
}

async function nuke(base: string): Promise<number> {
  let client: EngineClient | undefined;
  try {
    client = await EngineClient.connect(base);
  } catch {
    // No daemon answers: open the engine here (it re-adopts what still runs), then nuke.
  }
  if (client) {
    await client.call('engine.nuke');
    client.close();
    return 0;
  }
  const engine = await Engine.open({ base });
  await engine.handlers['engine.nuke']();
  engine.close();
  return 0;
}

/** A daemon in the background (log in <base>/daemon.log) unless one answers. */
async function ensureDaemon(args: Args): Promise<void> {
  try {
    (await EngineClient.connect(args.base)).close();
  } catch {
    mkdirSync(args.base, { recursive: true, mode: 0o755 });
    const log = openSync(join(args.base, 'daemon.log'), 'a');
    const self = fileURLToPath(new URL('../../../bin/nanomega.js', import.meta.url));
    const child = spawn(process.execPath, [self, 'serve', '--base', args.base], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    for (let i = 0; i < 100 && !existsSync(socketPath(args.base)); i++) await new Promise((r) => setTimeout(r, 100));
    process.stdout.write(`nanomega: daemon started (pid ${child.pid}), log in ${join(args.base, 'daemon.log')}\n`);
  }
}

/** The web UI for a daemon that already runs, in the foreground until Ctrl-C. */
async function webOnly(base: string, listen: string): Promise<number> {
  (await EngineClient.connect(base)).close(); // a clear error now rather than on the first browser request
  const web = await serveWeb({ socket: socketPath(base), listen });
  process.stdout.write(`nanomega: web UI on ${web.url}\n`);
  return new Promise<number>((resolve) => {
    const stop = () => void web.close().then(() => resolve(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The Electron binary when the `electron` package downloaded one (typings-only installs have none). */
function electronBinary(): string | undefined {
  const pkg = fileURLToPath(new URL('../../../node_modules/electron/', import.meta.url));
  const rel = (() => {
    try {
      return readFileSync(join(pkg, 'path.txt'), 'utf8').trim();
    } catch {
      return undefined;
    }
  })();
  const bin = rel ? join(pkg, 'dist', rel) : undefined;
  return bin && existsSync(bin) ? bin : undefined;
}

/** The desktop app; it connects to (or offers to start) the daemon itself. */
function startElectron(bin: string, base: string): Promise<number> {
  const main = fileURLToPath(new URL('../../electron/main.js', import.meta.url));
  const child = spawn(bin, [main], { stdio: 'inherit', env: { ...process.env, NANOMEGA_BASE: base } });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const [cmd, ...rest] = args.rest;
  switch (cmd) {
    case 'serve': {
      const { close } = await serve({
        base: args.base,
        freezer: args.freezer,
        onReady: (sock) => process.stdout.write(`nanomega: serving on ${sock}\n`),
      });
      const web = args.web ? await serveWeb({ socket: socketPath(args.base), listen: args.web }) : undefined;
      if (web) process.stdout.write(`nanomega: web UI on ${web.url}\n`);
      const stop = () => void (web?.close() ?? Promise.resolve()).then(close).then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return new Promise<number>(() => undefined);
    }
    case '-e':
      if (rest.length === 0) fail('-e needs a command');
      return runOne(args.base, rest);
    case 'attach':
      return attach(args.base);
    case 'console':
      if (rest.length !== 1) fail('usage: nanomega console NAME');
      return attachConsole(args.base, rest[0]!);
    case 'test':
      return runTests(args.base, rest);
    case 'rootfs':
      if (rest[0] !== 'build' || rest[1] !== 'busybox' || !rest[2]) fail('usage: nanomega rootfs build busybox DIR');
      await buildBusyboxRoot(new LinuxHost(), rest[2]!);
      process.stdout.write(`nanomega: busybox root filesystem in ${rest[2]}\n`);
      return 0;
    case 'nuke':
      return nuke(args.base);
    case 'doctor': {
      if (rest.some((a) => a !== '--fix')) fail('usage: nanomega doctor [--fix]');
      const rows = await doctor(new LinuxHost(), { fix: rest.includes('--fix') });
      process.stdout.write(renderDoctor(rows) + '\n');
      const low = rows.filter((r) => r.status === 'low' || r.status === 'fail');
      if (low.length) process.stdout.write(`${low.length} below what ${TARGET_CONTAINERS} containers need${rest.includes('--fix') ? '' : '; sudo nanomega doctor --fix raises the sysctls'}\n`);
      return low.length ? 1 : 0;
    }
    case 'web':
      return webOnly(args.base, rest[0] ?? args.web ?? DEFAULT_WEB);
    case 'start': {
      const electron = electronBinary();
      if (electron) return startElectron(electron, args.base);
      process.stdout.write(
        'nanomega: Electron is not installed here (node_modules/electron has no binary), so starting the web UI instead.\n' +
          `          Same UI in a browser: ${DEFAULT_WEB}, loopback only, with a token.\n`,
      );
      if (process.getuid?.() !== 0) {
        try {
          (await EngineClient.connect(args.base)).close();
        } catch {
          fail(`no daemon answers on ${socketPath(args.base)} and starting one needs root: sudo npm start (or sudo nanomega serve --base ${args.base} --web ${DEFAULT_WEB})`);
        }
      } else {
        await ensureDaemon(args);
      }
      return webOnly(args.base, args.web ?? DEFAULT_WEB);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return cmd ? 0 : 1;
    default:
      fail(`unknown command \`${cmd}\`\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => fail(e.message),
);
