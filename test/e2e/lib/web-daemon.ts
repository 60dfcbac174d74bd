import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { BIN, tempBase } from '../../helpers/daemon.js';

export interface WebDaemon {
  base: string;
  url: string;
  origin: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** `nanomega serve --web 127.0.0.1:0` on a fresh base; resolves with the printed URL. */
export async function startWebDaemon(): Promise<WebDaemon> {
  const base = tempBase();
  const proc = spawn(process.execPath, [BIN, 'serve', '--base', base, '--web', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no web URL printed within 20 s; got:\n${out}`)), 20_000);
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => {
      out += d;
      const m = /web UI on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => reject(new Error(`daemon exited with ${code}:\n${out}`)));
  });
  return {
    base,
    url,
    origin: new URL(url).origin,
    proc,
    async stop() {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
      await rm(base, { recursive: true, force: true });
    },
  };
}
