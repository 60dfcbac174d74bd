import type { ContainerConfig } from '../api/types.js';

/** A fresh `vm config`: minimega's defaults for a container (memory 2048 MB, one vcpu, snapshot). */
export function defaultConfig(): ContainerConfig {
  return {
    filesystem: '',
    hostname: '',
    init: ['/init'],
    preinit: '',
    fifos: 0,
    volumes: {},
    memory: 2048,
    vcpus: 1,
    snapshot: true,
    uuid: '',
    net: [],
    tags: {},
    backchannel: true,
  };
}

/** Deep copy (configs are plain JSON data). */
export function copyConfig(c: ContainerConfig): ContainerConfig {
  return {
    ...c,
    init: [...c.init],
    volumes: { ...c.volumes },
    net: c.net.map((n) => ({ ...n })),
    tags: { ...c.tags },
    ...(c.caps ? { caps: [...c.caps] } : {}),
  };
}

/** `vm config init`'s default: minimega's containers run /init. */
export const DEFAULT_INIT = '/init';
