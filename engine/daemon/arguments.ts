import type { CallName } from '../api/contract.js';
import { EngineError } from '../errors.js';

type Check = (v: unknown) => boolean;
/** Strings up to 4 MiB: a 1 MB `vm config` value must reach validation and get its error. */
const str: Check = (v) => typeof v === 'string' && v.length <= 4 << 20;
const int: Check = (v) => Number.isSafeInteger(v);
const optional =
  (c: Check): Check =>
  (v) =>
    v === undefined || v === null || c(v);
const obj: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

const bool: Check = (v) => typeof v === 'boolean';
/** TapRequest: vlan, and optional bridge, ip, dhcp, name. */
const tapRequest: Check = (v) => {
  if (!obj(v)) return false;
  const r = v as Record<string, unknown>;
  const known = ['vlan', 'bridge', 'ip', 'dhcp', 'name'];
  return (
    Object.keys(r).every((k) => known.includes(k)) &&
    str(r.vlan) &&
    optional(str)(r.bridge) &&
    optional(str)(r.ip) &&
    optional(bool)(r.dhcp) &&
    optional(str)(r.name)
  );
};

/** An object of string fields drawn from `keys`, the `required` ones present. */
const strFields =
  (keys: readonly string[], required: readonly string[] = []): Check =>
  (v) =>
    obj(v) &&
    Object.keys(v as object).every((k) => keys.includes(k)) &&
    Object.values(v as object).every((x) => x === undefined || x === null || str(x)) &&
    required.every((k) => str((v as Record<string, unknown>)[k]));
/** TapMirrorRequest: src, dst and bridge, or vm, index, vm2 and index2. */
const mirrorRequest: Check = (v) =>
  strFields(['src', 'dst', 'bridge'], ['src', 'dst'])(v) || strFields(['vm', 'index', 'vm2', 'index2'], ['vm', 'index', 'vm2', 'index2'])(v);
/** TapMirrorClear: an optional name, or vm and index. */
const mirrorClear: Check = (v) => strFields(['name'])(v) || strFields(['vm', 'index'], ['vm', 'index'])(v);

/** LogChange: each field of its type, nothing else. */
const logChange: Check = (v) => {
  if (!obj(v)) return false;
  const r = v as Record<string, unknown>;
  const known = ['level', 'stderr', 'file', 'ring', 'filter', 'clearFilters', 'syslog'];
  const syslog = (s: unknown) => strFields(['network', 'address'], ['network'])(s) && ['local', 'tcp', 'udp'].includes((s as { network: string }).network);
  return (
    Object.keys(r).every((k) => known.includes(k)) &&
    optional(str)(r.level) &&
    optional(bool)(r.stderr) &&
    optional(str)(r.file) &&
    optional(int)(r.ring) &&
    optional(str)(r.filter) &&
    optional(bool)(r.clearFilters) &&
    optional(syslog)(r.syslog)
  );
};

const strList =
  (max: number): Check =>
  (v) =>
    Array.isArray(v) && v.length <= max && v.every(str);
/** ExecOptions: tty, cols, rows, env, cwd, stdin. */
const execOptions: Check = (v) => {
  if (!obj(v)) return false;
  const r = v as Record<string, unknown>;
  const known = ['tty', 'cols', 'rows', 'env', 'cwd', 'stdin'];
  return (
    Object.keys(r).every((k) => known.includes(k)) &&
    optional(bool)(r.tty) &&
    optional(int)(r.cols) &&
    optional(int)(r.rows) &&
    optional(strList(4096))(r.env) &&
    optional(str)(r.cwd) &&
    optional(bool)(r.stdin)
  );
};

