/**
 * Limits on `vm config` values: absurd numbers, over-long or non-UTF-8 strings, relative or `..` paths
 * and separators the shim's bootstrap reserves. Each failure names the field and the value.
 */
import type { ContainerConfig } from '../api/types.js';
import { configError } from '../errors.js';
import { capName } from './caps.js';
import { checkDiskSize } from './sizes.js';
import type { VmExtras } from './extras.js';

/** 16 TiB in MB: more memory than any host we run on has. */
export const MAX_MEMORY_MB = 16 * 1024 * 1024;
export const MAX_VCPUS = 4096;
export const MAX_FIFOS = 1024;
export const MAX_STRING = 4096;
export const MAX_NICS = 64;

function checkString(field: string, v: string): void {
  if (v.length > MAX_STRING) throw configError(field, v, `${field} is longer than ${MAX_STRING} characters (${v.length})`);
  if (/[\u0000\n\r]/.test(v)) throw configError(field, v, `${field} must not contain NUL or newline characters`);
  if (/[\ud800-\udfff]/.test(v.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
    throw configError(field, v, `${field} is not valid UTF-8`);
  }
}

/** An absolute path inside the container with no `..` component. */
function checkContainerPath(field: string, p: string): void {
  checkString(field, p);
  if (!p.startsWith('/')) throw configError(field, p, `${field} path \`${p}\` must be absolute inside the container`);
  if (p.split('/').includes('..')) throw configError(field, p, `${field} path \`${p}\` must not contain ..`);
}

/** An absolute host path (relative ones were resolved under the files directory) with no `..` component. */
function checkHostPath(field: string, p: string): void {
  checkString(field, p);
  if (!p.startsWith('/')) throw configError(field, p, `${field} path \`${p}\` must be an absolute host path`);
  if (p.split('/').includes('..')) throw configError(field, p, `${field} path \`${p}\` must not contain ..`);
}

/** Throw configError(field, value, why) for values no container should be launched with. */
export function validateConfig(c: ContainerConfig): void {
  if (!Number.isInteger(c.memory) || c.memory < 1 || c.memory > MAX_MEMORY_MB) {
    throw configError('memory', c.memory, `invalid memory \`${c.memory}\`: must be between 1 and ${MAX_MEMORY_MB} (MB)`);
  }
  if (!Number.isInteger(c.vcpus) || c.vcpus < 1 || c.vcpus > MAX_VCPUS) {
    throw configError('vcpus', c.vcpus, `invalid vcpus \`${c.vcpus}\`: must be between 1 and ${MAX_VCPUS}`);
  }
  if (!Number.isInteger(c.fifos) || c.fifos < 0 || c.fifos > MAX_FIFOS) {
    throw configError('fifos', c.fifos, `invalid fifos \`${c.fifos}\`: must be between 0 and ${MAX_FIFOS}`);
  }
  checkString('filesystem', c.filesystem);
  if (c.filesystem !== '' && !c.filesystem.startsWith('/')) {
    throw configError('filesystem', c.filesystem, `filesystem path \`${c.filesystem}\` must be absolute`);
  }
  checkString('hostname', c.hostname);
  checkString('uuid', c.uuid);
  if (c.hostname.length > 64) throw configError('hostname', c.hostname, `hostname \`${c.hostname.slice(0, 80)}\` is longer than 64 characters`);
  if (c.init.length === 0) throw configError('init', '', 'init needs a program');
  checkContainerPath('init', c.init[0]!);
  for (const a of c.init.slice(1)) checkString('init', a);
  if (c.preinit !== '') checkHostPath('preinit', c.preinit);
  for (const [inside, host] of Object.entries(c.volumes)) {
    checkContainerPath('volume', inside);
    checkString('volume', host);
    if (inside.includes('|') || host.includes('|')) throw configError('volume', `${inside} ${host}`, 'volume paths must not contain |');
    if (!host.startsWith('/')) throw configError('volume', host, `volume host path \`${host}\` must be absolute`);
  }
  for (const cap of c.caps ?? []) capName(cap);
  if (c.diskSize !== undefined) checkDiskSize('disk-size', c.diskSize);
  if (c.net.length > MAX_NICS) throw configError('net', c.net.length, `${c.net.length} NICs: at most ${MAX_NICS}`);
  for (const [k, v] of Object.entries(c.tags)) {
    checkString('tags', k);
    checkString('tags', v);
  }
}

/** The fields containers ignore take no NUL/newline and no absurdly long strings either. */
export function validateExtras(x: VmExtras): void {
  const strings: [string, string][] = [
    ['schedule', x.schedule],
    ['colocate', x.colocate],
    ...Object.entries(x.kvm).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ...Object.entries(x.android).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ...[...x.kvm.append, ...x.kvm.qemuAppend, ...x.android.extraArgs].map((s): [string, string] => ['args', s]),
    ...x.kvm.disks.map((d): [string, string] => ['disks', d.path]),
  ];
  for (const [field, v] of strings) checkString(field, v);
}
