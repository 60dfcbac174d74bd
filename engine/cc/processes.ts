/** The processes `cc background` started that still run (`cc process list`), per client incarnation. */
import type { ShimExecHandle } from '../shim/shim.js';

export interface CcProc {
  token: string;
  uuid: string;
  /** The container's launch (a relaunch is a new incarnation with none of the old processes). */
  inc: number;
  name: string;
  /** Pid inside the container. */
  pid: number;
  command: string[];
  exec: ShimExecHandle;
}

export class CcProcesses {
  private readonly byToken = new Map<string, CcProc>();

  add(p: CcProc): void {
    this.byToken.set(p.token, p);
  }

  has(token: string): boolean {
    return this.byToken.has(token);
  }

  remove(token: string): void {
    this.byToken.delete(token);
  }

  forClient(uuid: string, inc?: number): CcProc[] {
    return [...this.byToken.values()].filter((p) => p.uuid === uuid && (inc === undefined || p.inc === inc)).sort((a, b) => a.pid - b.pid);
  }

  forClientAll(): CcProc[] {
    return [...this.byToken.values()];
  }

  /** Drop the connections (daemon shutdown): detached sessions keep running. */
  closeAll(): void {
    for (const p of this.byToken.values()) p.exec.close();
    this.byToken.clear();
  }
}