const strMap: Check = (v) => obj(v) && Object.values(v as object).every(str) && Object.keys(v as object).length <= 1024;
/** CcFilter: every field a string, tags a string map. */
const ccFilter: Check = (v) => {
  if (v === null) return true;
  if (!obj(v)) return false;
  const r = v as Record<string, unknown>;
  const fields = ['uuid', 'hostname', 'arch', 'os', 'ip', 'mac'];
  return Object.keys(r).every((k) => fields.includes(k) || k === 'tags') && fields.every((k) => str(r[k])) && strMap(r.tags);
};
/** CcCommandSpec by kind (the engine checks the contents). */
const ccSpec: Check = (v) => {
  if (!obj(v)) return false;
  const r = v as Record<string, unknown>;
  switch (r.kind) {
    case 'exec':
      return strList(4096)(r.command) && bool(r.background) && bool(r.once) && ['stdin', 'stdout', 'stderr'].every((k) => optional(str)(r[k]));
    case 'send':
    case 'recv':
      return strList(4096)(r.files);
    case 'kill':
      return int(r.pid);
    case 'killall':
      return str(r.name);
    default:
      return false;
  }
};
const oneOf =
  (...vs: string[]): Check =>
  (v) =>
    typeof v === 'string' && vs.includes(v);

/** PipeChange: mode, log, via. */
const pipeChange: Check = (v) => {
  if (!obj(v)) return false;
  const r = v as Record<string, unknown>;
  return Object.keys(r).every((k) => ['mode', 'log', 'via'].includes(k)) && optional(str)(r.mode) && optional(bool)(r.log) && optional(strList(4096))(r.via);
};

/** RouterSetting / RouterClear: a kind and string or boolean fields (dhcp's range and static: string pairs); the engine checks the rest. */
const routerOp: Check = (v) => {
  if (!obj(v) || !str((v as Record<string, unknown>).kind) || Object.keys(v as object).length > 8) return false;
  return Object.values(v as object).every((x) => x === undefined || x === null || str(x) || bool(x) || strFields(['low', 'high', 'mac', 'ip'])(x));
};

