import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Events } from '../../engine/api/contract.js';
import type { ContainerInfo, StatsSample } from '../../engine/api/types.js';
import { parseCgroupMounts } from '../../engine/cgroup/layout.js';
import { EngineClient } from '../../cli/engine-client.js';
import { ConsoleClient } from '../helpers/console.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
const MiB = 2 ** 20;

/** The container's cgroup files, read directly (v1 memory/cpuacct/pids or the v2 unified dir). */
function cgroupFiles(pid: number) {
  const cg = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  const v1 = (ctl: string) => new RegExp(`^\\d+:[^:]*\\b${ctl}\\b[^:]*:(.*)$`, 'm').exec(cg)?.[1];
  const v2 = /^0::(.*)$/m.exec(cg)?.[1] ?? '/';
  const mem = v1('memory') && v1('memory') !== '/' ? `/sys/fs/cgroup/memory${v1('memory')}` : undefined;
  const field = (text: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  const read = (p: string) => readFileSync(p, 'utf8').trim();
  const unified = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8')).unified;
  // Every cgroup2 directory has cpu.stat (core file); without one, v1 cpuacct.
  const v2Cpu = unified && v2 !== '/' ? `${unified}${v2}/cpu.stat` : undefined;
  const cpuUsec =
    v2Cpu && existsSync(v2Cpu)
      ? () => field(read(v2Cpu), 'usage_usec')
      : () => Math.round(Number(read(`/sys/fs/cgroup/cpuacct${v1('cpuacct')}/cpuacct.usage`)) / 1000);
  if (mem && existsSync(`${mem}/memory.limit_in_bytes`)) {
    const pids = `/sys/fs/cgroup/pids${v1('pids')}`;
    return {
      memory: () => Number(read(`${mem}/memory.usage_in_bytes`)),
      limit: () => Number(read(`${mem}/memory.limit_in_bytes`)),
      oom: () => field(read(`${mem}/memory.oom_control`), 'oom_kill'),
      cpuUsec,
      pids: () => Number(read(`${pids}/pids.current`)),
    };
  }
  const dir = `${unified}${v2}`;
  return {
    memory: () => Number(read(`${dir}/memory.current`)),
    limit: () => Number(read(`${dir}/memory.max`)),
    oom: () => field(read(`${dir}/memory.events`), 'oom_kill'),
    cpuUsec,
    pids: () => Number(read(`${dir}/pids.current`)),
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('stats', { skip }, () => {
  let d: TestDaemon;
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let pre: HostSnapshot;
  let st0: ContainerInfo;
  let logClient: EngineClient;
  const logs: Events['engine.log'][] = [];
  const info = async (name: string) => (await d.client.call('vm.info')).find((x) => x.name === name)!;
  /** Wait for a sample newer than `t`. */
  const nextSample = (id: number, t: number) =>
    until(`a sample of ${id} after ${t}`, async () => (await d.client.call('stats.series', id)).find((s) => s.t > t));

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    d = await startDaemon();
    logClient = await EngineClient.connect(d.base);
    logClient.on('engine.log', (l) => logs.push(l));
    await d.ok(`vm config filesystem ${fs.dir}`);
    await d.ok('vm config memory 32');
    await d.ok('vm launch container st0,st1');
    await d.ok('vm start all');
    st0 = await info('st0');
  });

  after(async () => {
    logClient?.close();
    await d?.dispose();
    await fs?.remove();
    await assertNoLeaks(pre);
  });

  test('the series agrees with the cgroup files read directly', async () => {
    const files = cgroupFiles(st0.pid);
    const first = await nextSample(st0.id, 0);
    // Bracket one sample between two direct reads: cpu time only grows.
    const cpuBefore = files.cpuUsec();
    const memBefore = files.memory();
    const pidsBefore = files.pids();
    const s: StatsSample = await nextSample(st0.id, first.t);
    const cpuAfter = files.cpuUsec();
    const memAfter = files.memory();
    assert.equal(s.memoryLimitBytes, 32 * MiB);
    assert.equal(s.memoryLimitBytes, files.limit());
    assert.ok(s.cpuUsec >= cpuBefore && s.cpuUsec <= cpuAfter, `cpu ${cpuBefore} ≤ ${s.cpuUsec} ≤ ${cpuAfter}`);
    assert.ok(
      s.memoryBytes >= Math.min(memBefore, memAfter) * 0.9 && s.memoryBytes <= Math.max(memBefore, memAfter) * 1.1,
      `memory ${s.memoryBytes} vs ${memBefore}/${memAfter}`,
    );
    if (pidsBefore === files.pids()) assert.equal(s.pids, pidsBefore);
    assert.equal(s.oomKills, files.oom());
    assert.ok(s.pids >= 1);
  });

  test("vm top prints minimega's columns, measured from the container's processes over the window; .json works", async () => {
    const top = await d.ok('vm top');
    const [header, ...rows] = top.split('\n');
    const COLUMNS = ['name', 'virt', 'res', 'shr', 'cpu', 'vcpu', 'time', 'procs', 'rx', 'tx'];
    assert.deepEqual(
      header!.split('|').map((h) => h.trim()),
      COLUMNS,
    );
    const row = rows.map((r) => r.split('|').map((x) => x.trim())).find((r) => r[0] === 'st0')!;
    const [virt, res, shr] = row.slice(1, 4).map(Number);
    assert.ok(virt! >= res! && res! >= shr! && res! >= 0, `virt ${virt} ≥ res ${res} ≥ shr ${shr}`);
    // The same processes the cgroup holds (busybox init and its shell), read from /proc directly.
    const pids = cgroupFiles(st0.pid).pids();
    assert.equal(row[7], String(pids), `procs ${row[7]}`);
    const rssMb = Math.floor((readFileSync(`/proc/${st0.pid}/statm`, 'utf8').trim().split(' ').map(Number)[1]! * 4096) / MiB);
    assert.ok(res! >= rssMb, `res ${res} MB covers init's own ${rssMb} MB`);
    assert.match(row[4]!, /^\d+\.\d\d$/);
    assert.equal(row[5], '0.00', 'no guest cpu in a container');
    assert.match(row[6]!, /^(\d+h)?(\d+m)?\d+s$/);
    assert.match(row[8]!, /^\d+\.\d\d$/);
    const json = JSON.parse(await d.ok('.json true vm top')) as { Header: string[]; Tabular: string[][] }[];
    assert.deepEqual(json[0]!.Header, COLUMNS);
    assert.ok(json[0]!.Tabular.some((r) => r[0] === 'st1'));
    assert.deepEqual((await d.exec('vm top soon')).errors, ['strconv.Atoi: parsing "soon": invalid syntax']);
  });

  test('vm stats NAME prints the recent series as numbers', async () => {
    const out = await d.ok('vm stats st0 all');
    const [header, ...rows] = out.split('\n');
    assert.deepEqual(
      header!.split('|').map((h) => h.trim()),
      ['time', 'memory', 'limit', 'cpu_usec', 'procs', 'oom'],
    );
    assert.ok(rows.length >= 2);
    for (const r of rows) {
      const cells = r.split('|').map((x) => Number(x.trim()));
      assert.ok(cells.every(Number.isFinite), r);
      assert.equal(cells[2], 32 * MiB);
    }
    const series = await d.client.call('stats.series', st0.id);
    assert.ok(rows.length <= series.length);
    assert.deepEqual((await d.exec('vm stats nosuch')).errors, ['vm not found: nosuch']);
  });

  test('host stats: memory, load, cpus and containers per state', async () => {
    const host = await until('host samples', async () => {
      const h = await d.client.call('stats.host');
      return h.length ? h[h.length - 1] : undefined;
    });
    assert.ok(host.memoryTotalBytes > 0 && host.memoryUsedBytes > 0 && host.memoryUsedBytes <= host.memoryTotalBytes);
    assert.ok(host.cpus >= 1);
    assert.ok(host.cpuBusy >= 0 && host.cpuBusy <= 1);
    assert.ok(host.states.RUNNING >= 2);
  });

  test('stats.watch: a client gets only the containers it watches, one batched event per tick', async () => {
    const st1 = await info('st1');
    const watcher = await EngineClient.connect(d.base);
    const none = await EngineClient.connect(d.base);
    const got: StatsSample[][] = [];
    const gotNone: StatsSample[][] = [];
    let ticks = 0;
    watcher.on('stats.sample', (b) => got.push(b));
    none.on('stats.sample', (b) => gotNone.push(b));
    await watcher.call('stats.watch', [st1.id]);
    await none.call('stats.watch', []);
    // stats.host follows the tick's stats.sample on the same connection: use it as the tick clock.
    none.on('stats.host', () => ticks++);
    await until('three ticks', () => (ticks >= 3 && got.length >= 2 ? true : undefined));
    assert.ok(got.every((b) => b.length === 1 && b[0]!.id === st1.id));
    assert.deepEqual(gotNone, []);
    // Back to all: both containers in one event.
    await watcher.call('stats.watch', null);
    const n = got.length;
    await until('an unfiltered batch', () => (got.length > n && got[got.length - 1]!.length >= 2 ? true : undefined));
    watcher.close();
    none.close();
  });

  test('a process killed by the OOM killer shows in the series and as an engine.log warning; the container keeps running', async () => {
    const files = cgroupFiles(st0.pid);
    const con = await ConsoleClient.connect(st0.console);
    // A subshell doubles a string until the 32 MB limit kills it; the interactive shell survives.
    const out = await con.run('(x=0123456789abcdef; while :; do x=$x$x; done); echo status=$?', 120_000);
    con.close();
    assert.match(out, /status=137/);
    const s = await until('an OOM kill in the series', async () => {
      const series = await d.client.call('stats.series', st0.id);
      const last = series[series.length - 1];
      return last && last.oomKills > 0 ? last : undefined;
    });
    assert.equal(s.oomKills, files.oom());
    const warn = await until('the engine.log warning', () => logs.find((l) => l.level === 'warn' && l.message.startsWith('st0:')));
    assert.match(warn.message, /OOM killer/);
    assert.equal((await info('st0')).state, 'RUNNING');
    const last = (await d.ok('vm stats st0 1')).split('\n')[1]!;
    assert.equal(last.split('|').map((x) => x.trim())[5], String(files.oom()), 'vm stats shows the OOM kills');
  });
});
