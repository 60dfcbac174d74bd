/**
 * THE contract between the engine daemon and its clients (CLI, Electron main, renderer, web bridge).
 * Types and constant name tables only; imports nothing at run time.
 */
import type {
  BridgeInfo,
  CaptureInfo,
  CaptureSpec,
  CommandResult,
  ConsoleData,
  ConsoleSession,
  HostStats,
  HostInfo,
  VmTopRow,
  LogChange,
  LogState,
  DebugInfo,
  ContainerConfig,
  ContainerId,
  CcClientInfo,
  CcCommandInfo,
  CcCommandSpec,
  CcFilter,
  CcProcessInfo,
  CcProgress,
  CcResponse,
  CcState,
  ClusterHost,
  HostContainers,
  HostResponse,
  ContainerInfo,
  ExecExitInfo,
  ExecOptions,
  ExecOutput,
  ExecResult,
  ExecSession,
  DnsmasqEntry,
  DnsmasqInfo,
  HostTapInfo,
  TapMirrorClear,
  TapMirrorInfo,
  TapMirrorRequest,
  FileChunk,
  NicCounters,
  NamespaceInfo,
  FileEntry,
  PipeChange,
  PipeInfo,
  QosOp,
  RouterClear,
  RouterInfo,
  RouterSetting,
  StatsSample,
  TapRequest,
  TopologyLayout,
  VmResult,
} from './types.js';
import type { WireError } from './errors.js';

/**
 * Request/response calls; the key is the wire name.
 *
 * Namespaces (minimega's `namespace`): calls that act on containers or `vm config` take an optional
 * `namespace` argument, at the position NAMESPACE_ARG gives. Given, names and `all` mean that
 * namespace's containers; omitted, `vm.info` and targets see every namespace (ids are global; a name in
 * two namespaces is refused) and launches and `vm config` use the default namespace, `minimega`.
 */
