/**
 * Data shapes shared by the daemon, the CLI, Electron's main process and the renderer.
 * Plain data only: everything here crosses a socket or a contextBridge as JSON.
 */

/** Numeric container id: starts at 0, never reused within a daemon's life (minimega). */
export type ContainerId = number;

/** minimega's states, printed exactly like this. */
export const VM_STATES = ['BUILDING', 'RUNNING', 'PAUSED', 'QUIT', 'ERROR'] as const;
export type VmState = (typeof VM_STATES)[number];

/** One NIC of `vm config networks` (`[bridge,]vlan[,mac][,driver][,qinq]`, engine/config/netspec.ts). */
export interface NetSpec {
  /** Bridge name; '' means the default bridge (mega_bridge). */
  bridge: string;
  /** VLAN as written by the user: a number ("101") or an alias ("LAN"). */
  vlan: string;
  /** MAC address; '' means generate one. */
  mac: string;
  /** Optional address to assign in the container, CIDR form ("10.0.0.5/24"); '' for none. */
  ip: string;
  /** qemu NIC model from a KVM netspec (`100,virtio-net-pci`); kept for the getter, containers ignore it. */
  driver?: string;
  /** QinQ (802.1ad tunnel port: the VLAN is the outer tag); Open vSwitch backend only. */
  qinq?: boolean;
}

/**
 * The fields of `vm config` that a container uses. Every field has minimega's meaning;
 * the doc comments double as CLI and GUI help.
 */
export interface ContainerConfig {
  /** Root filesystem directory; '' selects the built-in host filesystem. Overlay lower dir in snapshot mode. */
  filesystem: string;
  /** Hostname inside the container; '' means the container's name. */
  hostname: string;
  /** init argv, path absolute inside the rootfs. Default ["/init"]. */
  init: string[];
  /** Program run with full privileges before isolation completes; non-zero exit fails the launch. '' for none. */
  preinit: string;
  /** Number of host <inst>/fifoN ⇄ container /dev/fifos/fifoN pipes. */
  fifos: number;
  /** Bind mounts: container path → host path. */
  volumes: Record<string, string>;
  /** Memory limit in MB (cgroup). */
  memory: number;
  /** CPU quota in cores (vcpus × period). */
  vcpus: number;
  /** Run on an overlay (true) or directly on the filesystem directory (false). */
  snapshot: boolean;
  /** Fixed UUID; '' for a random one per container. */
  uuid: string;
  /** NICs, one veth each. */
  net: NetSpec[];
  /** Free-form labels copied to the container at launch. */
  tags: Record<string, string>;
  /** The container is a cc client while it runs (minimega's backchannel); false: cc never reaches it. */
  backchannel: boolean;
  /** Capabilities beyond Docker's default 14, by name (`NET_ADMIN`); absent = none. */
  caps?: string[];
  /** false: no seccomp filter and no no_new_privs (trusted containers only); absent = true. */
  seccomp?: boolean;
  /** true: create /dev/net/tun and allow it in the device policy; absent = false. */
  tun?: boolean;
  /** Size limit in bytes of the writable layer (snapshot mode); absent = 1 GiB. */
  diskSize?: number;
}

/** What `vm info` knows about one container. */
export interface ContainerInfo {
  id: ContainerId;
  name: string;
  /** The namespace the container belongs to (`minimega` is the default one); names are unique within it. */
  namespace: string;
  state: VmState;
  /** Always 'container'. */
  type: 'container';
  uuid: string;
  /** Host pid of the container's init (0 when not running). */
  pid: number;
  /** Epoch ms of the last launch or relaunch. */
  launchedAt: number;
  /** Config copied at launch (hostname resolved, uuid fixed). */
  config: ContainerConfig;
  /** Tags, starting from config.tags; `vm tag` edits these. */
  tags: Record<string, string>;
  /** Unix socket path of the console (shown in the console_port column). */
  console: string;
  /** Instance directory. */
  dir: string;
  /** RUNNING with `vm config backchannel` on: it takes cc commands (vm info cc_active). */
  ccActive?: boolean;
  /** Per-NIC runtime facts (same order as config.net). */
  nics: NicInfo[];
  /** Link emulation per NIC (`qos add`), NICs without any left out; absent = none. */
  qos?: NicQos[];
}

