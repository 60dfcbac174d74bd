import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { optional, requires } from '../helpers/requires.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/minimega-tests.sh', import.meta.url));
const tests = process.env.MINIMEGA_TESTS;
// minimega's tests are not in this repository (GPLv3, and CI has no minimega checkout): point
// MINIMEGA_TESTS at one to run them.
/** minimega's minitest binary (`go build ./cmd/minitest` in the same checkout), to run them through instead. */
const minitest = process.env.MINITEST;
const skip = tests ? requires('root', 'cgroup2', 'overlay', 'shim', 'busybox') : optional("MINIMEGA_TESTS is not set (a minimega checkout's tests/)");

/**
 * The language's acceptance: these pass unchanged. minimega's `namespace` test is run too (below) but not
 * listed: its .want still has the `already in namespace` errors minimega no longer prints (#1583).
 */
const PASSING = [
  'container_lifecycle',
  'history',
  'vm_config',
  'vlans',
  'vm_lifecycle',
  'vm_bad_names',
  'vm_tags',
  'vm_uuid',
  'vm_net',
  'builtins',
  'read_namespace',
  'plumbing_basic',
  'cc_filter',
  'vm_lifecycle_cc',
  'container_volumes',
  'cc',
  'vm_qos',
  'taps_lifecycle',
  'taps_namespace',
  'capture',
  'tap_mirror_vm',
  'plumbing_miniccc',
  'check',
  'cc_reconnect',
  'debug',
];

/**
 * scripts/minimega-tests.sh on `names`, through `nanomega test`, or through minimega's minitest when
 * `minitestBin` is given: a MINITEST in this process's environment must not switch the subtests that read
 * `nanomega test`'s diffs.
 */
function runScript(names: string[], minitestBin?: string) {
  return spawnSync(SCRIPT, names, { encoding: 'utf8', env: { ...process.env, MINIMEGA_TESTS: tests, MINITEST: minitestBin } });
}

/** The namespace test's only differences: errors minimega no longer prints on re-entering a namespace (#1583). */
const NAMESPACE_STALE = ['-E: already in namespace: ns3', '-E: already in namespace: minimega'];

