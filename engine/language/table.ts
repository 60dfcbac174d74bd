/**
 * THE command table: every handler of the language. It drives matching (compile.ts), `help`, completion
 * (`suggest`) and the README's language section (scripts/language-doc.js), so they cannot disagree.
 * A new verb is a handler in commands/ and one entry here.
 */
import type { Handler } from './handler.js';
import { withFanOut } from './fanout.js';
import { bridgeHandlers } from './commands/bridge.js';
import { builtinHandlers } from './commands/builtins.js';
import { captureHandlers } from './commands/capture.js';
import { dnsmasqHandlers } from './commands/dnsmasq.js';
import { historyHandlers } from './commands/history.js';
import { hostHandlers } from './commands/host.js';
import { debugHandlers } from './commands/debug.js';
import { logHandlers } from './commands/log.js';
import { meshHandlers } from './commands/mesh.js';
import { miscHandlers } from './commands/misc.js';
import { netHandlers } from './commands/net.js';
import { nsHandlers } from './commands/ns.js';
import { clearNamespaceHandler, namespaceHandler } from './commands/namespace.js';
import { plumbHandlers } from './commands/plumb.js';
import { fileHandler } from './commands/file.js';
import { qosHandlers } from './commands/qos.js';
import { readHandler } from './commands/script.js';
import { routerHandlers } from './commands/router.js';
import { shellHandlers } from './commands/shell.js';
import { checkHandlers } from './commands/check.js';
import { tapHandlers } from './commands/tap.js';
import { vmStats } from './commands/stats.js';
import { vmTop } from './commands/top.js';
import { vmConfigHandlers } from './commands/vm-config.js';
import { vmExecHandlers } from './commands/vm-exec.js';
import { ccHandlers } from './commands/cc.js';
import { vmConsoleHandlers } from './commands/vm-console.js';
import { vmScreenshotHandler } from './commands/vm-screenshot.js';
import { vmInfoHandlers } from './commands/vm-info.js';
import { vmLifecycleHandlers } from './commands/vm-lifecycle.js';
import { vmTagHandlers } from './commands/vm-tag.js';
import { vizHandler } from './commands/viz.js';

export const HANDLERS: readonly Handler[] = withFanOut([
  ...builtinHandlers,
  ...miscHandlers,
  ...historyHandlers,
  readHandler,
  ...shellHandlers,
  ...checkHandlers,
  ...vmLifecycleHandlers,
  ...vmInfoHandlers,
  ...vmTagHandlers,
  ...hostHandlers,
  ...debugHandlers,
  ...logHandlers,
  ...vmConfigHandlers,
  ...netHandlers,
  namespaceHandler,
  clearNamespaceHandler,
  ...nsHandlers,
  ...plumbHandlers,
  fileHandler,
  vmTop,
  vmStats,
  ...tapHandlers,
  ...bridgeHandlers,
  ...dnsmasqHandlers,
  ...qosHandlers,
  ...routerHandlers,
  ...captureHandlers,
  ...vmExecHandlers,
  ...ccHandlers,
  ...vmConsoleHandlers,
  vmScreenshotHandler,
  vizHandler,
  ...meshHandlers,
]);
