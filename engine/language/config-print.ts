/**
 * `vm config` with no arguments: minimega's blocks (VM, KVM, Container, Android configuration), each
 * `Label:\tvalue` line laid out by Go's tabwriter and each block ended by a blank line, then nanomega's
 * own container settings when they are not the defaults; and the same configuration as data for `.json`.
 */
import { type VmConfig, goList } from '../config/field.js';
import { findField } from '../config/fields.js';
import { marshalMap } from '../config/go-values.js';
import { diskString } from '../config/specs.js';
import { tabwrite } from './tabwriter.js';

function block(title: string, rows: [string, string][]): string {
  return `${title}\n${tabwrite(rows.map(([k, v]) => `${k}\t${v}\n`).join(''))}\n`;
}

/** The printed configuration (minicli trims the trailing blank line when rendering). */
export function printConfig(v: VmConfig): string {
  const { c, x } = v;
  const k = x.kvm;
  const a = x.android;
  const volumes: [string, string][] = Object.keys(c.volumes)
    .sort()
    .map((key) => ['', `${key} -> ${c.volumes[key]}`]);
  return (
    block('VM configuration:', [
      ['Memory:', String(c.memory)],
      ['VCPUs:', String(c.vcpus)],
      ['Networks:', findField('networks').get(v)],
      ['Bonds:', findField('bonds').get(v)],
      ['Snapshot:', String(c.snapshot)],
      ['UUID:', c.uuid],
      ['Schedule host:', x.schedule],
      ['Coschedule limit:', String(x.coschedule)],
      ['Colocate:', x.colocate],
      ['Backchannel:', String(c.backchannel)],
      ['Tags:', marshalMap(c.tags)],
    ]) +
    block('KVM configuration:', [
      ['State Path:', k.state],
      ['Disks:', `[${k.disks.map(diskString).join(' ')}]`],
      ['CDROM Path:', k.cdrom],
      ['Kernel Path:', k.kernel],
      ['Initrd Path:', k.initrd],
      ['Kernel Append:', goList(k.append)],
      ['QEMU Path:', k.qemu],
      ['QEMU Append:', goList(k.qemuAppend)],
      ['Serial Ports:', String(k.serialPorts)],
      ['Virtio-Serial Ports:', k.virtioPorts],
      ['Machine:', k.machine],
      ['CPU:', k.cpu],
      ['Cores:', String(k.cores)],
      ['Threads:', String(k.threads)],
      ['Sockets:', String(k.sockets)],
      ['VGA:', k.vga],
      ['Usb Use XHCI:', String(k.usbUseXhci)],
      ['Bidirectional Copy Paste:', String(k.bidirectionalCopyPaste)],
      // minimega's label carries a space before the tab.
      ['TPM Socket: ', k.tpmSocket],
    ]) +
    block('Container configuration:', [
      ['Filesystem Path:', c.filesystem],
      ['Hostname:', c.hostname],
      ['Init:', goList(c.init)],
      ['Pre-init:', c.preinit],
      ['FIFOs:', String(c.fifos)],
      ['Volumes:', ''],
      ...volumes,
    ]) +
    block('Android configuration:', [
      ['SDK Path:', a.sdk],
      ['Emulator Path:', a.emulator],
      ['ADB Path:', a.adb],
      ['AVD Name:', a.avd],
      ['AVD Dir:', a.avdDir],
      ['No Window:', String(a.noWindow)],
      ['Console Base Port:', String(a.consoleBasePort)],
      ['Extra Args:', goList(a.extraArgs)],
      ['Writable System:', String(a.writableSystem)],
    ]) +
    nanomegaBlock(v)
  );
}

/**
 * nanomega's own container settings, printed only when one differs from its default, so that a default
 * configuration prints exactly minimega's blocks.
 */
function nanomegaBlock({ c }: VmConfig): string {
  const caps = c.caps ?? [];
  const seccomp = c.seccomp ?? true;
  const tun = c.tun ?? false;
  if (caps.length === 0 && seccomp && !tun) return '';
  return block('nanomega container configuration:', [
    ['Capabilities:', goList(caps)],
    ['Seccomp:', String(seccomp)],
    ['TUN:', String(tun)],
  ]);
}

/**
 * The configuration as minimega's VMConfig marshals to JSON (its embedded Base, KVM, Container and
 * Android configs flattened into one object), plus nanomega's settings.
 */
export function configData(v: VmConfig): Record<string, unknown> {
  const { c, x } = v;
  const k = x.kvm;
  const a = x.android;
  return {
    UUID: c.uuid,
    VCPUs: c.vcpus,
    Memory: c.memory,
    Snapshot: c.snapshot,
    Schedule: x.schedule,
    Colocate: x.colocate,
    Coschedule: x.coschedule,
    Backchannel: c.backchannel,
    Networks: c.net.map((n) => ({ ...n })),
    Bonds: x.bonds.map((b) => ({ Name: b.name, Mode: b.mode, LACP: b.lacp, Fallback: b.fallback, QinQ: b.qinq, Interfaces: b.interfaces })),
    Tags: { ...c.tags },
    QemuPath: k.qemu,
    KernelPath: k.kernel,
    InitrdPath: k.initrd,
    CdromPath: k.cdrom,
    MigratePath: k.state,
    CPU: k.cpu,
    Sockets: k.sockets,
    Cores: k.cores,
    Threads: k.threads,
    Machine: k.machine,
    SerialPorts: k.serialPorts,
    VirtioPorts: k.virtioPorts,
    Vga: k.vga,
    Append: k.append,
    Disks: k.disks.map((d) => ({ Path: d.path, Interface: d.iface, Cache: d.cache })),
    UsbUseXHCI: k.usbUseXhci,
    TpmSocketPath: k.tpmSocket,
    BidirectionalCopyPaste: k.bidirectionalCopyPaste,
    QemuAppend: k.qemuAppend,
    QemuOverride: k.qemuOverride.map((o) => ({ Match: o.match, Repl: o.replacement })),
    FilesystemPath: c.filesystem,
    Hostname: c.hostname,
    Init: c.init,
    Preinit: c.preinit,
    Fifos: c.fifos,
    VolumePaths: { ...c.volumes },
    SDKPath: a.sdk,
    EmulatorPath: a.emulator,
    ADBPath: a.adb,
    AVDName: a.avd,
    AVDDir: a.avdDir,
    NoWindow: a.noWindow,
    ConsoleBasePort: a.consoleBasePort,
    ExtraArgs: a.extraArgs,
    WritableSystem: a.writableSystem,
    Caps: c.caps ?? [],
    Seccomp: c.seccomp ?? true,
    Tun: c.tun ?? false,
  };
}