export interface Calls {
  /** The containers the engine knows (vm info): one namespace's, or every one. */
  'vm.info': { args: [namespace?: string]; result: ContainerInfo[] };
  /**
   * Launch containers. `names` is minimega's launch argument: a count ("3", named vm-<n> from the
   * namespace's counter) or a list/range ("foo[0-2],bar"). `config` defaults to the namespace's `vm config`.
   */
  'vm.launch': { args: [names: string, config?: ContainerConfig, namespace?: string]; result: VmResult[] };
  /** Targets: "all", names, ids, uuids, ranges and comma lists. */
  'vm.start': { args: [target: string, namespace?: string]; result: VmResult[] };
  'vm.stop': { args: [target: string, namespace?: string]; result: VmResult[] };
  'vm.kill': { args: [target: string, namespace?: string]; result: VmResult[] };
  /** Forget QUIT/ERROR containers (all of them when target is omitted or "all"). */
  'vm.flush': { args: [target?: string, namespace?: string]; result: VmResult[] };
  /** Set a tag on the targets. */
  'vm.tag': { args: [target: string, key: string, value: string, namespace?: string]; result: VmResult[] };
  /** Remove one tag (or, without a key, every tag) from the targets. */
  'vm.tag.clear': { args: [target: string, key?: string, namespace?: string]; result: VmResult[] };
  /** `vm net add TARGET NETSPEC...`: more NICs, live for live containers, in the config for the rest. */
  'vm.net.add': { args: [target: string, netspecs: string[], namespace?: string]; result: VmResult[] };
  /**
   * Move NIC `index` of the targets to `vlan` on `bridge` (default: its bridge; mega_bridge when it is
   * disconnected). Live containers (BUILDING included) change at once; QUIT/ERROR ones in their config.
   */
  'vm.net.connect': { args: [target: string, index: number, vlan: string, bridge?: string, namespace?: string]; result: VmResult[] };
  /** Take NIC `index` of the targets off its bridge; the veth stays so `vm.net.connect` can bring it back. */
  'vm.net.disconnect': { args: [target: string, index: number, namespace?: string]; result: VmResult[] };
  /** A namespace's VLAN aliases (`vlans`), without its `namespace//` prefix. */
  'net.vlans': { args: [namespace?: string]; result: { alias: string; vlan: number }[] };
  /** `vlans add ALIAS VLAN` (ALIAS may be `other//alias`). */
  'net.vlans.add': { args: [alias: string, vlan: number, namespace?: string]; result: void };
  /**
   * `vlans range [MIN MAX]`: set the range new aliases of the namespace come from, [min, max) (the
   * default namespace's is the global one); the range and next VLAN, null when the namespace has none.
   */
  'net.vlans.range': { args: [min?: number, max?: number, namespace?: string]; result: { min: number; max: number; next: number } | null };
  /** `vlans blacklist [VLAN]`: keep a VLAN from every namespace's aliases; the blacklisted VLANs. */
  'net.vlans.blacklist': { args: [vlan?: number]; result: number[] };
  /** `clear vlans [PREFIX]`: forget the namespace's aliases (PREFIX `all`: every alias, range and the blacklist). */
  'net.vlans.clear': { args: [prefix?: string, namespace?: string]; result: void };
  /** `bridge`: the bridges this engine manages (VLAN aliases as the namespace sees them). */
  'bridge.list': { args: [namespace?: string]; result: BridgeInfo[] };
  /** `bridge trunk BRIDGE IFACE`: IFACE carries every VLAN of BRIDGE tagged (802.1Q). */
  'bridge.trunk': { args: [bridge: string, iface: string]; result: void };
  /** `bridge notrunk BRIDGE IFACE`. */
  'bridge.notrunk': { args: [bridge: string, iface: string]; result: void };
  /** `bridge tunnel vxlan|gre BRIDGE REMOTE [KEY]`: the bridge's VLANs to another host's bridge (trunks-tunnel.ts). */
  'bridge.tunnel': { args: [kind: string, bridge: string, remote: string, key?: string]; result: void };
  /** `bridge notunnel BRIDGE IFACE`. */
  'bridge.notunnel': { args: [bridge: string, iface: string]; result: void };
  /** `bridge config BRIDGE K=V` (Open vSwitch only). */
  'bridge.config': { args: [bridge: string, setting: string]; result: void };
  /** `bridge destroy BRIDGE`: refused while container NICs or host taps are on it. */
  'bridge.destroy': { args: [bridge: string]; result: void };
  /** `tap create`: a host interface on a VLAN (an address, DHCP, or neither). */
  'tap.create': { args: [req: TapRequest, namespace?: string]; result: HostTapInfo };
  /** `tap delete NAME|all`. */
  'tap.delete': { args: [name: string, namespace?: string]; result: void };
  /** `tap`: the host taps. */
  'tap.list': { args: [namespace?: string]; result: HostTapInfo[] };
  /** `tap mirror`: copies of every frame crossing one bridge port sent out of another. */
  'tap.mirror': { args: [req: TapMirrorRequest, namespace?: string]; result: void };
  /** `clear tap mirror …`: by destination, by container NIC(s), or all of the namespace's. */
  'tap.mirror.clear': { args: [req: TapMirrorClear, namespace?: string]; result: void };
  /** The mirrors (of the namespace, when given). */
  'tap.mirrors': { args: [namespace?: string]; result: TapMirrorInfo[] };
  /** `dnsmasq start LISTEN LOW HIGH [CONFIG]` (LISTEN '' with CONFIG: the config file alone). */
  'dnsmasq.start': { args: [listen: string, low: string, high: string, config?: string]; result: DnsmasqInfo };
  /** `dnsmasq kill ID|all`. */
  'dnsmasq.kill': { args: [id: string]; result: void };
  /** `dnsmasq`: the running servers. */
  'dnsmasq.list': { args: []; result: DnsmasqInfo[] };
  /**
   * `dnsmasq configure ID|all ip|dns|upstream|options [ARGS…]`: with args adds an entry (result []),
   * without lists the entries.
   */
  'dnsmasq.configure': { args: [id: string, kind: 'ip' | 'dns' | 'upstream' | 'options', args: string[]]; result: DnsmasqEntry[] };
  /** `qos add`: link emulation on NIC `index` of the targets (tc netem/tbf on the host end). */
  'qos.add': { args: [target: string, index: number, op: QosOp, namespace?: string]; result: VmResult[] };
  /** `clear qos`: remove the qos of NIC `index` (every NIC when omitted) of the targets. */
  'qos.clear': { args: [target: string, index?: number, namespace?: string]; result: VmResult[] };
  /** `router VM`: a VM's router configuration (E_NOT_FOUND `vm X not a router` when it has none). */
  'router.show': { args: [vm: string, namespace?: string]; result: RouterInfo };
  /** `router VM …`: change a VM's router configuration (made on first change). */
  'router.set': { args: [vm: string, setting: RouterSetting, namespace?: string]; result: void };
  /** `clear router [VM [what]]`: every router of the namespace, one, or part of one (all of it without `what`). */
  'router.clear': { args: [vm?: string, what?: RouterClear, namespace?: string]; result: void };
  /** `router VM commit`: write the minirouter file and queue the cc commands that install it in the VM. */
  'router.commit': { args: [vm: string, namespace?: string]; result: void };
  /** Running captures and the most recent finished ones (newest last); with a namespace, only its captures. */
  'capture.list': { args: [namespace?: string]; result: CaptureInfo[] };
  /** Start a pcap capture; the reply comes once packets are being recorded. */
  'capture.start': { args: [spec: CaptureSpec, namespace?: string]; result: CaptureInfo };
  /** Stop captures (files closed whole); returns them as stopped. With a namespace, only its captures. */
  'capture.stop': { args: [ids: number[], namespace?: string]; result: CaptureInfo[] };
  /** Snapshot length and BPF filter of new captures (`capture pcap snaplen|filter`); returns the result. */
  /** The snap length and BPF filter of a namespace's new captures (the default namespace's without one). */
  'capture.config': { args: [change?: { snaplen?: number; filter?: string } | null, namespace?: string]; result: { snaplen: number; filter: string } };
  /** Read a capture's pcap file (running or finished) in chunks, for a download. */
  'capture.read': { args: [id: number, offset: number, length: number]; result: FileChunk };
  /** Byte counters of container NICs (null = every container), from the container's point of view. */
  'net.counters': { args: [ids: ContainerId[] | null]; result: NicCounters[] };
  /** The topology view's saved node positions for a namespace ('' = the default namespace). */
  'topology.layout.get': { args: [namespace: string]; result: TopologyLayout | null };
  'topology.layout.set': { args: [namespace: string, layout: TopologyLayout]; result: void };
  /**
   * `plumb A B …`: a pipeline of named pipes and host programs joined on their standard I/O (an element
   * whose first word is a program in the daemon's $PATH is that program); returns it as `plumb` lists it.
   */
  'plumb.add': { args: [elements: string[], namespace?: string]; result: string };
  /** `plumb`: the namespace's pipelines. */
  'plumb.list': { args: [namespace?: string]; result: string[] };
  /** `clear plumb [A B …]`: one pipeline, or every one of the namespace; their programs are killed. */
  'plumb.clear': { args: [elements?: string[], namespace?: string]; result: void };
  /** `pipe`: the namespace's named pipes. */
  'pipe.list': { args: [namespace?: string]; result: PipeInfo[] };
  /** `pipe NAME DATA`: write one message; resolves once the pipes fed from it have it. */
  'pipe.write': { args: [pipe: string, data: string, namespace?: string]; result: void };
  /** `pipe NAME mode|log|via …`. */
  'pipe.set': { args: [pipe: string, change: PipeChange, namespace?: string]; result: void };
  /** `clear pipe [NAME [mode|log|via]]`: reset a setting, delete a pipe, or every pipe of the namespace. */
  'pipe.clear': { args: [pipe?: string, what?: 'mode' | 'log' | 'via', namespace?: string]; result: void };
  /** `file list [PATH] [recursive]` in the files directory. */
  'file.list': { args: [path?: string, recursive?: boolean]; result: FileEntry[] };
  /** `file get FILE`: on one host, an error when nothing matches. */
  'file.get': { args: [path: string]; result: void };
  /** `file delete PATH`: files and directories (globs allowed); the files directory itself is emptied. */
  'file.delete': { args: [path: string]; result: void };
  /** `file stream FILE`: one part of a file of the files directory (no globs, no directories), for a download. */
  'file.read': { args: [path: string, offset: number, length: number]; result: FileChunk };
  /** `nanomega nuke`: kill every container, forget them all, remove every engine-made kernel object. */
  'engine.nuke': { args: []; result: void };
  /**
   * `quit [delay]`: after `delaySeconds` (0: once this reply is sent), tear down as `engine.nuke` does
   * (minimega's quit destroys every namespace, dnsmasq and bridge) and stop the daemon. The reply is
   * minimega's `quitting after N seconds`, or '' without a delay.
   */
  'engine.quit': { args: [delaySeconds: number]; result: string };
  /** A namespace's current `vm config` (the default namespace's when omitted). */
  'config.get': { args: [namespace?: string]; result: ContainerConfig };
  /** Every namespace, sorted by name. */
  'ns.list': { args: []; result: NamespaceInfo[] };
  /** Make a namespace (nothing happens when it exists); E_CONFIG for a bad name. */
  'ns.create': { args: [name: string]; result: NamespaceInfo };
  /**
   * `clear namespace NAME|all`: kill and forget its containers, free its VLAN aliases, pipes and cc
   * state, and forget it (the default namespace comes back empty).
   */
  'ns.destroy': { args: [name: string]; result: void };
  /** The namespace this connection's language session is in (`namespace NAME` changes it). */
  'ns.current': { args: []; result: string };
  /** Run one line of the minimega language in this connection's session. */
  'cli.exec': { args: [line: string]; result: CommandResult };
  /** Tab completion of a partial line: whole lines, as minimega's Suggest returns them. */
  'cli.suggest': { args: [line: string]; result: string[] };
  /** Recent stats samples of one container (oldest first, ≥ 10 minutes at 1 Hz). */
  'stats.series': { args: [id: ContainerId]; result: StatsSample[] };
  /** `vm top`: each live container of the namespace measured over `durationMs` (the call waits that long). */
  'vm.top': { args: [durationMs: number, namespace?: string]; result: VmTopRow[] };
  /** Recent host samples (oldest first). */
  'stats.host': { args: []; result: HostStats[] };
  /** `host`: minimega's figures of this machine (cpus, load, memory, traffic, what containers commit, uptime). */
  'host.info': { args: []; result: HostInfo };
  /** `args`: the daemon's command-line options, each with the value in use (a default when not given). */
  'engine.args': { args: []; result: Record<string, string> };
  /** `version`: this daemon's version (package.json's). */
  'engine.version': { args: []; result: string };
  /** `log …`: change where the daemon's log goes (no change: read it). */
  'log.config': { args: [change?: LogChange]; result: LogState };
  /** `log ring`: the ring's lines, oldest first. */
  'log.ring': { args: []; result: string[] };
  /** `debug`: the daemon's runtime, the number of its active handles, its heap. */
  'debug.info': { args: []; result: DebugInfo };
  /**
   * `debug memory|goroutine FILE`: a heap snapshot, or a diagnostic report (stacks and handles), written
   * to FILE (relative: in the files directory); the absolute path is returned.
   */
  'debug.write': { args: [what: 'memory' | 'goroutine', file: string]; result: string };
  /** `debug cpu start FILE` / `debug cpu stop`: profile the daemon's CPU into FILE (a .cpuprofile). */
  'debug.cpu': { args: [action: 'start' | 'stop', file?: string]; result: void };
  /**
   * Containers whose `stats.sample` events this connection wants (null = all). Events for
   * containers a client does not watch are not sent.
   */
  'stats.watch': { args: [ids: ContainerId[] | null]; result: void };
  /** Open a console stream: scrollback first, then live output as `console.data` events. */
  'console.open': { args: [id: ContainerId, cols?: number, rows?: number]; result: ConsoleSession };
  /** Keyboard input for the container. */
  'console.input': { args: [session: number, data: string]; result: void };
  /** The client has processed this many characters (flow control: pause > 100 000 unacked, resume < 5 000). */
  'console.ack': { args: [session: number, chars: number]; result: void };
  /** Set the pty window size; the container sees it (stty size, SIGWINCH). */
  'console.resize': { args: [session: number, cols: number, rows: number]; result: void };
  'console.close': { args: [session: number]; result: void };
  /**
   * `vm exec TARGET CMD…`: run argv in every RUNNING target container under its init's confinement,
   * wait, and return each one's output and exit status.
   */
  'vm.exec': { args: [target: string, argv: string[], opts?: ExecOptions, namespace?: string]; result: ExecResult[] };
  /** Start a streamed command in one RUNNING container (`nanomega exec`): exec.output, then exec.exit. */
  'exec.start': { args: [target: string, argv: string[], opts?: ExecOptions, namespace?: string]; result: ExecSession };
  /** Bytes (base64) for its stdin; resolves once the monitor's socket took them. */
  'exec.input': { args: [session: number, data: string]; result: void };
  /** Close its stdin (with a pty: ^D). */
  'exec.end': { args: [session: number]; result: void };
  'exec.signal': { args: [session: number, signal: number]; result: void };
  'exec.resize': { args: [session: number, cols: number, rows: number]; result: void };
  /** The client has processed this many bytes of output (paused above 1 MiB unacknowledged). */
  'exec.ack': { args: [session: number, bytes: number]; result: void };
  /** Kill the command and drop the stream. */
  'exec.close': { args: [session: number]; result: void };
  /** `vm console send`: keys (already decoded) for the targets' consoles. */
  'console.send': { args: [target: string, data: string, namespace?: string]; result: VmResult[] };
  /** `vm console expect`: wait until each target's console printed a match of the regex (since its last match). */
  'console.expect': { args: [target: string, regex: string, timeoutMs?: number, namespace?: string]; result: VmResult[] };
  /** `vm console screen`: one container's screen as text (a headless terminal fed from its console). */
  'console.screen': { args: [target: string, namespace?: string]; result: string };
  /** `vm console record`: keystrokes typed into the console go to FILE with their timing. */
  'console.record': { args: [target: string, file: string, namespace?: string]; result: void };
  /** `vm console stop`: end recording and playback. */
  'console.stop': { args: [target: string, namespace?: string]; result: VmResult[] };
  /** `vm console play`: replay a recording on the targets at once; resolves when they are done. */
  'console.play': { args: [target: string, file: string, namespace?: string]; result: VmResult[] };
  /** A namespace's cc filter, prefix and number of clients. */
  'cc.state': { args: [ns: string]; result: CcState };
  /** `cc filter …` (null: `clear cc filter`): what new commands are matched against. */
  'cc.filter': { args: [ns: string, filter: CcFilter | null]; result: void };
  'cc.prefix': { args: [ns: string, prefix: string]; result: void };
  /** Post a command (with the namespace's filter and prefix); durable before its id is returned. */
  'cc.command': { args: [ns: string, spec: CcCommandSpec]; result: number };
  'cc.commands': { args: [ns: string]; result: CcCommandInfo[] };
  'cc.clients': { args: [ns: string]; result: CcClientInfo[] };
  /** `cc responses ID|PREFIX|all [raw]`, as minimega prints them. */
  'cc.responses': { args: [ns: string, selector: string, raw?: boolean]; result: string };
  /** One client's response to one command. */
  'cc.response': { args: [ns: string, id: number, uuid: string]; result: CcResponse };
  'cc.exitcode': { args: [ns: string, id: number, vm: string]; result: number };
  /** `cc delete command|response ID|PREFIX|all`. */
  'cc.delete': { args: [ns: string, what: 'command' | 'response', selector: string]; result: void };
  /** `clear cc [commands|filter|prefix|responses]` (everything when omitted). */
  'cc.clear': { args: [ns: string, what?: 'commands' | 'filter' | 'prefix' | 'responses']; result: void };
  /** `cc process list VM|all`. */
  'cc.processes': { args: [ns: string, vm: string]; result: CcProcessInfo[] };
  /** The hosts of this daemon's cluster (up and down, the leader marked); [] when it runs alone. */
  'cluster.hosts': { args: []; result: ClusterHost[] };
  /** Every container of every namespace on the cluster's other hosts, by host ([] when alone). */
  'cluster.containers': { args: []; result: HostContainers[] };
  /**
   * Open the console of container `id` of `host` through its daemon: a session of this client like
   * console.open's (console.input/ack/resize/close and the console events use its number).
   */
  'cluster.console.open': { args: [host: string, id: ContainerId, cols?: number, rows?: number]; result: ConsoleSession };
  /**
   * Run one line of the language here only, in `namespace` (a peer daemon's fan-out: never fanned out
   * again), and return its responses unrendered.
   */
  'mesh.run': { args: [line: string, namespace: string]; result: HostResponse[] };
}

