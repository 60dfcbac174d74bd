import type { Container, EngineContext } from '../context.js';
import { logError } from '../log.js';

/** First retry after a failed save; doubled up to MAX_RETRY_MS. */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

/**
 * Save a record that describes something that already happened (an exit, a re-adoption), where
 * failing the caller would only lose it: when the disk refuses (ENOSPC, EIO, a read-only base),
 * the state stays in memory, clients are told, the failure is logged, and the save is retried
 * until it lands or the container is flushed. Never throws.
 */
export async function saveOrRetry(ctx: EngineContext, c: Container): Promise<void> {
  try {
    await ctx.save(c);
  } catch (e) {
    logError(`vm ${c.rec.name}: saving its state (kept in memory, retrying)`, e);
    ctx.emit('containers.changed', [ctx.info(c)]);
    retry(ctx, c, FIRST_RETRY_MS);
  }
}

function retry(ctx: EngineContext, c: Container, ms: number): void {
  const t = setTimeout(() => {
    if (ctx.containers.get(c.rec.id) !== c) return; // flushed meanwhile
    ctx.store.save(c.rec).then(
      () => logError(`vm ${c.rec.name}: state saved after a retry`, 'ok'),
      () => retry(ctx, c, Math.min(ms * 2, MAX_RETRY_MS)),
    );
  }, ms);
  t.unref();
}
