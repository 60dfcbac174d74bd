import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { availableParallelism } from 'node:os';
import { machineCpuMs, processCpuMs } from '../../../bench/procfs.js';

/** Spins this thread for `ms` of wall time: CPU this process and the machine must both account. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe("the launch bench's CPU readers", () => {
  test('count a busy loop of this process, in ms, and the machine at least as much', () => {
    const self0 = processCpuMs(process.pid);
    const machine0 = machineCpuMs();
    const { user, system } = process.cpuUsage();
    spin(300);
    const used = process.cpuUsage({ user, system });
    const selfMs = processCpuMs(process.pid) - self0;
    const machine1 = machineCpuMs();
    const machineMs = machine1.workMs - machine0.workMs;
    const node = (used.user + used.system) / 1000;
    // /proc counts whole clock ticks (10 ms at USER_HZ 100): allow two either way.
    assert.ok(Math.abs(selfMs - node) <= 20, `/proc/PID/stat ${selfMs} ms, process.cpuUsage ${node} ms`);
    assert.ok(machineMs >= selfMs - 20, `machine ${machineMs} ms, this process ${selfMs} ms`);
    // Steal is wall time of this guest's cores: never more than all of them over the spin.
    const stealMs = machine1.stealMs - machine0.stealMs;
    const cores = availableParallelism();
    assert.ok(stealMs >= 0 && stealMs <= 300 * cores + 40, `steal ${stealMs} ms over a 300 ms spin on ${cores} cores`);
  });

  test('a process that does not exist is an error, not zero', () => {
    assert.throws(() => processCpuMs(2 ** 22 + 1), /ENOENT/);
  });
});