export interface NicInfo {
  vlan: string;
  vlanId: number;
  bridge: string;
  tap: string;
  mac: string;
  ip: string;
  ip6: string;
}

/**
 * Link emulation on one NIC (minimega `qos`), values as the user wrote them ("5", "100ms", "1mbit"):
 * a netem qdisc (loss and/or delay) or a tbf qdisc (rate) on the host end, never both — setting one
 * kind replaces the other, as in minimega.
 */
export interface QosSettings {
  /** Packet loss in percent, 0 ≤ loss < 100. */
  loss?: string;
  /** Added delay, a Go duration ("100ms", "1.5s"). */
  delay?: string;
  /** Rate with its unit: "<n>kbit", "<n>mbit" or "<n>gbit". */
  rate?: string;
}

/** The qos of NIC `index` of a container. */
export interface NicQos extends QosSettings {
  index: number;
}

/** One `qos add` constraint. */
export type QosOp = { type: 'loss'; percent: string } | { type: 'delay'; duration: string } | { type: 'rate'; bw: string; unit: 'kbit' | 'mbit' | 'gbit' };

/** What to capture: one NIC of a container, or everything crossing a bridge. */
export type CaptureSpec = { kind: 'vm'; vm: string; index: number; file: string } | { kind: 'bridge'; bridge: string; file: string };

/** A pcap capture (minimega `capture pcap`), running or finished. */
export interface CaptureInfo {
  id: number;
  kind: 'vm' | 'bridge';
  /** Bridge the captured interface is on (for a 'bridge' capture, the bridge itself). */
  bridge: string;
  /** The container and NIC index of a 'vm' capture. */
  vm?: { id: ContainerId; name: string; index: number };
  /** Kernel interface the packets are read from (mega_tapN, or the bridge device). */
  iface: string;
  /** The namespace it was started in (minimega keeps captures per namespace); absent: `minimega`. */
  namespace?: string;
  /** Absolute path of the pcap file (relative names are under <base>/files). */
  path: string;
  state: 'running' | 'stopped';
  /** Epoch ms. */
  startedAt: number;
  stoppedAt?: number;
  /** Why a capture ended by itself (its interface went away, tcpdump failed). */
  reason?: string;
  packets: number;
  bytes: number;
}

/** A chunk of a finished or running capture file. */
export interface FileChunk {
  /** Base64 of the bytes read. */
  data: string;
  offset: number;
  /** File size when read. */
  size: number;
  eof: boolean;
}

/** Node positions of a topology view, by node key; kept per namespace by the daemon. */
export interface TopologyLayout {
  /** Node key → position in graph coordinates. */
  positions: Record<string, { x: number; y: number }>;
  /** Epoch ms of the last save. */
  savedAt: number;
}

/** Result of a verb on one container of a target. */
export interface VmResult {
  id: ContainerId;
  name: string;
  /** Present when this container failed; the verb went on with the others. */
  error?: string;
}

/** One memory/cpu/pids sample of a container's cgroups. */
export interface StatsSample {
  id: ContainerId;
  /** Epoch ms. */
  t: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  oomKills: number;
  /** Cumulative cpu time in microseconds. */
  cpuUsec: number;
  pids: number;
}

/** Result of running one line of the minimega language. */
export interface CommandResult {
  /** Rendered output (may be ''), without a trailing newline. */
  output: string;
  /** Error messages, without the `E: ` prefix. */
  errors: string[];
  /**
   * When the command printed in several steps (`read` runs a script), each step on its own, in order;
   * `output` and `errors` above then hold them all together.
   */
  chunks?: { output: string; errors: string[] }[];
}

/** Host-wide figures for the host view and `vm top` totals. */
export interface HostStats {
  /** Epoch ms. */
  t: number;
  memoryTotalBytes: number;
  memoryUsedBytes: number;
  /** 1-minute load average. */
  load1: number;
  cpus: number;
  /** Host cpu busy fraction 0..1 over the last interval. */
  cpuBusy: number;
  /** Containers per state. */
  states: Record<VmState, number>;
}

