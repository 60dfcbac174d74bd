import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addSetting,
  dhcpHostsText,
  dnsmasqArgv,
  dnsmasqFiles,
  emptySettings,
  hostsText,
  optsText,
  parseLeases,
  resolvText,
  settingRows,
} from '../../../../engine/dhcp/dnsmasq-config.js';

test('argv: our pid, lease, log and watched dirs; bound to the one tap; no /etc/dnsmasq.conf', () => {
  const f = dnsmasqFiles('/b/dnsmasq/3');
  const argv = dnsmasqArgv(f, { listen: '10.0.0.1', low: '10.0.0.10', high: '10.0.0.20', iface: 'mega_tap0', rangeSize: 11, config: '' });
  assert.equal(argv[0], 'dnsmasq');
  assert.equal(argv[1], '--conf-file=/dev/null');
  for (const a of [
    '--pid-file=/b/dnsmasq/3/dnsmasq.pid',
    '--user=root',
    '--dhcp-leasefile=/b/dnsmasq/3/dnsmasq.leases',
    '--hostsdir=/b/dnsmasq/3/hostdir',
    '--dhcp-hostsdir=/b/dnsmasq/3/dhcpdir',
    '--dhcp-optsdir=/b/dnsmasq/3/dhcpoptsdir',
    '--resolv-file=/b/dnsmasq/3/resolv.conf',
    '--interface=mega_tap0',
    '--bind-interfaces',
    '--listen-address=10.0.0.1',
    '--dhcp-range=10.0.0.10,10.0.0.20',
  ])
    assert.ok(argv.includes(a), a);
  const withConfig = dnsmasqArgv(f, { listen: '', low: '', high: '', iface: '', rangeSize: 0, config: '/etc/lab.conf' });
  assert.ok(withConfig.includes('--conf-file=/etc/lab.conf') && !withConfig.some((a) => a.startsWith('--interface')));
});

test('configure additions are checked and written in the formats dnsmasq reads', () => {
  const s = emptySettings();
  addSetting(s, 'ip', ['02:00:00:00:00:AA', '10.0.0.5']);
  addSetting(s, 'dns', ['10.0.0.5', 'web.lab']);
  addSetting(s, 'upstream', ['1.1.1.1']);
  addSetting(s, 'options', ['option:dns-server,10.0.0.1']);
  assert.equal(dhcpHostsText(s), '02:00:00:00:00:aa,10.0.0.5\n');
  assert.equal(hostsText(s), '10.0.0.5\tweb.lab\n');
  assert.equal(resolvText(s), 'nameserver 1.1.1.1\n');
  assert.equal(optsText(s), 'option:dns-server,10.0.0.1\n');
  assert.deepEqual(settingRows(s, 'ip'), [['02:00:00:00:00:aa', '10.0.0.5']]);
  assert.deepEqual(settingRows(s, 'upstream'), [['', '1.1.1.1']]);
  const bad: [Parameters<typeof addSetting>[1], string[], RegExp][] = [
    ['ip', ['zz:zz:zz:zz:zz:zz', '10.0.0.5'], /`zz:zz:zz:zz:zz:zz`/],
    ['ip', ['02:00:00:00:00:01', '10.0.0.500'], /`10.0.0.500`/],
    ['ip', ['02:00:00:00:00:01'], /want <mac address> <ip>/],
    ['dns', ['10.0.0.5', 'bad name'], /`bad name`/],
    ['dns', ['10.0.0.5', 'evil\n10.0.0.6 x'], /hostname/],
    ['upstream', ['not-an-ip'], /not-an-ip/],
    ['options', ['two\nlines'], /dhcp option/],
  ];
  for (const [kind, args, re] of bad) assert.throws(() => addSetting(s, kind, args), re, `${kind} ${args.join(' ')}`);
  assert.equal(Object.keys(s.hosts).length, 1, 'refused additions change nothing');
});

test('leases: MAC to address, the latest expiry wins, junk skipped', () => {
  const text = '1700000000 02:00:00:00:00:01 10.0.0.11 a *\n1800000000 02:00:00:00:00:01 10.0.0.12 a *\n0 02:00:00:00:00:02 10.0.0.13 * *\ngarbage\n';
  const l = parseLeases(text);
  assert.equal(l.get('02:00:00:00:00:01')!.ip, '10.0.0.12');
  assert.equal(l.get('02:00:00:00:00:02')!.expiry, Infinity);
  assert.equal(l.size, 2);
});
