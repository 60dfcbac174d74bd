import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
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
  const why = await stuckDaemon(base, proc);
  throw new Error(`daemon did not start in 15 s (killed; its state then follows)\n${why}`);
}

/** Where Node writes the report a stuck daemon makes on SIGUSR2 (node's --report-on-signal). */
const REPORT_DIR = tmpdir();

/**
 * What a daemon that never made its socket was doing, then SIGKILL it: its threads' kernel states,
 * its open files, the base's entries, and Node's diagnostic report (JavaScript stack, libuv handles).
 * Without the kill the test process waits on the child forever (a CI run once hung 14 minutes here).
 */
async function stuckDaemon(base: string, proc: ChildProcess): Promise<string> {
  const pid = proc.pid!;
  const gone = new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(undefined) : proc.once('exit', r)));
  const lines: string[] = [];
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (e) {
      return `(${(e as Error).message})`;
    }
  };
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  for (const tid of list(`/proc/${pid}/task`)) {
    lines.push(
      `thread ${tid} ${read(`/proc/${pid}/task/${tid}/comm`)}: state ${read(`/proc/${pid}/task/${tid}/stat`).split(') ')[1]?.split(' ')[0]}, wchan ${read(`/proc/${pid}/task/${tid}/wchan`)}`,
    );
  }
  for (const fd of list(`/proc/${pid}/fd`)) {
    let target = '';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      // closed meanwhile
    }
    lines.push(`fd ${fd} -> ${target}`);
  }
  lines.push(`base entries: ${list(base).join(' ')}`);
  proc.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 2000));
  const reports = list(REPORT_DIR).filter((f) => f.startsWith('report.') && f.includes(`.${pid}.`));
  for (const f of reports) {
    try {
      const report = JSON.parse(readFileSync(join(REPORT_DIR, f), 'utf8')) as {
        javascriptStack?: { message?: string; stack?: string[] };
        libuv?: { type: string; is_active: boolean; is_referenced?: boolean; fd?: number; filename?: string }[];
      };
      const stack = report.javascriptStack?.stack ?? [];
      lines.push(`javascript: ${stack.length ? stack.join(' | ') : (report.javascriptStack?.message ?? 'idle')}`);
      for (const h of report.libuv ?? [])
        if (h.is_active) lines.push(`libuv ${h.type}${h.fd !== undefined ? ` fd ${h.fd}` : ''}${h.filename ? ` ${h.filename}` : ''}`);
    } catch (e) {
      lines.push(`report ${f}: ${(e as Error).message}`);
    }
    rmSync(join(REPORT_DIR, f), { force: true });
  }
  if (!reports.length) lines.push(`no diagnostic report was written${proc.signalCode ? ` (the daemon died of ${proc.signalCode})` : ''}`);
  proc.kill('SIGKILL');
  await gone;
  return lines.join('\n');
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
    // --report-on-signal: a daemon that never starts is asked for its stacks before it is killed.
    const proc = spawn(process.execPath, ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${REPORT_DIR}`, ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...env },
    });
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