/** Pushed engine → client. */
export interface Events {
  'containers.changed': ContainerInfo[];
  'containers.removed': ContainerId[];
  'stats.sample': StatsSample[];
  'stats.host': HostStats;
  'console.data': ConsoleData;
  /** The stream ended (container exited, monitor gone, or the client was dropped). */
  'console.closed': { session: number; reason: string };
  'engine.log': { t: number; level: 'info' | 'warn' | 'error'; message: string };
  /** A capture started, stopped or ended by itself: the whole list (as capture.list). */
  'captures.changed': CaptureInfo[];
  'exec.output': ExecOutput;
  'exec.exit': ExecExitInfo;
  /** A client started, finished or failed a cc command. */
  'cc.progress': CcProgress;
  /** A namespace's cc commands changed (posted, deleted, responses counted). */
  'cc.changed': { ns: string };
  /** A namespace was made or destroyed, or another became active: the whole list (as ns.list). */
  'namespaces.changed': NamespaceInfo[];
}

export type CallName = keyof Calls;
export type EventName = keyof Events;
export type Result<T> = { ok: true; value: T } | { ok: false; error: WireError };

// Records force these lists to stay exhaustive when Calls/Events grow.
const CALLS: Record<CallName, true> = {
  'vm.info': true,
  'vm.launch': true,
  'vm.start': true,
  'vm.stop': true,
  'vm.kill': true,
  'vm.flush': true,
  'vm.tag': true,
  'vm.tag.clear': true,
  'vm.net.add': true,
  'vm.net.connect': true,
  'vm.net.disconnect': true,
  'net.vlans': true,
  'net.vlans.add': true,
  'net.vlans.range': true,
  'net.vlans.blacklist': true,
  'net.vlans.clear': true,
  'bridge.list': true,
  'bridge.trunk': true,
  'bridge.notrunk': true,
  'bridge.tunnel': true,
  'bridge.notunnel': true,
  'bridge.config': true,
  'bridge.destroy': true,
  'tap.create': true,
  'tap.delete': true,
  'tap.list': true,
  'tap.mirror': true,
  'tap.mirror.clear': true,
  'tap.mirrors': true,
  'dnsmasq.start': true,
  'dnsmasq.kill': true,
  'dnsmasq.list': true,
  'dnsmasq.configure': true,
  'qos.add': true,
  'qos.clear': true,
  'router.show': true,
  'router.set': true,
  'router.clear': true,
  'router.commit': true,
  'capture.list': true,
  'capture.start': true,
  'capture.stop': true,
  'capture.config': true,
  'capture.read': true,
  'net.counters': true,
  'topology.layout.get': true,
  'topology.layout.set': true,
  'plumb.add': true,
  'plumb.list': true,
  'plumb.clear': true,
  'pipe.list': true,
  'pipe.write': true,
  'pipe.set': true,
  'pipe.clear': true,
  'file.list': true,
  'file.get': true,
  'file.delete': true,
  'file.read': true,
  'engine.nuke': true,
  'engine.quit': true,
  'config.get': true,
  'ns.list': true,
  'ns.create': true,
  'ns.destroy': true,
  'ns.current': true,
  'cli.exec': true,
  'cli.suggest': true,
  'stats.series': true,
  'vm.top': true,
  'stats.host': true,
  'host.info': true,
  'engine.args': true,
  'engine.version': true,
  'log.config': true,
  'log.ring': true,
  'debug.info': true,
  'debug.write': true,
  'debug.cpu': true,
  'stats.watch': true,
  'console.open': true,
  'console.input': true,
  'console.ack': true,
  'console.resize': true,
  'console.close': true,
  'vm.exec': true,
  'exec.start': true,
  'exec.input': true,
  'exec.end': true,
  'exec.signal': true,
  'exec.resize': true,
  'exec.ack': true,
  'exec.close': true,
  'console.send': true,
  'console.expect': true,
  'console.screen': true,
  'console.record': true,
  'console.stop': true,
  'console.play': true,
  'cc.state': true,
  'cc.filter': true,
  'cc.prefix': true,
  'cc.command': true,
  'cc.commands': true,
  'cc.clients': true,
  'cc.responses': true,
  'cc.response': true,
  'cc.exitcode': true,
  'cc.delete': true,
  'cc.clear': true,
  'cc.processes': true,
  'cluster.hosts': true,
  'cluster.containers': true,
  'cluster.console.open': true,
  'mesh.run': true,
};
const EVENTS: Record<EventName, true> = {
  'containers.changed': true,
  'containers.removed': true,
  'stats.sample': true,
  'engine.log': true,
  'stats.host': true,
  'console.data': true,
  'console.closed': true,
  'captures.changed': true,
  'exec.output': true,
  'exec.exit': true,
  'cc.progress': true,
  'cc.changed': true,
  'namespaces.changed': true,
};
export const CALL_NAMES = Object.keys(CALLS) as readonly CallName[];

