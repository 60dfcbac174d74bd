import type { ContainerInfo } from '../../engine/api/types';

/**
 * A console in its own window: the same page with ?console=ID. Electron's main process allows exactly
 * this URL shape in window.open (its own console windows) and denies everything else.
 */
export function openConsoleWindow(c: Pick<ContainerInfo, 'id' | 'name'>): Window | null {
  const url = new URL(location.href);
  url.search = new URLSearchParams({ console: String(c.id), name: c.name }).toString();
  url.hash = '';
  return window.open(url.toString(), `console-${c.id}`, 'popup,width=860,height=540');
}
