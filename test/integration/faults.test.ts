// The fault matrix (engine/fault.ts): for every checkpoint, a daemon started with
// NANOMEGA_FAULT=<checkpoint> is driven until it SIGKILLs itself there; a new daemon on the same
// base must then show a state that matches the kernel (live containers adopted in the state their
// freezer is in, half-built ones rolled back, ended ones QUIT/ERROR), own exactly the monitors,
// cgroups, links and instance directories its state implies, and after kill + flush leave nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ContainerInfo } from '../../engine/api/types.js';
import { parseCgroupMounts } from '../../engine/cgroup/layout.js';
import { ENGINE_PARENT } from '../../engine/cgroup/cgroup.js';
import { baseTag } from '../../engine/context.js';
import { FAULT_POINTS, type FaultPoint } from '../../engine/fault.js';
import { isAlive } from '../../engine/state/lifecycle.js';
import { kernelFrozen } from '../helpers/cgroups.js';
import { daemonArgs, startDaemon, tempBase, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks, links, snapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';
import { alive } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

/** What a scenario does up to the checkpoint, and what the restarted daemon must show. */
interface Case {
  /** Lines run with the faulty daemon; one of them reaches the checkpoint. */
  steps: string[];
  /** name → state (and error) after the restart; names not listed must not exist. */
  want: Record<string, { state: string; error?: RegExp; vlan?: string }>;
  /** Crash with plain SIGKILL after `steps`, then start the faulty daemon: it dies in recovery. */
  inRecovery?: boolean;
}

const LAUNCH = ['vm config net FAULTA', 'vm launch container f0'];
const INTERRUPTED = { state: 'ERROR', error: /launch interrupted by a daemon restart/ };

const CASES: Record<FaultPoint, Case> = {
  'launch.ids-saved': { steps: LAUNCH, want: {} },
  'launch.dir-made': { steps: LAUNCH, want: {} },
  'launch.record-saved': { steps: LAUNCH, want: { f0: INTERRUPTED } },
  'launch.cgroups-made': { steps: LAUNCH, want: { f0: INTERRUPTED } },
  'launch.monitor-started': { steps: LAUNCH, want: { f0: INTERRUPTED } },
  'launch.nics-made': { steps: LAUNCH, want: { f0: INTERRUPTED } },
  'launch.ready': { steps: LAUNCH, want: { f0: INTERRUPTED } },
  'launch.exec-sent': { steps: LAUNCH, want: { f0: INTERRUPTED } },
  'start.thawed': { steps: [...LAUNCH, 'vm start f0'], want: { f0: { state: 'RUNNING' } } },
  'stop.frozen': { steps: [...LAUNCH, 'vm start f0', 'vm stop f0'], want: { f0: { state: 'PAUSED' } } },
  'kill.requested': { steps: [...LAUNCH, 'vm start f0', 'vm kill f0'], want: { f0: { state: 'QUIT' } } },
  'kill.signalled': { steps: [...LAUNCH, 'vm start f0', 'vm kill f0'], want: { f0: { state: 'QUIT' } } },
  'exit.cleaned-up': { steps: [...LAUNCH, 'vm start f0', 'vm kill f0'], want: { f0: { state: 'QUIT' } } },
  'flush.cgroups-removed': { steps: [...LAUNCH, 'vm start f0', 'vm kill f0', 'vm flush'], want: { f0: { state: 'QUIT' } } },
  'net.connect.moved': { steps: [...LAUNCH, 'vm start f0', 'vm net connect f0 0 FAULTB'], want: { f0: { state: 'RUNNING', vlan: 'FAULTB' } } },
  'recover.first-container': {
    steps: [...LAUNCH, 'vm launch container f1', 'vm start f0', 'vm stop f0'],
    want: { f0: { state: 'PAUSED' }, f1: { state: 'BUILDING' } },
    inRecovery: true,
  },
  'recover.before-orphans': {
    steps: [...LAUNCH, 'vm launch container f1', 'vm start f1'],
    want: { f0: { state: 'BUILDING' }, f1: { state: 'RUNNING' } },
    inRecovery: true,
  },
};

/** Wait for a daemon process to end; how it ended. */
function ended(proc: import('node:child_process').ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  return new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
}

/** Pids of monitors serving instance directories under `base` (their stderr is <dir>/shim.log). */
function monitorsOf(base: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (!readlinkSync(`/proc/${pid}/exe`).includes('nanomega-shim')) continue;
      if (readlinkSync(`/proc/${pid}/fd/2`).startsWith(`${base}/`)) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** This base's container cgroups on the unified hierarchy. */
function cgroupsOf(base: string): string[] {
  const unified = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8')).unified!;
  const prefix = `${baseTag(base)}-`;
  try {
    return readdirSync(join(unified, ENGINE_PARENT)).filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

/** The restarted daemon's state against the kernel and the base directory. */
async function checkAgainstKernel(d: TestDaemon, c: Case): Promise<ContainerInfo[]> {
  const list = await d.client.call('vm.info');
  assert.deepEqual(list.map((x) => x.name).sort(), Object.keys(c.want).sort(), 'the containers the state has');
  for (const x of list) {
    const want = c.want[x.name]!;
    assert.equal(x.state, want.state, `${x.name}: ${x.tags.error ?? ''}`);
    if (want.error) assert.match(x.tags.error ?? '', want.error);
    if (isAlive(x.state)) {
      assert.ok(alive(x.pid), `${x.name}: init ${x.pid} runs`);
      assert.equal(kernelFrozen(x.pid, 'v2'), x.state !== 'RUNNING', `${x.name} ${x.state}: the kernel's freezer agrees`);
      const hostLinks = links();
      for (const n of x.nics) assert.ok(hostLinks.includes(n.tap), `${x.name}: its tap ${n.tap} exists`);
      if (want.vlan) assert.equal(x.nics[0]?.vlan, want.vlan);
    } else {
      assert.equal(x.pid, 0, `${x.name} has no init`);
    }
  }
  const live = list.filter((x) => isAlive(x.state));
  assert.equal(monitorsOf(d.base).length, live.length, 'one monitor per live container, no other');
  assert.equal(cgroupsOf(d.base).length, live.length, 'one cgroup per live container, no other');
  const dirs = readdirSync(d.base)
    .filter((n) => /^\d+$/.test(n))
    .sort();
  assert.deepEqual(dirs, list.map((x) => String(x.id)).sort(), 'one instance directory per container, no other');
  return list;
}

describe('fault matrix: the daemon SIGKILLed at every checkpoint, then restarted', { skip, timeout: 600_000 }, () => {
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  before(async () => {
    fs = await busyboxRoot();
  });
  after(async () => {
    await fs?.remove();
  });

  test('every checkpoint has a case', () => {
    assert.deepEqual(Object.keys(CASES).sort(), [...FAULT_POINTS].sort());
  });

  for (const point of FAULT_POINTS) {
    test(point, async () => {
      const c = CASES[point];
      const pre = snapshot();
      const base = tempBase();
      const fault = { NANOMEGA_FAULT: point };
      const d = await startDaemon({ base, env: c.inRecovery ? {} : fault });
      try {
        await d.ok(`vm config filesystem ${fs.dir}`);
        for (const line of c.steps) {
          try {
            await d.exec(line);
          } catch {
            break; // the daemon died under the call
          }
        }
        if (c.inRecovery) {
          await d.crash();
          const faulty = spawn(process.execPath, daemonArgs(base), { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...fault } });
          assert.deepEqual(await ended(faulty), { code: null, signal: 'SIGKILL' }, 'the daemon died in recovery');
        } else {
          assert.deepEqual(await ended(d.proc), { code: null, signal: 'SIGKILL' }, `the daemon reached ${point}`);
          d.client.close();
        }
        await d.restart({});
        await checkAgainstKernel(d, c);
        // The restarted daemon manages what it adopted.
        await d.ok('vm kill all');
        await d.ok('vm flush');
        assert.deepEqual(await d.client.call('vm.info'), []);
      } finally {
        await d.dispose();
      }
      await assertNoLeaks(pre);
    });
  }
});