/**
 * The position of the optional `namespace` argument of calls that act in a namespace. A client bound to
 * a namespace (the language's commands) passes it there; the rest leave it out.
 */
export const NAMESPACE_ARG: Readonly<Partial<Record<CallName, number>>> = {
  'vm.top': 1,
  'vm.info': 0,
  'vm.launch': 2,
  'vm.start': 1,
  'vm.stop': 1,
  'vm.kill': 1,
  'vm.flush': 1,
  'vm.tag': 3,
  'vm.tag.clear': 2,
  'vm.net.add': 2,
  'vm.net.connect': 4,
  'vm.net.disconnect': 2,
  'net.vlans': 0,
  'net.vlans.add': 2,
  'net.vlans.range': 2,
  'net.vlans.clear': 1,
  'bridge.list': 0,
  'tap.create': 1,
  'tap.delete': 1,
  'tap.list': 0,
  'tap.mirror': 1,
  'tap.mirror.clear': 1,
  'tap.mirrors': 0,
  'console.send': 2,
  'console.expect': 3,
  'console.screen': 1,
  'console.record': 2,
  'console.stop': 1,
  'console.play': 2,
  'plumb.add': 1,
  'plumb.list': 0,
  'plumb.clear': 1,
  'pipe.list': 0,
  'pipe.write': 2,
  'pipe.set': 2,
  'pipe.clear': 2,
  'qos.add': 3,
  'qos.clear': 2,
  'router.show': 1,
  'router.set': 2,
  'router.clear': 2,
  'router.commit': 1,
  'capture.start': 1,
  'capture.list': 0,
  'capture.stop': 1,
  'capture.config': 1,
  'config.get': 0,
  'vm.exec': 3,
  'exec.start': 3,
};
export const EVENT_NAMES = Object.keys(EVENTS) as readonly EventName[];

/** What a client holds: the daemon socket client, Electron's preload and the web bridge all implement it. */
export interface EngineBridge {
  call<K extends CallName>(name: K, ...args: Calls[K]['args']): Promise<Calls[K]['result']>;
  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void;
}

/** How a client that answers plain Results exposes the contract (Electron preload → renderer: contextBridge keeps only plain data, so the page builds its EngineBridge with bridgeOf()). */
export interface EngineTransport {
  request(method: string, args: unknown[]): Promise<Result<unknown>>;
  on(name: string, listener: (payload: unknown) => void): () => void;
}
