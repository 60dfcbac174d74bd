import type { CaptureInfo } from '../../engine/api/types';

/** Electron only: main's save dialog for a capture (electron/capture-save.ts). */
export interface FilesBridge {
  saveCapture(id: number, suggestedName: string): Promise<{ saved: boolean; path?: string }>;
}

declare global {
  interface Window {
    nanomegaFiles?: FilesBridge;
  }
}

/** The file name a capture is offered under. */
export function captureFileName(c: CaptureInfo): string {
  const base = c.path.split('/').pop() || `capture-${c.id}.pcap`;
  return /\.(pcap|cap|pcapng)$/i.test(base) ? base : `${base}.pcap`;
}

/**
 * Saves a capture's pcap where the user says: in Electron through main's save dialog; in a browser as
 * an authenticated download from the web relay (its cookie), `GET /captures/<id>`.
 */
export async function saveCapture(c: CaptureInfo): Promise<void> {
  const name = captureFileName(c);
  if (window.nanomegaFiles) {
    await window.nanomegaFiles.saveCapture(c.id, name);
    return;
  }
  const a = document.createElement('a');
  a.href = `/captures/${c.id}/${encodeURIComponent(name)}`;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
