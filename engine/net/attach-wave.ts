import type { NetSpec, NicInfo } from '../api/types.js';
import type { Network } from './network.js';
import type { AttachRequest, ContainerNic } from './network-types.js';
import { logError } from '../log.js';

/** What a container's launch gets from the wave: its NICs, and the container ends for the shim. */
export interface WaveAttach {
  nics: NicInfo[];
  container: ContainerNic[];
}

/**
 * How long the first request of a wave waits for others: the containers of a launch wave reach
 * MOUNTED within a few ms of each other at the start, then spread out.
 */
const WAVE_WINDOW_MS = 2;

/**
 * Collects the NIC requests of a launch wave and hands them to the network in as few attachMany
 * calls as possible: one `ip -batch` for the host ends of all of them instead of forks per NIC. A
 * launch wave reaches MOUNTED spread over a hundred ms or more, so a fixed window alone would cut it
 * into many small calls that Network runs one after another; instead, requests arriving while a
 * call runs wait for it and all go in the next one (group commit). The container ends are left to
 * the shim (containerSide 'caller'): no process per container.
 */
export class AttachWave {
  private pending: { req: AttachRequest; resolve: (r: WaveAttach) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  private running = false;

  constructor(private readonly network: Network) {}

  attach(id: number, nics: NetSpec[], initPid: number, namespace?: string): Promise<WaveAttach> {
    return new Promise((resolve, reject) => {
      this.pending.push({ req: { c: { id, nics, ...(namespace ? { namespace } : {}) }, initPid }, resolve, reject });
      this.schedule(WAVE_WINDOW_MS);
    });
  }

  private schedule(ms: number): void {
    if (this.scheduled || this.running || this.pending.length === 0) return;
    this.scheduled = true;
    setTimeout(() => {
      // flush settles every request itself; this only guards against a bug there.
      this.flush().catch((e: unknown) => logError('NIC attach wave', e));
    }, ms);
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    this.running = true;
    try {
      const results = await this.network.attachMany(
        batch.map((p) => p.req),
        { containerSide: 'caller' },
      );
      batch.forEach((p, i) => {
        const r = results[i]!;
        if (r.ok) p.resolve({ nics: r.nics, container: r.container });
        else p.reject(r.error);
      });
    } catch (e) {
      for (const p of batch) p.reject(e);
    } finally {
      this.running = false;
      // What arrived meanwhile has waited long enough.
      this.schedule(0);
    }
  }
}
