// `viz FILE` on a real daemon: the graph of containers with addresses on two VLANs, one of them killed,
// is read by Graphviz's own dot, and holds each container with its addresses, state colour and VLANs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox', 'graphviz');

/** Addresses only ever used inside the test's containers. */
const NET = '10.199.17';

describe('viz: the experiment as a Graphviz graph', { skip }, () => {
  const suite = useContainerSuite();

  test('dot reads it; each container is a node with its host, addresses and state, joined to its VLANs', async () => {
    for (const [name, net] of [
      ['va', `301,${NET}.1/24`],
      ['vb', `301,${NET}.2/24 302`],
    ]) {
      await suite.d.ok(`vm config net ${net}`);
      await suite.d.ok(`vm launch container ${name}`);
    }
    await suite.d.ok('clear vm config net');
    await suite.d.ok('vm launch container vc');
    await suite.d.ok('vm start all');
    await suite.d.ok('vm kill vc');
    await suite.d.ok('viz lab.dot');
    const path = join(suite.d.base, 'files', 'lab.dot');
    const svg = execFileSync('dot', ['-Tsvg', path], { encoding: 'utf8' });
    assert.match(svg, /<svg/);
    const host = (await suite.d.ok('.annotate false host name')).trim();
    const lines = readFileSync(path, 'utf8').split('\n');
    const [va, vb, vc] = ['va', 'vb', 'vc'].map((n) => lines.find((l) => l.includes(`:${n}:`) && l.includes('[style='))!);
    assert.match(va!, new RegExp(`^"${host}:va:\\d+:\\[${NET.replace(/\./g, '\\.')}\\.1\\]:\\[[^\\]]*\\]" \\[style=filled, color=green\\];$`));
    assert.match(vb!, new RegExp(`:vb:\\d+:\\[${NET.replace(/\./g, '\\.')}\\.2, \\]:`));
    assert.match(vc!, /color=blue\];$/);
    const edges = lines.filter((l) => l.includes(' -- ')).map((l) => l.replace(/^"[^:]*:([^:]+):.* -- /, '$1 '));
    assert.deepEqual(edges.sort(), ['va 301', 'vb 301', 'vb 302']);
    assert.deepEqual(
      lines.filter((l) => /^-?\d+;$/.test(l)),
      ['301;', '302;'],
    );
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
  });
});
