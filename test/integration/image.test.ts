// Images: a small OCI image built from busybox with umoci, pushed to a local registry (Debian's
// docker-registry on 127.0.0.1, started and stopped here) and pulled with `nanomega image pull`; the
// same image as a docker-archive and an oci-archive through `nanomega image import`; each run as a
// container with the image's entrypoint, environment and working directory. Hostile archives (`../`
// entries, an absolute symlink written through, device nodes, setuid files, a hard link out) are
// confined or refused, and nothing is left outside DIR.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN } from '../helpers/daemon.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';
import { until } from '../helpers/wait.js';

const REGISTRY = '/usr/bin/docker-registry';

function tools(): false | string {
  const base = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
  if (base) return base;
  const missing = ['/usr/bin/skopeo', '/usr/bin/umoci', REGISTRY].filter((p) => !existsSync(p));
  if (!missing.length) return false;
  const why = `missing ${missing.join(', ')} (apt-get install skopeo umoci docker-registry)`;
  if (process.env.CI === 'true') throw new Error(`CI is missing a test requirement: ${why}`);
  console.log(`# skip: ${why}`);
  return why;
}
const skip = tools();

function sh(argv: string[], ok = true): { status: number; out: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 120_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (ok) assert.equal(r.status, 0, `${argv.join(' ')}:\n${out}`);
  return { status: r.status ?? -1, out };
}
const nanomega = (...words: string[]) => sh([process.execPath, BIN, ...words], false);

/** A tar archive (ustar) built in memory: enough of the format for hostile layers. */
function tar(
  entries: { name: string; type?: '0' | '1' | '2' | '3' | '4' | '5'; data?: Buffer; link?: string; mode?: number; major?: number; minor?: number }[],
): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    const data = e.data ?? Buffer.alloc(0);
    h.write(e.name, 0, 100);
    h.write(((e.mode ?? 0o644) & 0o7777).toString(8).padStart(7, '0') + '\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write(
      Math.floor(Date.now() / 1000)
        .toString(8)
        .padStart(11, '0') + '\0',
      136,
    );
    h.write('        ', 148);
    h.write(e.type ?? '0', 156);
    if (e.link) h.write(e.link, 157, 100);
    h.write('ustar\x0000', 257);
    h.write((e.major ?? 0).toString(8).padStart(7, '0') + '\0', 329);
    h.write((e.minor ?? 0).toString(8).padStart(7, '0') + '\0', 337);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A docker-archive (docker save format) with one layer. */
