/**
 * The plumber's programs on Linux (engine/plumb/plumber.ts PlumbPort): found in the daemon's $PATH as
 * Go's LookPath finds them, run without a shell in the daemon's environment, as minimega runs them.
 * A line longer than a message may be (1 MiB) ends the program and its pipeline, as minimega's scanner
 * does; a program that stops reading its stdin has at most STDIN_BACKLOG bytes queued for it, later
 * messages to it are dropped.
 */
import { spawn } from 'node:child_process';
import { LineSplitter } from '../api/wire.js';
import { MESSAGE_MAX, type PlumbPort, type PlumbProcess } from '../plumb/plumber.js';
import { linuxLanguageHost } from './processes.js';

/** Bytes queued for a program's stdin before messages to it are dropped. */
export const STDIN_BACKLOG = 16 * 1024 * 1024;
/** Output of a via program kept; the rest is dropped. */
const VIA_OUTPUT_MAX = 16 * 1024 * 1024;

export function linuxPlumbPort(env: () => Record<string, string | undefined> = () => process.env): PlumbPort {
  return {
    async lookPath(file) {
      if (file === '') return undefined;
      return linuxLanguageHost.lookPath(file, env().PATH ?? '').catch(() => undefined);
    },

    start(argv, opts, onLine, onExit): PlumbProcess {
      const child = spawn(argv[0]!, argv.slice(1), { env: env(), stdio: [opts.stdin ? 'pipe' : 'ignore', opts.stdout ? 'pipe' : 'ignore', 'ignore'] });
      let ended = false;
      const end = (why: string) => {
        if (ended) return;
        ended = true;
        // onExit never runs inside start(): spawn errors are reported on the next tick.
        setImmediate(() => onExit(why));
      };
      child.on('error', (e) => end(e.message));
      child.on('close', (code, signal) => end(signal ? `signal ${signal}` : `exit status ${code ?? -1}`));
      if (child.stdout) {
        const lines = new LineSplitter(MESSAGE_MAX);
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (d: string) => {
          try {
            for (const line of lines.push(d)) onLine(`${line}\n`);
          } catch (e) {
            end(`a line longer than ${MESSAGE_MAX} bytes: ${(e as Error).message}`);
            child.kill('SIGKILL');
          }
        });
      }
      // A program that exits before reading everything leaves EPIPE on its stdin: the pipeline ends by 'close'.
      child.stdin?.on('error', () => undefined);
      return {
        write(data) {
          const stdin = child.stdin;
          if (!stdin || ended || !stdin.writable || stdin.writableLength > STDIN_BACKLOG) return;
          stdin.write(data);
        },
        kill() {
          if (!ended) child.kill('SIGKILL');
        },
      };
    },

    via(argv, input) {
      return new Promise((resolve, reject) => {
        const child = spawn(argv[0]!, argv.slice(1), { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stdout.on('data', (d: string) => {
          if (out.length < VIA_OUTPUT_MAX) out += d;
        });
        child.stderr.on('data', (d: string) => {
          if (err.length < 4096) err += d;
        });
        child.stdin.on('error', () => undefined);
        child.on('error', (e) => reject(e));
        child.on('close', (code, signal) => {
          if (code === 0) resolve(out);
          else reject(new Error(`${signal ? `signal: ${signal}` : `exit status ${code ?? -1}`}: ${err.trim()}`));
        });
        child.stdin.end(input);
      });
    },
  };
}
