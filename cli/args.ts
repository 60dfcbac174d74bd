import type { FreezerMode } from '../engine/cgroup/cgroup.js';
import { baseFrom } from '../engine/api/wire.js';

export { DEFAULT_BASE } from '../engine/api/wire.js';

/** Where `start` and `web` serve the web UI by default: loopback only. */
export const DEFAULT_WEB = '127.0.0.1:9001';

/** The program's global options (accepted before or after the subcommand) and the remaining words. */
export interface Args {
  base: string;
  freezer?: FreezerMode;
  /** `--web HOST:PORT`: also serve the web UI and the contract over a WebSocket. */
  web?: string;
  /** `--filepath DIR` (serve): minimega's -filepath, where relative vm config paths point. */
  filepath?: string;
  rest: string[];
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Args {
  const out: Args = { base: baseFrom(env), rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    // After -e, everything is the command (it may contain words like --base only as text); after
    // `--`, everything is the subcommand's own (`nanomega exec c0 -- ls --base`).
    if (out.rest[0] === '-e' || out.rest.includes('--')) {
      out.rest.push(a);
      continue;
    }
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--base' || flag === '--freezer' || flag === '--web' || flag === '--filepath') {
      const v = inline ?? argv[++i];
      if (!v) fail(`${flag} needs a value`);
      if (flag === '--base') out.base = v;
      else if (flag === '--web') out.web = v;
      else if (flag === '--filepath') out.filepath = v;
      else if (v === 'v1' || v === 'v2') out.freezer = v;
      else fail(`--freezer: expected v1 or v2, got \`${v}\``);
    } else {
      out.rest.push(a);
    }
  }
  return out;
}

export function fail(msg: string, code = 1): never {
  process.stderr.write(`nanomega: ${msg}\n`);
  process.exit(code);
}
