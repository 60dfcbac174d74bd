// `viz FILE` against minimega's dot.go: a filled node per VM named host:name:id:[ips]:[ip6s], coloured by
// state, an edge to its VLAN per NIC (-1 unplugged), each VLAN once at the end, no newline after `}`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeEngine, session, vm } from './fake.js';

const nic = (vlan: string, vlanId: number, ip = '', ip6 = '') => ({ vlan, vlanId, bridge: 'mega_bridge', tap: 'mega_tap1', mac: '00:11', ip, ip6 });

test('viz writes the namespace as a Graphviz graph, relative names in the files directory', async () => {
  const engine = new FakeEngine();
  engine.vms = [
    vm(2, 'b', { state: 'QUIT', nics: [nic('disconnected', -1)] }),
    vm(1, 'a', { state: 'RUNNING', nics: [nic('LAN', 101, '10.0.0.1', 'fe80::1'), nic('200', 200)] }),
    vm(3, 'c', { state: 'ERROR' }),
  ];
  const { s, host } = session(engine);
  const r = await s.exec('viz exp.dot');
  assert.deepEqual(r.errors, []);
  assert.equal(r.output, '');
  assert.equal(
    host.files.get('/base/files/exp.dot'),
    [
      'graph minimega {',
      'size="8,11";',
      'overlap=false;',
      '"labhost:a:1:[10.0.0.1, ]:[fe80::1, ]" [style=filled, color=green];',
      '"labhost:a:1:[10.0.0.1, ]:[fe80::1, ]" -- 101',
      '"labhost:a:1:[10.0.0.1, ]:[fe80::1, ]" -- 200',
      '"labhost:b:2:[]:[]" [style=filled, color=blue];',
      '"labhost:b:2:[]:[]" -- -1',
      '"labhost:c:3:[]:[]" [style=filled, color=red];',
      '-1;',
      '101;',
      '200;',
      '}',
    ].join('\n'),
  );
  await s.exec('viz /abs/empty.dot');
  engine.vms = [];
  await s.exec('viz /abs/none.dot');
  assert.equal(host.files.get('/abs/none.dot'), 'graph minimega {\nsize="8,11";\noverlap=false;\n}');
  // It reads `vm info` without recording it: the history has the viz lines only.
  assert.deepEqual((await s.exec('.annotate false history')).output.split('\n'), ['viz exp.dot', 'viz /abs/empty.dot', 'viz /abs/none.dot']);
});