/** Argument shapes per call, checked at the boundary before a handler sees them (conmon bounds-checks too). */
const SHAPES: Record<CallName, Check[]> = {
  'vm.info': [optional(str)],
  'vm.launch': [str, optional(obj), optional(str)],
  'vm.start': [str, optional(str)],
  'vm.stop': [str, optional(str)],
  'vm.kill': [str, optional(str)],
  'vm.flush': [optional(str), optional(str)],
  'vm.tag': [str, str, str, optional(str)],
  'vm.tag.clear': [str, optional(str), optional(str)],
  'vm.net.add': [str, (v) => Array.isArray(v) && v.length <= 64 && v.every(str), optional(str)],
  'vm.net.connect': [str, int, str, optional(str), optional(str)],
  'vm.net.disconnect': [str, int, optional(str)],
  'net.vlans': [optional(str)],
  'net.vlans.add': [str, int, optional(str)],
  'net.vlans.range': [optional(int), optional(int), optional(str)],
  'net.vlans.blacklist': [optional(int)],
  'net.vlans.clear': [optional(str), optional(str)],
  'bridge.list': [optional(str)],
  'bridge.trunk': [str, str],
  'bridge.notrunk': [str, str],
  'bridge.tunnel': [str, str, str, optional(str)],
  'bridge.notunnel': [str, str],
  'bridge.config': [str, str],
  'bridge.destroy': [str],
  'tap.create': [tapRequest, optional(str)],
  'tap.delete': [str, optional(str)],
  'tap.list': [optional(str)],
  'tap.mirror': [mirrorRequest, optional(str)],
  'tap.mirror.clear': [mirrorClear, optional(str)],
  'tap.mirrors': [optional(str)],
  'dnsmasq.start': [str, str, str, optional(str)],
  'dnsmasq.kill': [str],
  'dnsmasq.list': [],
  'dnsmasq.configure': [str, (v) => v === 'ip' || v === 'dns' || v === 'upstream' || v === 'options', (v) => Array.isArray(v) && v.length <= 8 && v.every(str)],
  'qos.add': [str, int, obj, optional(str)],
  'qos.clear': [str, optional(int), optional(str)],
  'router.show': [str, optional(str)],
  'router.set': [str, routerOp, optional(str)],
  'router.clear': [optional(str), optional(routerOp), optional(str)],
  'router.commit': [str, optional(str)],
  'capture.list': [optional(str)],
  'capture.start': [obj, optional(str)],
  'capture.stop': [(v) => Array.isArray(v) && v.length <= 100_000 && v.every(int), optional(str)],
  'capture.config': [optional(obj), optional(str)],
  'capture.read': [int, int, int],
  'net.counters': [(v) => v === null || (Array.isArray(v) && v.length <= 100_000 && v.every(int))],
  'topology.layout.get': [str],
  'topology.layout.set': [str, obj],
  'plumb.add': [strList(256), optional(str)],
  'plumb.list': [optional(str)],
  'plumb.clear': [optional(strList(256)), optional(str)],
  'pipe.list': [optional(str)],
  'pipe.write': [str, str, optional(str)],
  'pipe.set': [str, pipeChange, optional(str)],
  'pipe.clear': [optional(str), optional(oneOf('mode', 'log', 'via')), optional(str)],
  'file.list': [optional(str), optional(bool)],
  'file.get': [str],
  'file.delete': [str],
  'file.read': [str, int, int],
  'engine.nuke': [],
  'engine.quit': [(v) => int(v) && (v as number) >= 0],
  'config.get': [optional(str)],
  'ns.list': [],
  'ns.create': [str],
  'ns.destroy': [str],
  'ns.current': [],
  'cli.exec': [str],
  'cli.suggest': [str],
  'stats.series': [int],
  'stats.host': [],
  'host.info': [],
  'vm.top': [int, optional(str)],
  'engine.version': [],
  'engine.args': [],
  'log.config': [optional(logChange)],
  'log.ring': [],
  'debug.info': [],
  'debug.write': [(v) => v === 'memory' || v === 'goroutine', str],
  'debug.cpu': [(v) => v === 'start' || v === 'stop', optional(str)],
  'stats.watch': [(v) => v === null || (Array.isArray(v) && v.length <= 100_000 && v.every(int))],
  'console.open': [int, optional(int), optional(int)],
  'console.input': [int, str],
  'console.ack': [int, int],
  'console.resize': [int, int, int],
  'console.close': [int],
  'vm.exec': [str, strList(4096), optional(execOptions), optional(str)],
  'exec.start': [str, strList(4096), optional(execOptions), optional(str)],
  'exec.input': [int, str],
  'exec.end': [int],
  'exec.signal': [int, int],
  'exec.resize': [int, int, int],
  'exec.ack': [int, int],
  'exec.close': [int],
  'console.send': [str, str, optional(str)],
  'console.expect': [str, str, optional(int), optional(str)],
  'console.screen': [str, optional(str)],
  'console.record': [str, str, optional(str)],
  'console.stop': [str, optional(str)],
  'console.play': [str, str, optional(str)],
  'cc.state': [str],
  'cc.filter': [str, ccFilter],
  'cc.prefix': [str, str],
  'cc.command': [str, ccSpec],
  'cc.commands': [str],
  'cc.clients': [str],
  'cc.responses': [str, str, optional(bool)],
  'cc.response': [str, int, str],
  'cc.exitcode': [str, int, str],
  'cc.delete': [str, oneOf('command', 'response'), str],
  'cc.clear': [str, optional(oneOf('commands', 'filter', 'prefix', 'responses'))],
  'cc.processes': [str, str],
  'cluster.hosts': [],
  'cluster.containers': [],
  'cluster.console.open': [str, int, optional(int), optional(int)],
  'mesh.run': [str, str],
};

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(SHAPES, name);
}

export function checkArgs(name: CallName, args: unknown): unknown[] {
  const shape = SHAPES[name];
  if (!Array.isArray(args) || args.length > shape.length) {
    throw new EngineError('E_PROTOCOL', `${name}: expected at most ${shape.length} arguments`);
  }
  shape.forEach((check, i) => {
    if (!check(args[i])) throw new EngineError('E_PROTOCOL', `${name}: argument ${i + 1} has the wrong type`, { index: i });
  });
  return args;
}