/** minimega's log levels, least severe first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** `debug`: the daemon's runtime. */
export interface DebugInfo {
  /** `node v20.…`. */
  runtime: string;
  /** Active libuv handles and requests (sockets, timers, files being read …). */
  resources: number;
  /** V8 heap in use, bytes. */
  heapBytes: number;
}

/** Where the daemon's log goes (`log …`). */
export interface LogState {
  level: LogLevel;
  /** Lines go to the daemon's stderr (its log file when it runs in the background). */
  stderr: boolean;
  /** Absolute path of the log file; '' for none. */
  file: string;
  /** Size of the in-memory ring, null when none is kept. */
  ring: number | null;
  /** Lines containing any of these are dropped. */
  filters: string[];
  /** 'local', 'udp HOST:PORT', 'tcp HOST:PORT', or '' for none. */
  syslog: string;
}

/** One `log …` or `clear log …` change; null resets a setting (clear). */
export interface LogChange {
  level?: LogLevel | null;
  stderr?: boolean;
  file?: string | null;
  ring?: number | null;
  filter?: string;
  clearFilters?: boolean;
  syslog?: { network: 'local' | 'tcp' | 'udp'; address?: string } | null;
}

/** One container's row of `vm top`, measured over the command's window. */
export interface VmTopRow {
  id: ContainerId;
  name: string;
  /** Sums over its processes (at most 100) of their virtual, resident and shared memory. */
  virtBytes: number;
  resBytes: number;
  shrBytes: number;
  /** Host cpu used over the window, in cores (1 = one core busy). */
  cpu: number;
  /** Guest cpu (KVM only): 0 for a container. */
  vcpu: number;
  /** Total cpu time of its processes, whole seconds. */
  timeMs: number;
  procs: number;
  /** Traffic of its NICs' host ends over the window, MB/s. */
  rxMBps: number;
  txMBps: number;
}

/** minimega's `host` figures of this machine. */
export interface HostInfo {
  name: string;
  cpus: number;
  /** The three load averages ("0.31 0.28 0.24"). */
  load: string;
  memUsedMB: number;
  memTotalMB: number;
  /** Traffic through the bridge ports of containers and host taps, MB/s. */
  rxMBps: number;
  txMBps: number;
  /** Containers of every namespace, any state. */
  vms: number;
  vmLimit: number;
  androidVms: number;
  /** Sums over every container: vcpus, memory (MB), NICs. */
  cpuCommit: number;
  memCommit: number;
  netCommit: number;
  /** Since the machine booted (/proc/uptime). */
  uptimeMs: number;
}

/** Per-NIC byte counters seen from the container's side. */
export interface NicCounters {
  id: ContainerId;
  index: number;
  rxBytes: number;
  txBytes: number;
}

/** A console stream opened by one client (one per terminal/window). */
export interface ConsoleSession {
  session: number;
  id: ContainerId;
  cols: number;
  rows: number;
}

/** A batch of console output: UTF-8 text, never split inside a character. */
export interface ConsoleData {
  session: number;
  data: string;
}

/** `tap create VLAN [bridge BRIDGE] [ip IP/LEN | dhcp] [NAME]`. */
export interface TapRequest {
  /** A number 0-4095 or an alias ("LAN"). */
  vlan: string;
  /** '' or absent: the default bridge. */
  bridge?: string;
  /** Address for the host end, `a.b.c.d/len` (a bare address is a /32) or IPv6. */
  ip?: string;
  /** Get the address from the VLAN's DHCP server instead. */
  dhcp?: boolean;
  /** Interface name; absent: the next `mega_tapN`. */
  name?: string;
}

/** A host tap: the host's own interface on an experiment VLAN (minimega's `tap`). */
/** One row of `bridge`: a bridge this engine manages, in minimega's columns. */
export interface BridgeInfo {
  name: string;
  /** A kernel (or OVS) bridge of that name existed and was not made by this engine. */
  preexisting: boolean;
  /** VLANs with container NICs or host taps on it, as minimega prints them (`LAN (101)`), sorted as text. */
  vlans: string[];
  /** Interfaces carrying every VLAN of it tagged (`bridge trunk`). */
  trunks: string[];
  tunnels: string[];
  bonds: string[];
  /** `bridge config` settings (Open vSwitch only). */
  config: Record<string, string>;
}

