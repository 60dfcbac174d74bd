/** `vm exec TARGET CMD…`: run a command in every RUNNING target container and collect its output. */
import type { ExecOptions, ExecResult } from '../api/types.js';
import type { EngineContext } from '../context.js';
import { execSpec, startExec } from '../exec/run.js';
import { apply } from './targets.js';

/** Output kept per stream and container; past it the rest is dropped and the text says so. */
export const EXEC_OUTPUT_MAX = 16 << 20;

class Collector {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  add(b: Buffer): void {
    const room = EXEC_OUTPUT_MAX - this.size;
    if (room <= 0) {
      this.dropped += b.length;
      return;
    }
    this.chunks.push(b.length > room ? b.subarray(0, room) : b);
    this.size += Math.min(b.length, room);
    this.dropped += Math.max(0, b.length - room);
  }

  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped ? `${s}\n[${this.dropped} more bytes not kept]\n` : s;
  }
}

export async function vmExec(ctx: EngineContext, target: string, argv: string[], opts: ExecOptions = {}, ns?: string): Promise<ExecResult[]> {
  const spec = execSpec(argv, { ...opts, stdin: false });
  const out = new Map<number, ExecResult>();
  const results = await apply(
    ctx,
    target,
    async (c, wild) => {
      if (wild && c.rec.state !== 'RUNNING') return false;
      const stdout = new Collector();
      const stderr = new Collector();
      const r: ExecResult = { id: c.rec.id, name: c.rec.name, stdout: '', stderr: '' };
      out.set(c.rec.id, r);
      const x = await startExec(ctx, c, spec, { stdout: (b) => stdout.add(b), stderr: (b) => stderr.add(b) });
      try {
        Object.assign(r, await x.exit);
      } catch (e) {
        throw new Error(`vm exec ${c.rec.name}: ${(e as Error).message}`);
      } finally {
        r.stdout = stdout.text();
        r.stderr = stderr.text();
      }
      return true;
    },
    ns,
  );
  return results
    .filter((v) => out.has(v.id) || v.error)
    .map((v) => ({ ...(out.get(v.id) ?? { id: v.id, name: v.name, stdout: '', stderr: '' }), ...(v.error ? { error: v.error } : {}) }));
}
