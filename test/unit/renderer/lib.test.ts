import { describe, expect, test } from 'vitest';
import { AckBatcher } from '../../../renderer/composables/use-console';
import { formatBytes, formatDuration, minimegaCommands } from '../../../renderer/lib/format';
import { CONFIG } from './fake-engine';

describe('AckBatcher', () => {
  test('acknowledges in batches of at least 5 000 chars and flushes the tail', () => {
    const acks: number[] = [];
    const b = new AckBatcher(5_000, (n) => acks.push(n));
    for (let i = 0; i < 12; i++) b.add(1_000);
    expect(acks).toEqual([5_000, 5_000]);
    b.flush();
    expect(acks).toEqual([5_000, 5_000, 2_000]);
    b.flush();
    expect(acks).toHaveLength(3);
  });
});

describe('minimegaCommands', () => {
  test('lists only the fields that differ from the daemon config, then the launch', () => {
    const cmds = minimegaCommands(
      'foo[0-2]',
      { ...CONFIG, memory: 512, filesystem: '/srv/fs', net: [{ bridge: '', vlan: '100', mac: '', ip: '' }], tags: { role: 'web server' } },
      CONFIG,
    );
    expect(cmds).toEqual([
      'vm config filesystem /srv/fs',
      'vm config memory 512',
      'vm config net 100',
      'vm config tags role "web server"',
      'vm launch container foo[0-2]',
    ]);
  });

  test('a default config launches with one line', () => {
    expect(minimegaCommands('3', CONFIG, CONFIG)).toEqual(['vm launch container 3']);
  });
});

describe('formatting', () => {
  test('bytes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536 * 1024)).toBe('1.5 MiB');
    expect(formatBytes(undefined)).toBe('–');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3 * 3600_000 + 5 * 60_000)).toBe('3h05m');
  });
});
