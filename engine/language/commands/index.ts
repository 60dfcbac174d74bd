/** Every verb of the language. A new verb is one file plus one line here. */
import type { CliCommand } from '../deps.js';
import { shell } from './shell.js';
import { clearVmConfig, vmConfig } from './vm-config.js';
import { vmInfo } from './vm-info.js';
import { vmFlush, vmKill, vmLaunch, vmStart, vmStop } from './vm-lifecycle.js';
import { vmTag } from './vm-tag.js';
import { vmTop } from './top.js';
import { vmStats } from './stats.js';
import { vlans, vmNetConnect, vmNetDisconnect } from './net.js';
import { clearTap, tap } from './tap.js';
import { dnsmasq, dnsmasqConfigure } from './dnsmasq.js';
import { clearQos, qosAdd } from './qos.js';
import { capture, clearCapture } from './capture.js';

export const COMMANDS: readonly CliCommand[] = [
  vmLaunch, vmStart, vmStop, vmKill, vmFlush, vmInfo, vmTag, vmConfig, clearVmConfig, shell,
  vmTop,
  vmStats,
  vlans, vmNetConnect, vmNetDisconnect,
  tap, clearTap,
  dnsmasq, dnsmasqConfigure,
  qosAdd, clearQos, capture, clearCapture,
];

/** The command whose words start `words`, preferring the longest match. */
export function findCommand(words: readonly string[], commands: readonly CliCommand[] = COMMANDS): CliCommand | undefined {
  let best: CliCommand | undefined;
  for (const c of commands) {
    if (c.words.length <= words.length && c.words.every((w, i) => words[i] === w)) {
      if (!best || c.words.length > best.words.length) best = c;
    }
  }
  return best;
}
