import { readFile } from 'node:fs/promises';

/** The group the daemon socket belongs to: its members may use the daemon (root-equivalent, README). */
export const DAEMON_GROUP = 'nanomega';

/** The gid of group `name` from /etc/group, or undefined when the host has no such group. */
export async function groupId(name: string, read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8')): Promise<number | undefined> {
  const line = (await read('/etc/group').catch(() => '')).split('\n').find((l) => l.startsWith(`${name}:`));
  return line ? Number(line.split(':')[2]) : undefined;
}