export interface HostTapInfo {
  name: string;
  /** The namespace it was made in (its VLAN alias is that namespace's); absent: the default one. */
  namespace?: string;
  bridge: string;
  /** As written ("LAN", "5"). */
  vlan: string;
  vlanId: number;
  /** Address given with `ip`, as written; '' for none or DHCP. */
  ip: string;
  dhcp: boolean;
}

/**
 * `tap mirror`: by tap names (a container NIC's host end or a host tap, on BRIDGE, the default bridge
 * when absent), or by container and NIC index (minimega's vm->vm form; indices as typed, checked by
 * the engine in minimega's words).
 */
export type TapMirrorRequest = { src: string; dst: string; bridge?: string } | { vm: string; index: string; vm2: string; index2: string };

/** `clear tap mirror [NAME]` (no name: all of the namespace's) or `clear tap mirror VM INDEX|all`. */
export type TapMirrorClear = { name?: string } | { vm: string; index: string };

/** A mirror: every frame crossing `src` is also sent out of `dst`. */
export interface TapMirrorInfo {
  namespace: string;
  bridge: string;
  src: string;
  dst: string;
}

/** A DHCP/DNS server of `dnsmasq start` (minimega's `dnsmasq` list). */
export interface DnsmasqInfo {
  id: number;
  /** LISTEN ('' when started from a config file only). */
  address: string;
  min: string;
  max: string;
  /** The server's directory (pid, leases, log, config). */
  path: string;
  /** 0 when it is not running. */
  pid: number;
  /** The host tap it serves ('' with a config file only). */
  interface: string;
  /** The extra config file, '' for none. */
  config: string;
}

/** One entry of `dnsmasq configure ID ip|dns|upstream|options`: mac→ip, ip→hostname, or a value alone (key ''). */
export interface DnsmasqEntry {
  id: number;
  key: string;
  value: string;
}

/** How `vm exec` / `nanomega exec` run a command inside a RUNNING container. */
export interface ExecOptions {
  /** A new pty of the container (stdin/stdout/stderr); output then comes as stdout only. */
  tty?: boolean;
  cols?: number;
  rows?: number;
  /** KEY=VALUE on top of init's environment. */
  env?: string[];
  /** Working directory inside the container (resolved inside its root); default "/". */
  cwd?: string;
  /** false: the command reads an empty stdin. Streams (exec.start) default to true. */
  stdin?: boolean;
}

/** A streamed command started by exec.start; its output comes as exec.output events. */
export interface ExecSession {
  session: number;
  id: ContainerId;
  name: string;
}

/** One container's outcome of `vm exec`. */
export interface ExecResult {
  id: ContainerId;
  name: string;
  /** Exit status, when the command exited. */
  code?: number;
  /** The signal that killed it. */
  signal?: number;
  stdout: string;
  stderr: string;
  /** The command could not run there (not RUNNING, not found, …). */
  error?: string;
}

/** Output of a streamed command: base64, in order; acknowledge with exec.ack. */
export interface ExecOutput {
  session: number;
  stream: 'stdout' | 'stderr';
  data: string;
}

/** The end of a streamed command: exit status, the killing signal, or why it could not run. */
export interface ExecExitInfo {
  session: number;
  code?: number;
  signal?: number;
  error?: string;
}

/** minimega's cc filter (ron.Filter): every set field must match; tags also match `vm info` columns. */
export interface CcFilter {
  uuid: string;
  hostname: string;
  arch: string;
  os: string;
  ip: string;
  mac: string;
  tags: Record<string, string>;
}

/** What a cc command does on each client (ron.Command, minus what containers do not have). */
export type CcCommandSpec =
  | {
      kind: 'exec';
      command: string[];
      background: boolean;
      once: boolean;
      /** Named pipes (`ns//name`) its stdin reads from and its stdout/stderr lines go to (`cc exec stdout=p …`). */
      stdin?: string;
      stdout?: string;
      stderr?: string;
    }
  | { kind: 'send'; files: string[] }
  | { kind: 'recv'; files: string[] }
  /** `cc process kill PID` (-1: all of this client's cc processes). */
  | { kind: 'kill'; pid: number }
  /** `cc process killall NAME`: every cc process whose command line contains NAME. */
  | { kind: 'killall'; name: string };

