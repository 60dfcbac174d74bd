import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandResult } from '../../engine/api/types.js';
import { EngineClient, socketPath } from '../../cli/engine-client.js';

export const BIN = fileURLToPath(new URL('../../../bin/nanomega.js', import.meta.url));

export interface TestDaemon {
  base: string;
  proc: ChildProcess;
  client: EngineClient;
  /** Run one minimega line in this client's session. */
  exec(line: string): Promise<CommandResult>;
  /** Run a line and fail on any error; returns the output. */
  ok(line: string): Promise<string>;
  /** SIGKILL the daemon (containers must survive) and wait for it to be gone. */
  crash(): Promise<void>;
  /** Start a new daemon on the same base and reconnect (with `env` instead of the first one's, if given). */
  restart(env?: Record<string, string>): Promise<void>;
  /** Kill and flush every container, stop the daemon, remove the base. */
  dispose(): Promise<void>;
}

/** A fresh temp base for one test (short: unix socket paths are limited to 108 bytes). */
export function tempBase(): string {
  return mkdtempSync(join(tmpdir(), 'nm-'));
}

async function waitForSocket(base: string, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`daemon exited with ${proc.exitCode}`);
    if (existsSync(socketPath(base))) {
      try {
        (await EngineClient.connect(base)).close();
        return;
      } catch {
        // not accepting yet
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('daemon did not start');
}

/** The daemon's command line for `opts` (tests that expect it to die start it themselves). */
export function daemonArgs(base: string, opts: { freezer?: 'v1' | 'v2'; filepath?: string } = {}): string[] {
  return [BIN, 'serve', '--base', base, ...(opts.freezer ? ['--freezer', opts.freezer] : []), ...(opts.filepath ? ['--filepath', opts.filepath] : [])];
}

/** `env`: added to the daemon's environment (e.g. NANOMEGA_FAULT); restart() may replace it. */
export async function startDaemon(opts: { base?: string; freezer?: 'v1' | 'v2'; filepath?: string; env?: Record<string, string> } = {}): Promise<TestDaemon> {
  const base = opts.base ?? tempBase();
  const args = daemonArgs(base, opts);
  let env = opts.env ?? {};
  const launch = async () => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
    await waitForSocket(base, proc);
    const c = await EngineClient.connect(base);
    await c.call('cli.exec', '.annotate false'); // no host column, as in minitest transcripts
    return { proc, client: c };
  };
  let { proc, client } = await launch();
  const d: TestDaemon = {
    base,
    get proc() {
      return proc;
    },
    get client() {
      return client;
    },
    exec: (line) => client.call('cli.exec', line),
    async ok(line) {
      const r = await client.call('cli.exec', line);
      if (r.errors.length) throw new Error(`${line}: ${r.errors.join('; ')}`);
      return r.output;
    },
    async crash() {
      client.close();
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await gone;
    },
    async restart(newEnv?: Record<string, string>) {
      if (newEnv) env = newEnv;
      ({ proc, client } = await launch());
    },
    async dispose() {
      // Host taps and dnsmasq servers outlive containers; a test that failed half-way may have left some.
      await client.call('dnsmasq.kill', 'all').catch(() => undefined);
      await client.call('tap.delete', 'all').catch(() => undefined);
      await client.call('vm.kill', 'all').catch(() => undefined);
      await client.call('vm.flush', 'all').catch(() => undefined);
      client.close();
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await gone;
      }
      await rm(base, { recursive: true, force: true });
    },
  } as TestDaemon;
  return d;
}
