// The router model and the minirouter file, without a VM: minimega's rules for addresses, the
// removals and their errors, the router ID choice, and the file's lines section by section.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routerConfigFile } from '../../../../engine/router/config-file.js';
import { atoi, atoiIgnoringError, ipBytes, isCidr, quote } from '../../../../engine/router/go-text.js';
import { Router } from '../../../../engine/router/model.js';
import { applyClear, applySetting } from '../../../../engine/router/routers.js';

const lines = (r: Router) => routerConfigFile(r).trimEnd().split('\n');

test('Go text: CIDR validity, 16-byte addresses, Atoi and %q as Go has them', () => {
  for (const ok of ['10.0.0.1/32', '0.0.0.0/0', '2001:db8::1/64', '::ffff:1.2.3.4/128']) assert.ok(isCidr(ok), ok);
  for (const bad of ['10.0.0.1', '10.0.0.1/33', '2001::1/129', '10.0.0.256/8', 'fe80::1%eth0/64', '1.2.3.4/ 8', 'dhcp', '1.2.3.4/-1'])
    assert.ok(!isCidr(bad), bad);
  assert.deepEqual([...ipBytes('1.2.3.4')!], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
  assert.deepEqual([...ipBytes('::ffff:1.2.3.4')!], [...ipBytes('1.2.3.4')!]);
  assert.deepEqual([...ipBytes('2001:db8::1')!], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal(ipBytes('1.2.3'), undefined);
  assert.equal(atoi('+7'), 7);
  assert.throws(() => atoi('x'), { message: 'strconv.Atoi: parsing "x": invalid syntax' });
  assert.throws(() => atoi('99999999999999999999'), /value out of range/);
  assert.equal(atoiIgnoringError('AS100'), '0');
  assert.equal(atoiIgnoringError('007'), '7');
  assert.equal(atoiIgnoringError('99999999999999999999'), '9223372036854775807');
  assert.equal(quote('cost'), '"cost"');
  assert.equal(quote('a "b"\\\t\x01é'), '"a \\"b\\"\\\\\\t\\x01é"');
});

test('interfaces: minimega’s checks and errors; a loopback is kept per index', () => {
  const r = new Router(2);
  r.interfaceAdd('0', '1.2.3.4/24', false);
  r.interfaceAdd('0', 'dhcp', false);
  assert.throws(() => r.interfaceAdd('0', 'dhcp', false), { message: 'IP dhcp already exists' });
  assert.throws(() => r.interfaceAdd('2', '1.1.1.1/8', false), { message: 'no such network index: 2' });
  assert.throws(() => r.interfaceAdd('-1', '1.1.1.1/8', false), { message: 'no such network index: -1' });
  assert.throws(() => r.interfaceAdd('x', '1.1.1.1/8', false), { message: 'invalid network: x : strconv.Atoi: parsing "x": invalid syntax' });
  assert.throws(() => r.interfaceAdd('1', '1.1.1.1', false), { message: 'invalid IP: 1.1.1.1' });
  assert.throws(() => r.interfaceAdd('5', 'dhcp', true), { message: 'Cannot put dhcp on loopback' });
  r.interfaceAdd('5', '10.0.0.1/32', true);
  assert.throws(() => r.interfaceAdd('6', '10.0.0.1/32', true), { message: 'IP 10.0.0.1/32 already exists' });
  r.interfaceAdd('5', '10.0.0.9/32', true);
  assert.deepEqual([...r.loopbacks], [[5, '10.0.0.9/32']]);
  assert.throws(() => r.interfaceDel('0', '1.2.3.4/16', false), { message: 'no such network: 1.2.3.4/16' });
  assert.throws(() => r.interfaceDel('0', 'nonsense', false), { message: 'invalid IP: nonsense' });
  assert.throws(() => r.interfaceDel('9', undefined, false), { message: 'no such network index: 9' });
  assert.throws(() => r.interfaceDel('x', undefined, false), { message: 'strconv.Atoi: parsing "x": invalid syntax' });
  r.interfaceDel('0', '1.2.3.4/24', false);
  assert.deepEqual(r.ips, [['dhcp'], []]);
  // The loopback of an index goes whatever address is named.
  r.interfaceDel('5', '1.1.1.1/32', true);
  assert.equal(r.loopbacks.size, 0);
});

test('removals of what is not there are minimega’s errors', () => {
  const r = new Router(1);
  const clear = (c: Parameters<typeof applyClear>[1]) => applyClear(r, c);
  assert.throws(() => clear({ kind: 'dhcp', listen: '1.2.3.4' }), { message: 'no such address: 1.2.3.4' });
  applySetting(r, { kind: 'dhcp', listen: '1.2.3.4', static: { mac: 'aa', ip: '1.2.3.5' } });
  assert.throws(() => clear({ kind: 'dhcp', listen: '1.2.3.4', what: 'static', mac: 'bb' }), { message: 'no such mac: bb' });
  assert.throws(() => clear({ kind: 'dns', ip: '9.9.9.9' }), { message: 'no such ip: 9.9.9.9' });
  assert.throws(() => clear({ kind: 'ra', subnet: '2001::' }), { message: 'no such subnet: 2001::' });
  assert.throws(() => clear({ kind: 'static', network: '1.0.0.0/8' }), { message: 'no such static route: 1.0.0.0/8' });
  assert.throws(() => clear({ kind: 'static', network: '1.0.0.0/8', name: 'set' }), { message: 'no such named static route: set' });
  applySetting(r, { kind: 'static', network: '2.0.0.0/8', nextHop: '0', name: 'set' });
  assert.throws(() => clear({ kind: 'static', network: '1.0.0.0/8', name: 'set' }), { message: 'no such network in named static route: 1.0.0.0/8' });
  assert.throws(() => clear({ kind: 'ospf', area: '0' }), { message: 'no such area: 0' });
  applySetting(r, { kind: 'ospf', area: '0', network: '0' });
  assert.throws(() => clear({ kind: 'ospf', area: '0', network: '1' }), { message: 'no such interface: 1' });
  assert.throws(() => clear({ kind: 'ospf', area: '0', filter: 'x' }), { message: 'no such filter: x' });
  assert.throws(() => clear({ kind: 'bgp', process: 'p' }), { message: 'no such bgp process: p' });
  assert.throws(() => applySetting(r, { kind: 'rid', id: '1.2.3' }), { message: 'invalid routerid: 1.2.3' });
  assert.throws(() => applySetting(r, { kind: 'fw' }), { message: 'firewall rules cannot be applied to minirouter containers' });
  assert.throws(() => applySetting(r, { kind: 'dns', ip: '1.1.1.1', hostname: 'a\nip flush' }), /may not hold a line break/);
  assert.equal(r.dns.size, 0);
  // `clear router VM ospf AREA` empties the area but keeps it.
  clear({ kind: 'ospf', area: '0' });
  assert.deepEqual([...r.ospf.keys()], ['0']);
});

test('the file: sections in order, addresses only after they change, no firewall', () => {
  const r = new Router(2);
  assert.deepEqual(lines(r), ['log level error', 'dnsmasq flush', 'route del default', 'dnsmasq commit', 'bird flush', 'bird routerid 0.0.0.0', 'bird commit']);
  applySetting(r, { kind: 'interface', network: '1', ip: '5.6.7.8/24', lo: false });
  applySetting(r, { kind: 'interface', network: '0', ip: '1.2.3.4/24', lo: false });
  applySetting(r, { kind: 'interface', network: '3', ip: '10.0.0.1/32', lo: true });
  applySetting(r, { kind: 'log', level: 'debug' });
  applySetting(r, { kind: 'dhcp', listen: '1.2.3.4', range: { low: '1.2.3.10', high: '1.2.3.20' } });
  applySetting(r, { kind: 'dhcp', listen: '1.2.3.4', router: '1.2.3.1' });
  applySetting(r, { kind: 'dhcp', listen: '1.2.3.4', dns: '8.8.8.8' });
  applySetting(r, { kind: 'dhcp', listen: '1.2.3.4', static: { mac: '00:11:22:33:44:55', ip: '1.2.3.9' } });
  applySetting(r, { kind: 'dhcp', listen: '5.6.7.8', router: '5.6.7.1' });
  applySetting(r, { kind: 'dns', ip: '1.1.1.1', hostname: 'one.example' });
  applySetting(r, { kind: 'dns', ip: '1.1.1.1', hostname: 'uno.example' });
  applySetting(r, { kind: 'upstream', ip: '9.9.9.9' });
  applySetting(r, { kind: 'gw', gw: '1.2.3.1' });
  applySetting(r, { kind: 'ra', subnet: '2001:1::' });
  applySetting(r, { kind: 'static', network: '0.0.0.0/0', nextHop: '1.2.3.1' });
  applySetting(r, { kind: 'static', network: '11.0.0.0/8', nextHop: '0', name: 'out' });
  applySetting(r, { kind: 'static', network: '12.0.0.0/8', nextHop: '5.6.7.9', name: 'out' });
  applySetting(r, { kind: 'ospf', area: '0', network: '1', option: 'cost', value: '5' });
  applySetting(r, { kind: 'ospf', area: '0', network: 'lo' });
  applySetting(r, { kind: 'ospf-export', area: '0', filter: 'out' });
  applySetting(r, { kind: 'bgp', process: 'up', side: 'local', ip: '5.6.7.8', as: '100' });
  applySetting(r, { kind: 'bgp', process: 'up', side: 'neighbor', ip: '5.6.7.9', as: '200' });
  applySetting(r, { kind: 'bgp-rrclient', process: 'up' });
  applySetting(r, { kind: 'bgp-export', process: 'up', all: true, filter: '0' });
  applySetting(r, { kind: 'bgp-export', process: 'up', all: false, filter: 'out' });
  assert.deepEqual(lines(r), [
    'log level debug',
    'ip flush',
    'ip add 0 1.2.3.4/24',
    'ip add 1 5.6.7.8/24',
    'ip add lo 10.0.0.1/32',
    'dnsmasq flush',
    'dnsmasq dhcp range 1.2.3.4 1.2.3.10 1.2.3.20',
    'dnsmasq dhcp option router 1.2.3.4 1.2.3.1',
    'dnsmasq dhcp option dns 1.2.3.4 8.8.8.8',
    'dnsmasq dhcp static 1.2.3.4 00:11:22:33:44:55 1.2.3.9',
    'dnsmasq dhcp option router 5.6.7.8 5.6.7.1',
    'dnsmasq dns 1.1.1.1 one.example',
    'dnsmasq dns 1.1.1.1 uno.example',
    'dnsmasq upstream 9.9.9.9',
    'route add default gw 1.2.3.1',
    'dnsmasq ra 2001:1::',
    'dnsmasq commit',
    'bird flush',
    'bird static 0.0.0.0/0 1.2.3.1 null',
    'bird static 11.0.0.0/8 null out',
    'bird static 12.0.0.0/8 5.6.7.9 out',
    'bird ospf 0 1',
    'bird ospf 0 1 "cost" "5"',
    'bird ospf 0 lo',
    'bird ospf 0 filter out',
    'bird bgp up local 5.6.7.8 100',
    'bird bgp up neighbor 5.6.7.9 200',
    'bird bgp up rrclient',
    'bird bgp up filter all',
    'bird bgp up filter out',
    'bird routerid 10.0.0.1',
    'bird commit',
  ]);
  // A commit clears the flag (routers.ts); unchanged addresses are then left alone.
  r.updateIps = false;
  assert.ok(!lines(r).some((l) => l.startsWith('ip ')));
  applySetting(r, { kind: 'interface', network: '1', ip: 'dhcp', lo: false });
  assert.deepEqual(lines(r).slice(1, 4), ['ip flush', 'ip add 0 1.2.3.4/24', 'ip add 1 5.6.7.8/24']);
});

test('router ID: set, else the highest loopback, else the highest NIC address; it sticks', () => {
  const r = new Router(2);
  r.interfaceAdd('0', '9.0.0.1/8', false);
  r.interfaceAdd('1', '10.0.0.1/8', false);
  r.interfaceAdd('1', 'dhcp', false);
  assert.equal(r.chooseRouterId(), '10.0.0.1');
  r.interfaceAdd('0', '11.0.0.1/8', false);
  assert.equal(r.chooseRouterId(), '10.0.0.1');
  applyClear(r, { kind: 'rid' });
  r.interfaceAdd('0', '1.1.1.1/32', true);
  assert.equal(r.chooseRouterId(), '1.1.1.1');
  applySetting(r, { kind: 'rid', id: '7.7.7.7' });
  assert.equal(r.chooseRouterId(), '7.7.7.7');
  // IPv6 sorts above every IPv4 address in net.ParseIP's 16 bytes.
  const six = new Router(1);
  six.interfaceAdd('0', '200.0.0.1/8', false);
  six.interfaceAdd('0', '2001:db8::1/64', false);
  assert.equal(six.chooseRouterId(), '2001:db8::1');
});

test('clear router VM keeps the log level, upstream and gateway; clear route keeps the rest', () => {
  const r = new Router(1);
  applySetting(r, { kind: 'log', level: 'info' });
  applySetting(r, { kind: 'upstream', ip: '9.9.9.9' });
  applySetting(r, { kind: 'gw', gw: '1.1.1.1' });
  applySetting(r, { kind: 'interface', network: '0', ip: '1.2.3.4/24', lo: false });
  applySetting(r, { kind: 'dns', ip: '1.1.1.1', hostname: 'a' });
  applySetting(r, { kind: 'static', network: '0.0.0.0/0', nextHop: '1.1.1.1' });
  applySetting(r, { kind: 'bgp', process: 'p', side: 'local', ip: '1.2.3.4', as: 'x' });
  assert.equal(r.bgp.get('p')!.localAs, '0');
  applyClear(r, { kind: 'route' });
  assert.equal(r.staticRoutes.size + r.bgp.size, 0);
  assert.equal(r.dns.size, 1);
  applyClear(r, { kind: 'all' });
  const info = r.info('vm', '');
  assert.deepEqual([info.ips, info.dns, info.logLevel, info.upstream, info.gateway], [[[]], [], 'info', '9.9.9.9', '1.1.1.1']);
});