/** One cc command as `cc commands` shows it. */
export interface CcCommandInfo {
  id: number;
  prefix: string;
  spec: CcCommandSpec;
  filter: CcFilter | null;
  /** UUIDs of the clients that responded, in order. */
  checkedIn: string[];
  /** Epoch ms. */
  createdAt: number;
}

/** A container that can take cc commands (RUNNING, backchannel on). */
export interface CcClientInfo {
  uuid: string;
  name: string;
  hostname: string;
  arch: string;
  os: string;
  ip: string[];
  mac: string[];
}

/** A process a `cc background` command started, still running. */
export interface CcProcessInfo {
  name: string;
  uuid: string;
  /** Its pid inside the container. */
  pid: number;
  command: string[];
}

/** One client's progress on one command (the GUI's per-container view). */
export interface CcProgress {
  ns: string;
  id: number;
  uuid: string;
  name: string;
  state: 'running' | 'done' | 'failed';
  code?: number;
  error?: string;
}

/** One client's response to one command. */
export interface CcResponse {
  uuid: string;
  name: string;
  stdout: string;
  stderr: string;
  code?: number;
}

/** The state of a namespace's cc: its filter, prefix and number of clients. */
export interface CcState {
  filter: CcFilter | null;
  prefix: string;
  clients: number;
}

/** One namespace (minimega's `namespace` table, plus what a GUI shows). */
export interface NamespaceInfo {
  name: string;
  /** Containers in it. */
  vms: number;
  /** `vlans range` of the namespace as minimega prints it (`101-4096`), '' when it has none. */
  vlans: string;
  /** The namespace new sessions start in (the last one a session switched to). */
  active: boolean;
  /** Hosts its containers are scheduled on (`ns hosts`). */
  hosts: string[];
  /** `ns queueing`. */
  queueing: boolean;
}

/** One row of `file list`: a file or directory under the files directory. */
export interface FileEntry {
  dir: boolean;
  /** Path relative to the files directory. */
  name: string;
  size: number;
  /** Last modification, epoch ms. */
  modified: number;
}

/** How a named pipe delivers a message: to every reader, to the next in turn, or to one at random. */
export type PipeMode = 'all' | 'round-robin' | 'random';

/** One named pipe (minimega's `pipe` table). */
export interface PipeInfo {
  /** `namespace//name`. */
  name: string;
  mode: PipeMode;
  readers: number;
  writers: number;
  /** Messages written to it. */
  count: number;
  /** The via program as typed ('' for none). */
  via: string;
  /** The last message written (white space trimmed). */
  previous: string;
}

/** `pipe NAME mode|log|via …`: what to change. */
export interface PipeChange {
  mode?: PipeMode;
  log?: boolean;
  via?: string[];
}

/** One host of a cluster (`nanomega serve --cluster`): its registration in etcd and its load. */
export interface ClusterHost {
  name: string;
  /** `host:port` of its daemon API (mutual TLS). */
  api: string;
  /** Its underlay address: VXLAN tunnels of cross-host VLANs end here. */
  address: string;
  /** MTU of the underlay interface behind `address`. */
  mtu: number;
  cpus: number;
  memoryMB: number;
  memoryUsedMB: number;
  /** 1-minute load average. */
  load1: number;
  /** Containers alive on it (BUILDING, RUNNING, PAUSED). */
  containers: number;
  /** Sums over its live containers: vcpus, memory (MB), NICs (minimega's cpucommit, memcommit, netcommit). */
  cpuCommit: number;
  memCommit: number;
  netCommit: number;
  /** Epoch ms: when its daemon started, and of this record. */
  startedAt: number;
  updatedAt: number;
  /** False when its lease expired (the daemon is gone); its containers show as UNKNOWN then. */
  up: boolean;
  /** It is the elected scheduler. */
  leader: boolean;
  /** It is the host of the daemon that answered. */
  self?: boolean;
}

