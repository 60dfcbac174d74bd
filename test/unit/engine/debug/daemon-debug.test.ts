// `debug`'s effects in this very process: a CPU profile started and stopped (minimega's errors for a
// second start and a stop without one), a diagnostic report, a heap snapshot, the runtime row.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DaemonDebug } from '../../../../engine/debug/daemon-debug.js';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { LinuxHost } from '../../../../engine/host/linux-host.js';

test('cpu start makes the file, a second start is refused, stop writes a .cpuprofile, a second stop is refused', async () => {
  const host = new FakeHost();
  const d = new DaemonDebug(host);
  await assert.rejects(d.cpuStop(), /^EngineError: CPU profile not running$|CPU profile not running/);
  const started = d.cpuStart('/files/cpu.prof');
  await assert.rejects(d.cpuStart('/files/other.prof'), /CPU profile still running/);
  await started;
  assert.equal(await host.readFile('/files/cpu.prof'), '', 'made at start, as minimega does');
  let x = 0;
  for (let i = 0; i < 2e6; i++) x += Math.sqrt(i); // something to sample
  assert.ok(x > 0);
  await d.cpuStop();
  const profile = JSON.parse(await host.readFile('/files/cpu.prof')) as { nodes: unknown[]; startTime: number; endTime: number };
  assert.ok(profile.nodes.length > 0, 'the profile has call-tree nodes');
  assert.ok(profile.endTime >= profile.startTime);
  await assert.rejects(d.cpuStop(), /CPU profile not running/);
});

test('a start that cannot make its file fails naming the path and leaves no profile running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-debug-'));
  try {
    const d = new DaemonDebug(new LinuxHost());
    await assert.rejects(d.cpuStart(join(dir, 'missing', 'cpu.prof')), (e: Error) => e.message.includes(join(dir, 'missing', 'cpu.prof')));
    await d.cpuStart(join(dir, 'cpu.prof'));
    await d.close();
    assert.ok(statSync(join(dir, 'cpu.prof')).size > 0, 'close writes the running profile out');
    await assert.rejects(d.cpuStop(), /CPU profile not running/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('memory writes a V8 heap snapshot, goroutine a diagnostic report, info the runtime', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-debug-'));
  try {
    const d = new DaemonDebug(new LinuxHost());
    d.memory(join(dir, 'heap'));
    const head = readFileSync(join(dir, 'heap'), 'utf8').slice(0, 200);
    assert.match(head, /^\{"snapshot":\{"meta":/);
    await d.report(join(dir, 'report.json'));
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { javascriptStack: unknown; libuv: unknown[] };
    assert.ok(report.javascriptStack && Array.isArray(report.libuv));
    assert.equal(statSync(join(dir, 'report.json')).mode & 0o777, 0o600);
    assert.throws(
      () => d.memory(join(dir, 'no', 'heap')),
      (e: Error) => e.message.includes(join(dir, 'no', 'heap')),
    );
    const info = d.info();
    assert.equal(info.runtime, `node ${process.version}`);
    assert.ok(info.resources >= 0 && info.heapBytes > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
