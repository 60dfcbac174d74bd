/**
 * The effects the language itself needs (beyond engine calls): looking up and running host programs
 * for `shell` and `background`, reading script files for `read`, and checking the files directory for
 * `file:` arguments. The daemon passes engine/host/processes.ts; unit tests pass a recording fake.
 */

/** Outcome of a finished host program. */
export interface ProgramResult {
  /** Exit status, or -1 when a signal ended it. */
  code: number;
  /** The signal that ended it (`SIGKILL`), if any. */
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface LanguageHost {
  /**
   * Go's exec.LookPath: `file` itself when it holds a slash, else the first executable match in the
   * `:`-separated `path`. Throws Go's texts (`exec: "x": executable file not found in $PATH`).
   */
  lookPath(file: string, path: string): Promise<string>;
  /** Run argv[0] (already looked up) with argv, no shell; output is captured. */
  run(argv: readonly string[], env: Record<string, string>): Promise<ProgramResult>;
  /** Start argv in the background; `onExit` is called once when it ends. */
  start(argv: readonly string[], env: Record<string, string>, onExit: (r: ProgramResult) => void): { pid: number };
  /** A text file, refusing ones larger than `maxBytes` with an error naming the path. */
  readText(path: string, maxBytes: number): Promise<string>;
  /** Create or replace a file (`write`), errors naming the path. */
  writeText(path: string, data: string): Promise<void>;
  /** What a path is (lstat), or undefined when it does not exist. */
  kind(path: string): Promise<'file' | 'dir' | 'symlink' | 'other' | undefined>;
}

/** Go's exec error text of a program that ended badly (`exit status 1`, `signal: killed`), or ''. */
export function exitError(r: ProgramResult): string {
  if (r.signal) return `signal: ${SIGNAL_TEXT[r.signal] ?? r.signal}`;
  return r.code === 0 ? '' : `exit status ${r.code}`;
}

/** Go's syscall.Signal.String() for the signals a program usually dies of. */
const SIGNAL_TEXT: Record<string, string> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGINT: 'interrupt',
  SIGHUP: 'hangup',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGPIPE: 'broken pipe',
  SIGQUIT: 'quit',
  SIGBUS: 'bus error',
  SIGFPE: 'floating point exception',
  SIGILL: 'illegal instruction',
  SIGUSR1: 'user defined signal 1',
  SIGUSR2: 'user defined signal 2',
  SIGALRM: 'alarm clock',
};