/** One host's answer to a command of the language run there (`mesh.run`): minicli's Response, unrendered. */
/** The containers of one other host of the cluster (`cluster.containers`). */
export interface HostContainers {
  host: string;
  /** False when its daemon is down: `vms` is what it last reported, in state UNKNOWN. */
  up: boolean;
  vms: ContainerInfo[];
}

export interface HostResponse {
  host: string;
  header?: string[];
  rows?: string[][];
  hidden?: string[];
  text?: string;
  errors: string[];
  data?: unknown;
}

/**
 * One change to a router's configuration (minimega's `router VM …`): the kind names the sub-command,
 * the other fields are its words as typed (the engine checks them with minimega's errors).
 */
export type RouterSetting =
  | { kind: 'rid'; id: string }
  | { kind: 'log'; level: string }
  | { kind: 'interface'; network: string; ip: string; lo: boolean }
  | { kind: 'dhcp'; listen: string; range: { low: string; high: string } }
  | { kind: 'dhcp'; listen: string; router: string }
  | { kind: 'dhcp'; listen: string; dns: string }
  | { kind: 'dhcp'; listen: string; static: { mac: string; ip: string } }
  | { kind: 'dns'; ip: string; hostname: string }
  | { kind: 'upstream'; ip: string }
  | { kind: 'gw'; gw: string }
  | { kind: 'ra'; subnet: string }
  | { kind: 'static'; network: string; nextHop: string; name?: string }
  | { kind: 'ospf'; area: string; network: string; option?: string; value?: string }
  | { kind: 'ospf-export'; area: string; filter: string }
  | { kind: 'bgp'; process: string; side: 'local' | 'neighbor'; ip: string; as: string }
  | { kind: 'bgp-rrclient'; process: string }
  | { kind: 'bgp-export'; process: string; all: boolean; filter: string }
  /** Firewall rules: minimega refuses them on container routers. */
  | { kind: 'fw' };

/** What `clear router VM …` removes (minimega's sub-trees); fields left out mean "all of it". */
export type RouterClear =
  | { kind: 'all' }
  | { kind: 'rid' }
  | { kind: 'interface'; network?: string; ip?: string; lo: boolean }
  | { kind: 'dhcp'; listen?: string; what?: 'range' | 'router' | 'dns' | 'static'; mac?: string }
  | { kind: 'dns'; ip?: string }
  | { kind: 'upstream' }
  | { kind: 'gw' }
  | { kind: 'ra'; subnet?: string }
  | { kind: 'route' }
  | { kind: 'static'; network?: string; name?: string }
  | { kind: 'namedstatic' }
  | { kind: 'ospf'; area?: string; network?: string; filter?: string }
  | { kind: 'bgp'; process: string; what?: 'rrclient' | 'local' | 'neighbor' }
  | { kind: 'fw' };

/** A router's configuration as `router VM` shows it (lists in minimega's printing order). */
export interface RouterInfo {
  vm: string;
  /** Addresses (CIDR or `dhcp`) per NIC index. */
  ips: string[][];
  /** Loopback addresses by the index they were given with. */
  loopbacks: { index: number; ip: string }[];
  logLevel: string;
  dhcp: { listen: string; low: string; high: string; router: string; dns: string; statics: { mac: string; ip: string }[] }[];
  dns: { ip: string; hosts: string[] }[];
  upstream: string;
  gateway: string;
  /** Subnets with router advertisements. */
  ra: string[];
  staticRoutes: { network: string; nextHop: string }[];
  /** Named static route sets; a next hop '' is a route without one. */
  namedRoutes: { name: string; routes: { network: string; nextHop: string }[] }[];
  ospf: { area: string; interfaces: { network: string; options: { option: string; value: string }[] }[]; exports: string[] }[];
  bgp: {
    process: string;
    localIp: string;
    localAs: string;
    neighborIp: string;
    neighborAs: string;
    routeReflector: boolean;
    exports: string[];
  }[];
  /** 0.0.0.0 until set with `rid` or chosen by a commit. */
  routerId: string;
  /** The VM's `minirouter_log` tag (minirouter reports there). */
  log: string;
}
