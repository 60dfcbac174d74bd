import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { startDaemon, type TestDaemon } from './daemon.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from './leaks.js';
import { busyboxRoot } from './rootfs.js';

export interface ContainerSuite {
  /** The suite's daemon (filesystem already configured). */
  readonly d: TestDaemon;
  /** The suite's busybox root filesystem. */
  readonly fs: Awaited<ReturnType<typeof busyboxRoot>>;
}

/**
 * The fixture every kernel suite shares, registered as the describe's first hooks: snapshot the
 * host, build a busybox root, start a daemon configured to use it; afterwards kill and flush
 * everything, stop the daemon, remove the root, and fail if any kernel object leaked.
 */
export function useContainerSuite(opts: { freezer?: 'v1' | 'v2' } = {}): ContainerSuite {
  const s: { d?: TestDaemon; fs?: ContainerSuite['fs']; pre?: HostSnapshot } = {};
  before(async () => {
    s.pre = snapshot();
    s.fs = await busyboxRoot();
    s.d = await startDaemon({ freezer: opts.freezer });
    await s.d.ok(`vm config filesystem ${s.fs.dir}`);
  });
  after(async () => {
    await s.d?.dispose().catch(() => undefined);
    await s.fs?.remove();
    if (s.pre) await assertNoLeaks(s.pre);
  });
  return {
    get d() {
      return s.d!;
    },
    get fs() {
      return s.fs!;
    },
  };
}