describe("minimega's own tests through nanomega test", { skip }, () => {
  let pre: HostSnapshot;
  before(() => {
    pre = snapshot();
  });
  after(async () => {
    await assertNoLeaks(pre);
  });

  test('each passes unchanged (KVM launches become container launches on a busybox root)', () => {
    const r = runScript(PASSING);
    for (const t of PASSING) assert.match(r.stdout, new RegExp(`^PASS .*/${t}$`, 'm'), `${t}\n${r.stdout}`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test(
    "minimega's own minitest, over the daemon's minimega socket, gets the same verdicts (MINITEST)",
    { skip: minitest ? false : "MINITEST is not set (minimega's minitest binary)" },
    () => {
      // The same transcripts through minimega's client library (pkg/miniclient) instead of `nanomega test`:
      // each must render through the minimega socket exactly as the .want has it.
      const names = [...PASSING, 'namespace'];
      const r = runScript(names, minitest);
      for (const t of PASSING) assert.match(r.stdout, new RegExp(`^PASS .*/${t}$`, 'm'), `${t}\n${r.stdout}`);
      const changed = r.stdout.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l));
      assert.deepEqual(changed, NAMESPACE_STALE, r.stdout);
    },
  );

  test('file and file_glob differ only by the modified column minimega added to file list (#1469)', () => {
    const r = runScript(['file', 'file_glob']);
    const lines = r.stdout.split('\n');
    const got = lines
      .filter((l) => l.startsWith('+'))
      .map((l) =>
        l
          .slice(1)
          .replace(/\s*\|\s*(modified|\d{4}-\d\d-\d\dT\S+)$/, '')
          .trimEnd(),
      );
    const want = lines.filter((l) => l.startsWith('-')).map((l) => l.slice(1).trimEnd());
    assert.ok(want.length > 0, r.stdout);
    assert.deepEqual(got, want, r.stdout);
  });

  test('shell and cc_filter_vm_info differ only by what minimega has printed since: background ids (#1546), cc commands columns', () => {
    const r = runScript(['shell', 'cc_filter_vm_info']);
    const lines = r.stdout.split('\n');
    // cmd/minimega/shell.go: background answers with its id.
    // nanomega test reports them in name order: cc_filter_vm_info, then shell.
    const at = lines.findIndex((l) => /^FAIL .*\/shell$/.test(l));
    assert.ok(at > 0, r.stdout);
    const shell = lines.slice(at);
    assert.deepEqual(
      shell.filter((l) => /^[-+]/.test(l)),
      ['+Started background process with id 1'],
      r.stdout,
    );
    // cmd/minimega/cc_cli.go: `cc commands` gained the once and connectivity columns; without them each row is the .want's.
    const cells = (l: string) => l.slice(1).split(' | ');
    const cc = lines.slice(0, at);
    const added = cc.filter((l) => l.startsWith('+')).map(cells);
    const removed = cc.filter((l) => l.startsWith('-')).map(cells);
    assert.equal(added[0]![5]!.trim(), 'once', r.stdout);
    assert.equal(added[0]![8]!.trim(), 'connectivity', r.stdout);
    assert.ok(removed.length > 1, r.stdout);
    const drop = (c: string[]) => c.filter((_, i) => i !== 5 && i !== 8).map((x) => x.trim());
    assert.deepEqual(
      added.map(drop),
      removed.map((c) => c.map((x) => x.trim())),
      r.stdout,
    );
  });

  test("vm_config_save differs only by what minimega's vm config has printed since its .want was written", () => {
    const r = runScript(['vm_config_save']);
    const squeeze = (l: string) => l.slice(1).replace(/\s+/g, ' ').trim();
    const lines = r.stdout.split('\n');
    const removed = new Set(lines.filter((l) => l.startsWith('-')).map(squeeze));
    const added = lines.filter((l) => l.startsWith('+')).map(squeeze);
    assert.ok(added.length > 0, r.stdout);
    // The KVM block's lines moved (a longer label widens its tabwriter column) and `Volumes:` gained its
    // padding (cmd/minimega/container.go prints it as a cell): the same words, other spaces.
    for (const l of removed) assert.ok(added.includes(l), `${l}\n${r.stdout}`);
    // New since: Bonds (vmconfig.go), three KVM lines (kvm.go), the Android block (android_support.go).
    const fresh = new Set(added.filter((l) => !removed.has(l)));
    assert.deepEqual(
      [...fresh].sort(),
      [
        'ADB Path:',
        'AVD Dir:',
        'AVD Name:',
        'Android configuration:',
        'Bidirectional Copy Paste: false',
        'Bonds: []',
        'Console Base Port: 0',
        'Emulator Path:',
        'Extra Args: []',
        'No Window: true',
        'SDK Path:',
        'TPM Socket:',
        'Usb Use XHCI: true',
        'Writable System: false',
        '',
      ].sort(),
      r.stdout,
    );
  });

  test('the router tests differ only in what minirouter, which nanomega does not ship, does inside the VMs', () => {
    // Every line of the router language matches (the printing, the errors, the committed files); what
    // differs is the output of commands whose answer comes from minirouter running in the image:
    // addresses it sets (vm info ip), its dnsmasq (a DHCP lease, DNS answers) and bird (routes, pings,
    // and bash, which minimega's minirouterfs has and a busybox root does not).
    const expected: Record<string, string[]> = {
      router: ['.columns ip vm info', '.columns ip .filter name=vm1 vm info', 'cc response all raw'],
      router_static: [13, 14, 15, 16].map((n) => `cc responses ${n} raw`),
      router_ospf: [16, 17, 18, 19, 20, 21, 22, 23].map((n) => `cc responses ${n} raw`),
      router_bgp: [16, 17, 18, 19, 20, 21, 22].map((n) => `cc responses ${n} raw`),
    };
    const r = runScript(Object.keys(expected));
    const got: Record<string, Set<string>> = {};
    let want: string[] = [];
    let set = new Set<string>();
    let at = 0;
    /** The command whose output holds .want line `n` (1-based). */
    const commandAt = (n: number) =>
      want
        .slice(0, n)
        .reverse()
        .find((l) => l.startsWith('## '))
        ?.slice(3) ?? '';
    for (const line of r.stdout.split('\n')) {
      const fail = /^FAIL .*\/([a-z_]+)$/.exec(line);
      const hunk = /^@@ want line (\d+) @@$/.exec(line);
      if (fail) {
        want = readFileSync(join(tests!, `${fail[1]}.want`), 'utf8').split('\n');
        got[fail[1]!] = set = new Set();
      } else if (hunk) at = Number(hunk[1]);
      else if (line.startsWith('-')) set.add(commandAt(at++));
      else if (line.startsWith('+')) set.add(commandAt(at - 1));
      else if (line.startsWith(' ')) at++;
    }
    const sorted = (o: Record<string, Iterable<string>>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, [...v].sort()]));
    assert.deepEqual(sorted(got), sorted(expected), r.stdout);
  });

  test('namespace differs only by the errors minimega stopped printing (re-entering a namespace, #1583)', () => {
    const r = runScript(['namespace']);
    const changed = r.stdout.split('\n').filter((l) => /^[-+]/.test(l));
    assert.deepEqual(changed, NAMESPACE_STALE, r.stdout);
  });

  test('bridge_trunk differs only by its ovs-vsctl lines (and, on a kernel that cannot tag, the refused trunk)', () => {
    const r = runScript(['bridge_trunk']);
    const changed = r.stdout.split('\n').filter((l) => /^[-+]/.test(l));
    const noOvs = '+E: exec: "ovs-vsctl": executable file not found in $PATH';
    if (!changed.some((l) => l.includes('no 802.1Q VLAN devices'))) {
      assert.deepEqual(changed, [noOvs, '-minitest_tap0', noOvs], r.stdout);
      return;
    }
    // No CONFIG_VLAN_8021Q and no bridge VLAN filtering (our build machine): the trunk is refused, saying why.
    assert.deepEqual(
      changed,
      [
        '+E: bridge trunk: this kernel has no 802.1Q VLAN devices (CONFIG_VLAN_8021Q) and no bridge VLAN filtering: it cannot tag frames for minitest_tap0',
        '+[]',
        '-[minitest_tap0]',
        noOvs,
        '-minitest_tap0',
        '+E: unknown trunk: minitest_tap0',
        noOvs,
      ],
      r.stdout,
    );
  });
});
