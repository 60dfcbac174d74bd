import type { Program } from './program.js';
import { commandLine } from './program.js';

/** How long to wait for a daemon started through pkexec to answer. */
export const DAEMON_START_TIMEOUT_MS = 30_000;
const POLL_MS = 250;

/** The effects ensureDaemon needs; main.ts passes Electron's and Node's, tests pass recording fakes. */
export interface DaemonStartDeps {
  base: string;
  socket: string;
  program: Program | undefined;
  /** Does a daemon answer on the socket now? */
  answers(): Promise<boolean>;
  ask(opts: {
    type: 'question';
    title: string;
    message: string;
    detail: string;
    buttons: string[];
    defaultId: number;
    cancelId: number;
  }): Promise<{ response: number }>;
  error(title: string, content: string): void;
  /** Start a detached process; `onError` fires if it cannot be started at all. */
  spawn(file: string, args: string[], onError: (e: Error) => void): void;
  sleep(ms: number): Promise<void>;
}

export type DaemonStart = 'running' | 'started' | 'declined' | 'unavailable' | 'timeout';

/**
 * No daemon: offer to start one as root through polkit (`pkexec PROGRAM serve --base BASE`), or say how.
 * The desktop app itself never runs as root (Chromium refuses; design.md §1).
 */
export async function ensureDaemon(d: DaemonStartDeps): Promise<DaemonStart> {
  if (await d.answers()) return 'running';
  const words = ['serve', '--base', d.base];
  const manual = `sudo ${commandLine(d.program, words)}`;
  if (!d.program) {
    d.error(
      'nanomega daemon not running',
      `No nanomega daemon answers on ${d.socket}, and no nanomega program was found to start one.\nInstall the nanomega package, or start the daemon yourself:\n  ${manual}`,
    );
    return 'unavailable';
  }
  const { response } = await d.ask({
    type: 'question',
    title: 'nanomega daemon not running',
    message: `No nanomega daemon answers on ${d.socket}.`,
    detail: `The daemon runs as root. Start it now with pkexec (you will be asked for your password), or start it yourself:\n\n  ${manual}\n\nor: sudo systemctl start nanomega`,
    buttons: ['Start with pkexec', 'Continue without'],
    defaultId: 0,
    cancelId: 1,
  });
  if (response !== 0) return 'declined';
  let failed: Error | undefined;
  d.spawn('pkexec', [d.program.file, ...d.program.args, ...words], (e) => {
    failed = e;
    d.error('pkexec failed', `${e.message}\n\nStart the daemon yourself:\n  ${manual}`);
  });
  for (let t = 0; t < DAEMON_START_TIMEOUT_MS && !failed; t += POLL_MS) {
    if (await d.answers()) return 'started';
    await d.sleep(POLL_MS);
  }
  if (!failed) d.error('nanomega daemon did not start', `Nothing answers on ${d.socket}. Start it yourself:\n  ${manual}`);
  return 'timeout';
}
