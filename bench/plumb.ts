/**
 * The plumber's cost per delivered message, against the floor of the same work side by side: minimega's
 * plumbing_basic tree (p0 → p1,p2 → p3..p6) in mode all, N messages written to p0 (each is delivered to
 * 6 readers and counted at 7 pipes), and, as the reference, the same deliveries as plain awaited calls
 * on a hand-built tree with nothing else. Then the same through a host program (`cat`) between two
 * pipes, end to end (written to the first pipe, counted at the last).
 *
 * Usage: node dist/bench/plumb.js [messages=100000] [through-cat=20000]
 */
import { linuxPlumbPort } from '../engine/host/plumb-processes.js';
import { Plumber, type PlumbPort } from '../engine/plumb/plumber.js';

const N = Number(process.argv[2] ?? 100_000);
const M = Number(process.argv[3] ?? 20_000);

const noPrograms: PlumbPort = {
  lookPath: async () => undefined,
  start: () => {
    throw new Error('no programs in this bench');
  },
  via: async (_argv, input) => input,
};

async function tree(): Promise<number> {
  const p = new Plumber(noPrograms);
  for (const [a, b] of [
    ['p0', 'p1'],
    ['p0', 'p2'],
    ['p1', 'p3'],
    ['p1', 'p4'],
    ['p2', 'p5'],
    ['p2', 'p6'],
  ])
    await p.plumb('minimega', [a!, b!]);
  const t = performance.now();
  for (let i = 0; i < N; i++) await p.write('minimega//p0', `message ${i}`);
  const ms = performance.now() - t;
  if (p.pipesOf('minimega').some((x) => x.count !== N)) throw new Error('a pipe missed messages');
  return ms;
}

/** The floor: the same 6 deliveries per message as awaited calls, the 7 counts, nothing else. */
async function floor(): Promise<number> {
  const counts = new Array<number>(7).fill(0);
  const leaf = (k: number) => async (v: string) => void (counts[k]! += v.length > 0 ? 1 : 0);
  const mid = (k: number, a: (v: string) => Promise<void>, b: (v: string) => Promise<void>) => async (v: string) => {
    counts[k]!++;
    await a(v);
    await b(v);
  };
  const root = mid(0, mid(1, leaf(3), leaf(4)), mid(2, leaf(5), leaf(6)));
  const t = performance.now();
  for (let i = 0; i < N; i++) await root(`message ${i}\n`);
  return performance.now() - t;
}

async function throughCat(): Promise<number> {
  const p = new Plumber(linuxPlumbPort());
  await p.plumb('minimega', ['in', 'cat', 'out']);
  const out = () => p.pipesOf('minimega').find((x) => x.name === 'minimega//out')?.count ?? 0;
  const t = performance.now();
  for (let i = 0; i < M; i++) await p.write('minimega//in', `message ${i}`);
  while (out() < M) await new Promise((r) => setTimeout(r, 1));
  const ms = performance.now() - t;
  p.close();
  return ms;
}

async function main(): Promise<void> {
  const runs = 3;
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const t: number[] = [];
  const f: number[] = [];
  for (let i = 0; i < runs; i++) {
    t.push(await tree());
    f.push(await floor());
  }
  const tm = med(t);
  const fm = med(f);
  console.log(`tree of 7 pipes, ${N} messages (mode all): ${((tm / N) * 1000).toFixed(2)} µs per message, ${Math.round(N / (tm / 1000))} messages/s`);
  console.log(`floor (same deliveries as awaited calls): ${((fm / N) * 1000).toFixed(2)} µs per message; plumber/floor = ${(tm / fm).toFixed(1)}x`);
  const c = await throughCat();
  console.log(
    `through cat between two pipes, ${M} messages end to end: ${((c / M) * 1000).toFixed(1)} µs per message, ${Math.round(M / (c / 1000))} messages/s`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
