/**
 * Loads electron/ modules (compiled in dist/electron) against the recording fake of `electron`.
 * electron/ is its own TypeScript project, so tests import it by URL and describe the parts they use.
 */
import { useFakeElectron } from '../../helpers/electron-hooks.js';

useFakeElectron();

export const fake = await import('../../helpers/fake-electron.js');

/** Import dist/electron/NAME.js (after the fake is in place). */
export function electronModule<T>(name: string): Promise<T> {
  return import(new URL(`../../../electron/${name}.js`, import.meta.url).href) as Promise<T>;
}
