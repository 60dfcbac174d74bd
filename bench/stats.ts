/**
 * Cost of the 1 Hz stats sampler: creates N real empty cgroups under the engine's `nanomega`
 * parent (tagged so nothing else owns them), samples them at 1 Hz for D seconds with the
 * engine's StatsSampler and LinuxHost, and reports the CPU time this process used per second
 * (process.cpuUsage: user + system, including libuv's threadpool), then removes them.
 *
 * Usage (root): node dist/bench/stats.js [containers=1000] [seconds=20]
 */
import { ContainerCgroups, detectLayout, prepareEngineParents, removeCgroupDir } from '../engine/cgroup/cgroup.js';
import type { Container, EngineContext } from '../engine/context.js';
import { LinuxHost } from '../engine/host/linux-host.js';
import { StatsSampler } from '../engine/stats/sampler.js';
import { StatFileHost } from '../engine/stats/stat-file-host.js';

const N = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.argv[3] ?? 20);
const TAG = `nmbench${process.pid}`;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/stats needs root (it creates cgroups)');
  const host = new LinuxHost();
  const layout = await detectLayout(host);
  await prepareEngineParents(host, layout);
  const containers = new Map<number, Container>();
  const made: ContainerCgroups[] = [];
  try {
    for (let id = 0; id < N; id++) {
      const cgroups = new ContainerCgroups(host, { layout }, `${TAG}-${id}`);
      await cgroups.create({ memoryBytes: 64 * 1024 * 1024, vcpus: 1, pids: 64 });
      made.push(cgroups);
      const rec = { id, name: `bench${id}`, state: 'RUNNING', initPid: 0, config: { memory: 64 } };
      containers.set(id, { rec, cgroups, queue: Promise.resolve() } as unknown as Container);
    }
    let samples = 0;
    let events = 0;
    const ctx = {
      host,
      layout,
      containers,
      emit: (name: string, payload: unknown) => {
        if (name === 'stats.sample') {
          events++;
          samples += (payload as unknown[]).length;
        }
      },
    } as unknown as EngineContext;
    const statHost = process.env.BENCH_PLAIN_HOST ? undefined : new StatFileHost(host);
    const sampler = new StatsSampler(ctx, statHost);
    const ticks: number[] = [];
    const timed = sampler.tick.bind(sampler);
    sampler.tick = async (now) => {
      const t0 = performance.now();
      await timed(now);
      ticks.push(performance.now() - t0);
    };
    await sampler.tick(); // warm-up: JIT, first rings
    ticks.length = 0;
    samples = 0;
    events = 0;
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    sampler.start();
    await new Promise((r) => setTimeout(r, SECONDS * 1000 + 200));
    const cpu = process.cpuUsage(cpu0);
    const openFiles = statHost?.openFiles ?? 0;
    sampler.stop();
    const wall = (performance.now() - wall0) / 1000;
    const cpuMsPerSec = (cpu.user + cpu.system) / 1000 / wall;
    ticks.sort((a, b) => a - b);
    const rssMb = process.memoryUsage().rss / 2 ** 20;
    console.log(`cgroup layout: ${layout.unified ? `unified at ${layout.unified}` : 'no unified'}; v1: ${Object.keys(layout.v1).join(',') || 'none'}`);
    console.log(`containers: ${N}, ticks: ${ticks.length} in ${wall.toFixed(1)} s, events: ${events}, samples: ${samples}`);
    console.log(
      `cpu: ${cpuMsPerSec.toFixed(1)} ms per second = ${(cpuMsPerSec / 10).toFixed(2)}% of one core (user ${(cpu.user / 1000 / wall).toFixed(1)} ms/s, system ${(cpu.system / 1000 / wall).toFixed(1)} ms/s)`,
    );
    console.log(`reads: ${statHost ? `StatFileHost (${openFiles} files kept open)` : 'LinuxHost.readFile'}`);
    console.log(`tick wall time: median ${ticks[ticks.length >> 1]?.toFixed(0)} ms, max ${ticks[ticks.length - 1]?.toFixed(0)} ms; rss ${rssMb.toFixed(0)} MB`);
  } finally {
    for (const cg of made) for (const dir of cg.dirs()) await removeCgroupDir(host, dir).catch(() => undefined);
  }
}

await main();
