import { resolve } from 'node:path';
import { LinuxHost } from '../../engine/host/linux-host.js';
import { fetchImage, type ImageRecord, type ImageSource } from '../../engine/rootfs/image.js';
import { fail } from '../args.js';
import type { Subcommand } from '../subcommand.js';

const USAGE = 'image import FILE DIR [--force] | image pull REF DIR [--insecure] [--force]';

function report(dir: string, r: ImageRecord): void {
  const lines = [
    `nanomega: ${r.source} (${r.digest || 'no digest'}) unpacked in ${dir}/rootfs`,
    `          init ${r.init.length ? JSON.stringify(r.init) : '(none: vm config init applies)'}${r.workdir ? `, working directory ${r.workdir}` : ''}${r.env.length ? `, ${r.env.length} environment variables` : ''}`,
    `          use it with: vm config filesystem ${dir}`,
  ];
  if (r.removedDevices.length)
    lines.push(`          removed ${r.removedDevices.length} device node(s) (the container's /dev is its own): ${r.removedDevices.slice(0, 5).join(' ')}`);
  process.stdout.write(lines.join('\n') + '\n');
}

/**
 * `nanomega image import FILE DIR` (a docker-archive or oci-archive tarball) and `nanomega image pull REF
 * DIR` (a registry): skopeo and umoci unpack it into DIR/rootfs with its defaults in DIR/image.json.
 */
export const command: Subcommand = {
  name: 'image',
  options: ['--force', '--insecure'],
  usage: USAGE,
  summary:
    'unpack a Docker/OCI image (docker-archive or oci-archive tarball, or a registry reference) into DIR;\n' +
    'its entrypoint, command, environment and working directory become the container defaults',
  async run(_args, rest) {
    const force = rest.includes('--force');
    const insecure = rest.includes('--insecure');
    const [verb, what, dir, ...extra] = rest.filter((a) => a !== '--force' && a !== '--insecure');
    if (!verb || !what || !dir || extra.length) fail(`usage: nanomega ${USAGE}`);
    let source: ImageSource;
    if (verb === 'import') {
      if (insecure) fail('image import: --insecure is for pull');
      source = { kind: 'archive', file: resolve(what) };
    } else if (verb === 'pull') {
      source = { kind: 'registry', ref: what, insecure };
    } else {
      fail(`image: unknown verb \`${verb}\` (import or pull)`);
    }
    const target = resolve(dir);
    report(target, await fetchImage(new LinuxHost(), source, target, { force }));
    return 0;
  },
};
