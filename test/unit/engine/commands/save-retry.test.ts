// A record of something that already happened (an exit) is never lost to a failing disk, and never
// takes the daemon down (review M2/M4): kept in memory, announced, retried until it lands.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { saveOrRetry } from '../../../../engine/commands/save-retry.js';
import type { Container, EngineContext } from '../../../../engine/context.js';

test('a failed save is announced, logged and retried with backoff until it lands', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  const logged: string[] = [];
  const write = mock.method(process.stderr, 'write', (s: string) => (logged.push(s), true));
  try {
    const c = { rec: { id: 3, name: 'c3', state: 'QUIT' } } as unknown as Container;
    let storeAttempts = 0;
    const events: unknown[] = [];
    const ctx = {
      containers: new Map([[3, c]]),
      save: async () => {
        throw new Error('write /run/nm/3/state.json: ENOSPC');
      },
      store: {
        save: async () => {
          if (++storeAttempts < 3) throw new Error('ENOSPC');
        },
      },
      emit: (name: string, payload: unknown) => events.push([name, payload]),
      info: (x: Container) => ({ name: x.rec.name, state: x.rec.state }),
    } as unknown as EngineContext;

    await saveOrRetry(ctx, c); // resolves: never throws
    assert.deepEqual(events, [['containers.changed', [{ name: 'c3', state: 'QUIT' }]]]);
    assert.match(logged.join(''), /vm c3: saving its state \(kept in memory, retrying\): Error: write \/run\/nm\/3\/state\.json: ENOSPC/);
    for (const ms of [1000, 2000, 4000]) {
      mock.timers.tick(ms);
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(storeAttempts, 3);
    mock.timers.tick(60_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(storeAttempts, 3, 'no retry after it landed');
  } finally {
    write.mock.restore();
    mock.timers.reset();
  }
});

test('a container flushed meanwhile is not retried', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  const write = mock.method(process.stderr, 'write', () => true);
  try {
    const c = { rec: { id: 4, name: 'c4' } } as unknown as Container;
    let storeAttempts = 0;
    const ctx = {
      containers: new Map(),
      save: async () => Promise.reject(new Error('EIO')),
      store: { save: async () => void storeAttempts++ },
      emit: () => undefined,
      info: () => ({}),
    } as unknown as EngineContext;
    await saveOrRetry(ctx, c);
    mock.timers.tick(1000);
    await new Promise((r) => setImmediate(r));
    assert.equal(storeAttempts, 0);
  } finally {
    write.mock.restore();
    mock.timers.reset();
  }
});
