import { spawn } from 'node:child_process';
import { constants, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_GROUP, groupId } from '../../engine/host/groups.js';
import { LinuxHost } from '../../engine/host/linux-host.js';
import { secureBase } from '../../engine/state/base-dir.js';
import { EngineClient, socketPath } from '../engine-client.js';
import { DEFAULT_WEB, fail, type Args } from '../args.js';
import type { Subcommand } from '../subcommand.js';
import { webOnly } from './web.js';

/** The program's entry point and the repository root, relative to this compiled file (dist/cli/commands/). */
const ENTRY = fileURLToPath(new URL('../../../bin/nanomega.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A daemon in the background (log in <base>/daemon.log) unless one answers. */
async function ensureDaemon(args: Args): Promise<void> {
  try {
    (await EngineClient.connect(args.base)).close();
  } catch {
    // The daemon checks the base again; the log must not be opened through a planted symlink first.
    await secureBase(new LinuxHost(), args.base, await groupId(DAEMON_GROUP));
    const log = openSync(join(args.base, 'daemon.log'), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    const child = spawn(process.execPath, [ENTRY, 'serve', '--base', args.base], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    for (let i = 0; i < 100 && !existsSync(socketPath(args.base)); i++) await new Promise((r) => setTimeout(r, 100));
    process.stdout.write(`nanomega: daemon started (pid ${child.pid}), log in ${join(args.base, 'daemon.log')}\n`);
  }
}

/** The Electron binary when the `electron` package downloaded one (typings-only installs have none). */
function electronBinary(): string | undefined {
  const pkg = join(ROOT, 'node_modules/electron/');
  let rel: string | undefined;
  try {
    rel = readFileSync(join(pkg, 'path.txt'), 'utf8').trim();
  } catch {
    rel = undefined;
  }
  const bin = rel ? join(pkg, 'dist', rel) : undefined;
  return bin && existsSync(bin) ? bin : undefined;
}

/** The desktop app; it connects to (or offers to start) the daemon itself. */
function startElectron(bin: string, base: string): Promise<number> {
  const main = join(ROOT, 'dist/electron/main.js');
  const child = spawn(bin, [main], { stdio: 'inherit', env: { ...process.env, NANOMEGA_BASE: base } });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

export const command: Subcommand = {
  name: 'start',
  options: [],
  usage: 'start',
  summary: `start the desktop app (Electron) if installed, else a daemon in the background if none runs plus the web UI (${DEFAULT_WEB})`,
  async run(args, rest) {
    if (rest.length) fail(`start: unexpected argument \`${rest[0]}\``);
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
        fail(
          `no daemon answers on ${socketPath(args.base)} and starting one needs root: sudo npm start ` +
            `(or sudo nanomega serve --base ${args.base} --web ${DEFAULT_WEB})`,
        );
      }
    } else {
      await ensureDaemon(args);
    }
    return webOnly(args.base, args.web ?? DEFAULT_WEB);
  },
};
