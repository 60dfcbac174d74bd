// cc send and cc recv: a large file to several containers and back, byte for byte; symlinks planted
// in the container that point at host paths are never followed, either way.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CcCommandInfo, ContainerInfo } from '../../engine/api/types.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';
import { until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
/** The acceptance's 100 MB to 10 containers; smaller for a quick local run. */
const MB = Number(process.env.NANOMEGA_CC_FILE_MB ?? 100);
const TARGETS = Number(process.env.NANOMEGA_CC_FILE_CLIENTS ?? 10);

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

describe('cc send and recv', { skip }, () => {
  const s = useContainerSuite();
  const files = () => join(s.d.base, 'files');
  const responses = () => join(files(), 'miniccc_responses');
  let vms: ContainerInfo[] = [];
  async function answered(id: number, n: number): Promise<CcCommandInfo> {
    return until(
      `command ${id} answered by ${n}`,
      async () => {
        const c = (await s.d.client.call('cc.commands', 'minimega')).find((x) => x.id === id);
        return c && c.checkedIn.length >= n ? c : undefined;
      },
      300_000,
    );
  }
  const lastId = async () => Math.max(0, ...(await s.d.client.call('cc.commands', 'minimega')).map((c) => c.id));

  test(`cc send of a ${MB} MB file to ${TARGETS} containers and cc recv back: identical`, async () => {
    await s.d.ok(`vm launch container f[1-${TARGETS}]`);
    await s.d.ok('vm start all');
    vms = await s.d.client.call('vm.info');
    const big = join(files(), 'big.bin');
    const fd = openSync(big, 'w', 0o640);
    const block = randomBytes(1 << 20);
    for (let i = 0; i < MB; i++) {
      block.writeUInt32LE(i, 0); // no two megabytes alike
      writeSync(fd, block);
    }
    closeSync(fd);
    const want = await sha256(big);
    await s.d.ok('cc send big.bin');
    const sent = await lastId();
    await answered(sent, TARGETS);
    for (const vm of vms) assert.equal(existsSync(join(responses(), String(sent), vm.uuid, 'stderr')), false, vm.name);
    // In the container where miniccc puts sent files, with the host file's mode.
    const stat = await s.d.client.call('vm.exec', 'f1', ['stat', '-c', '%s %a', '/tmp/miniccc/files/big.bin']);
    assert.equal(stat[0]!.stdout.trim(), `${MB << 20} 640`);
    await s.d.ok('cc recv /tmp/miniccc/files/big.bin');
    const recv = await lastId();
    await answered(recv, TARGETS);
    for (const vm of vms) {
      assert.equal(await sha256(join(responses(), String(recv), vm.uuid, 'tmp/miniccc/files/big.bin')), want, vm.name);
    }
    rmSync(join(responses(), String(recv)), { recursive: true });
    rmSync(big);
  });

  test('a symlink in the container that points at a host path is not followed by send or recv', async () => {
    const host = mkdtempSync(join(tmpdir(), 'nm-cchostile-'));
    try {
      writeFileSync(join(host, 'victim'), 'host data\n');
      writeFileSync(join(host, 'secret'), 'host secret\n');
      writeFileSync(join(files(), 'payload.txt'), 'payload\n');
      // f1 plants them where cc send writes and where cc recv will read.
      await s.d.ok(`vm exec f1 ln -sf ${host}/victim /tmp/miniccc/files/payload.txt`);
      await s.d.ok(`vm exec f1 ln -sf ${host}/secret /tmp/leak`);
      await s.d.ok(`vm exec f1 ln -sf ${host} /tmp/leakdir`);
      await s.d.ok('cc filter hostname=f1');
      await s.d.ok('cc send payload.txt');
      const sent = await lastId();
      await answered(sent, 1);
      assert.equal(readFileSync(join(host, 'victim'), 'utf8'), 'host data\n');
      const f1 = vms.find((v) => v.name === 'f1')!;
      assert.match(readFileSync(join(responses(), String(sent), f1.uuid, 'stderr'), 'utf8'), /payload\.txt/);
      await s.d.ok('cc recv /tmp/leak /tmp/leakdir/secret');
      const recv = await lastId();
      await answered(recv, 1);
      const dir = join(responses(), String(recv), f1.uuid);
      assert.equal(existsSync(join(dir, 'tmp/leak')), false);
      assert.equal(existsSync(join(dir, 'tmp/leakdir/secret')), false);
      assert.doesNotMatch(await s.d.ok(`cc responses ${recv}`), /host secret/);
      assert.match(readFileSync(join(dir, 'stderr'), 'utf8'), /No such file or directory/);
      // A sent file name that would leave the files directory is refused before anything runs.
      assert.match((await s.d.exec('cc send ../../etc/passwd')).errors.join(), /no such file|can only send files from/);
      await s.d.ok('clear cc filter');
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  });
});