function dockerArchive(layer: Buffer): Buffer {
  const diff = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: [diff] } }),
  );
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: ['hostile:latest'], Layers: ['layer.tar'] }]));
  return tar([
    { name: 'manifest.json', data: manifest },
    { name: configName, data: config },
    { name: 'layer.tar', data: layer },
  ]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('images: registry pull, docker-archive and oci-archive import, hostile archives', { skip }, () => {
  const suite = useContainerSuite();
  let work = '';
  let registry: ChildProcess | undefined;
  let port = 0;
  const layout = () => join(work, 'layout');

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'nm-image-'));
    // The image: busybox with sh and sleep, an entrypoint, a command, an environment variable, a workdir.
    sh(['umoci', 'init', '--layout', layout()]);
    sh(['umoci', 'new', '--image', `${layout()}:bb`]);
    const bundle = join(work, 'bundle');
    sh(['umoci', 'unpack', '--image', `${layout()}:bb`, bundle]);
    mkdirSync(join(bundle, 'rootfs/bin'), { recursive: true });
    mkdirSync(join(bundle, 'rootfs/srv/app'), { recursive: true });
    copyFileSync('/bin/busybox', join(bundle, 'rootfs/bin/busybox'));
    for (const applet of ['sh', 'sleep', 'cat', 'echo']) symlinkSync('busybox', join(bundle, `rootfs/bin/${applet}`));
    sh(['umoci', 'repack', '--image', `${layout()}:bb`, bundle]);
    sh([
      'umoci',
      'config',
      '--image',
      `${layout()}:bb`,
      '--config.entrypoint',
      '/bin/sh',
      '--config.cmd',
      '-c',
      '--config.cmd',
      'echo image-up; exec sleep 100000',
      '--config.env',
      'FOO=from-image',
      '--config.env',
      'PATH=/bin',
      '--config.workingdir',
      '/srv/app',
    ]);
    // The registry, on loopback, storing in our temp dir.
    port = await freePort();
    const config = join(work, 'registry.yml');
    writeFileSync(
      config,
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(work, 'registry')}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
    );
    registry = spawn(REGISTRY, ['serve', config], { stdio: 'ignore' });
    await until('the registry to answer /v2/', async () => (await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined))?.ok);
    sh(['skopeo', 'copy', '--quiet', '--dest-tls-verify=false', `oci:${layout()}:bb`, `docker://127.0.0.1:${port}/nm/bb:1`]);
  });

  after(async () => {
    if (registry && registry.exitCode === null) {
      const gone = new Promise((r) => registry!.once('exit', r));
      registry.kill('SIGTERM');
      await gone;
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Launch NAME on DIR and return its init's pid once it runs; checks the image's defaults took effect. */
  async function runImage(name: string, dir: string): Promise<number> {
    await suite.d.ok(`vm config filesystem ${dir}`);
    await suite.d.ok(`vm launch container ${name}`);
    await suite.d.ok(`vm start ${name}`);
    const info = await suite.d.ok(`.columns pid,init,state .filter name=${name} .csv true .headers false vm info`);
    const [pid, init, state] = info.split(',');
    assert.equal(state, 'RUNNING');
    assert.equal(init, '[/bin/sh -c echo image-up; exec sleep 100000]');
    const initPid = Number(pid);
    const environ = await until('init to exec sleep', () => {
      const cmd = readFileSync(`/proc/${initPid}/cmdline`, 'utf8');
      return cmd.startsWith('sleep') ? readFileSync(`/proc/${initPid}/environ`, 'utf8').split('\0') : undefined;
    });
    assert.ok(environ.includes('FOO=from-image'), environ.join(' '));
    assert.ok(environ.includes('PATH=/bin'), 'the image replaces our PATH');
    assert.ok(environ.includes('TERM=xterm-256color'), 'ours stay where the image is silent');
    assert.equal(readlinkSync(`/proc/${initPid}/cwd`), '/srv/app');
    return initPid;
  }

  test('image pull from a registry (--insecure for plain HTTP), then run it', async () => {
    const dir = join(work, 'pulled');
    const r = nanomega('image', 'pull', `127.0.0.1:${port}/nm/bb:1`, dir, '--insecure');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /unpacked in .*\/pulled\/rootfs/);
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'DIR is private: images may carry setuid files');
    const rec = JSON.parse(readFileSync(join(dir, 'image.json'), 'utf8'));
    assert.deepEqual(rec.init, ['/bin/sh', '-c', 'echo image-up; exec sleep 100000']);
    assert.equal(rec.workdir, '/srv/app');
    assert.match(rec.digest, /^sha256:[0-9a-f]{64}$/);
    await runImage('pulled1', dir);
    // Without --insecure, plain HTTP is refused, and nothing is left behind.
    const again = join(work, 'pulled-tls');
    const r2 = nanomega('image', 'pull', `127.0.0.1:${port}/nm/bb:1`, again);
    assert.notEqual(r2.status, 0);
    assert.match(r2.out, /skopeo copy docker:\/\/127\.0\.0\.1:\d+\/nm\/bb:1/);
    assert.equal(existsSync(again), false);
    assert.deepEqual(
      readdirSync(work).filter((n) => n.includes('.nm-image-')),
      [],
    );
  });

  test('image import of a docker-archive and an oci-archive', async () => {
    const docker = join(work, 'bb-docker.tar');
    const oci = join(work, 'bb-oci.tar');
    sh(['skopeo', 'copy', '--quiet', `oci:${layout()}:bb`, `docker-archive:${docker}:nm/bb:1`]);
    sh(['skopeo', 'copy', '--quiet', `oci:${layout()}:bb`, `oci-archive:${oci}:bb`]);
    for (const [file, name] of [
      [docker, 'fromdocker'],
      [oci, 'fromoci'],
    ] as const) {
      const dir = join(work, name);
      const r = nanomega('image', 'import', file, dir);
      assert.equal(r.status, 0, r.out);
      assert.match(JSON.parse(readFileSync(join(dir, 'image.json'), 'utf8')).source, file === docker ? /^docker-archive:/ : /^oci-archive:/);
      await runImage(name, dir);
    }
    // An existing, non-empty DIR is refused unless --force.
    const r = nanomega('image', 'import', docker, join(work, 'fromdocker'));
    assert.notEqual(r.status, 0);
    assert.match(r.out, /is not empty \(--force replaces it\)/);
    assert.equal(nanomega('image', 'import', docker, join(work, 'fromdocker'), '--force').status, 0);
  });

  test('a hostile archive is confined: ../ entries, a symlink written through, device nodes, setuid files', () => {
    const outside = join(work, 'outside');
    mkdirSync(outside);
    const layer = tar([
      { name: '../escape-dotdot', data: Buffer.from('pwned') },
      { name: '../../../../../../tmp/nm-image-escape-abs', data: Buffer.from('pwned') },
      { name: 'abs', type: '2', link: outside },
      { name: 'abs/pwned', data: Buffer.from('pwned') },
      { name: 'hostdisk', type: '4', major: 8, minor: 0, mode: 0o666 },
      { name: 'kmem', type: '3', major: 1, minor: 2, mode: 0o666 },
      { name: 'suid', data: Buffer.from('#!/bin/sh\n'), mode: 0o4755 },
    ]);
    const file = join(work, 'hostile.tar');
    writeFileSync(file, dockerArchive(layer));
    const dir = join(work, 'hostile');
    const r = nanomega('image', 'import', file, dir);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /removed 2 device node\(s\)/);
    assert.deepEqual(readdirSync(outside), [], 'nothing written through the symlink');
    assert.equal(existsSync(join(work, 'escape-dotdot')), false);
    assert.equal(existsSync('/tmp/nm-image-escape-abs'), false);
    const rootfs = join(dir, 'rootfs');
    const devices = spawnSync('find', [rootfs, '(', '-type', 'b', '-o', '-type', 'c', ')'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(devices, '', 'no device node left');
    assert.equal(readlinkSync(join(rootfs, 'abs')), outside, 'the symlink itself is kept (it resolves inside the container)');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  test('a hard link to a path outside the layer is refused, and nothing is left', () => {
    const file = join(work, 'hardlink.tar');
    writeFileSync(file, dockerArchive(tar([{ name: 'passwd', type: '1', link: '/etc/passwd' }])));
    const dir = join(work, 'hardlink');
    const r = nanomega('image', 'import', file, dir);
    assert.notEqual(r.status, 0);
    assert.match(r.out, /umoci unpack of docker-archive:.*refused/);
    assert.equal(existsSync(dir), false);
    assert.deepEqual(
      readdirSync(work).filter((n) => n.includes('.nm-image-')),
      [],
    );
  });

  test('bad input: a missing file, not a tar, neither format, a bad reference — each named, nothing made', () => {
    const dir = join(work, 'never');
    const notTar = join(work, 'not.tar');
    writeFileSync(notTar, 'hello');
    const neither = join(work, 'neither.tar');
    writeFileSync(neither, tar([{ name: 'README', data: Buffer.from('x') }]));
    for (const [argv, msg] of [
      [['import', join(work, 'absent.tar'), dir], /absent\.tar` does not exist/],
      [['import', notTar, dir], /not\.tar` is not a readable tar archive/],
      [['import', neither, dir], /neither an OCI archive \(no oci-layout\) nor a Docker archive/],
      [['pull', 'bad ref!', dir], /invalid reference `bad ref!`/],
      [['pull', '127.0.0.1:1/x:y', dir, '--bogus'], /unknown option `--bogus`/],
    ] as const) {
      const r = nanomega('image', ...argv);
      assert.notEqual(r.status, 0, argv.join(' '));
      assert.match(r.out, msg);
      assert.equal(existsSync(dir), false);
    }
  });
});
