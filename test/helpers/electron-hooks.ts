/**
 * Module resolution hooks (node:module register) that load test/helpers/fake-electron.js wherever code
 * imports `electron`. Use loadWithFakeElectron() rather than registering this file directly.
 */
import { register } from 'node:module';

let fakeUrl = '';

/** Hook: receives the fake's URL from register()'s `data`. */
export function initialize(data: { fakeUrl: string }): void {
  fakeUrl = data.fakeUrl;
}

/** Hook: `electron` resolves to the fake; everything else as usual. */
export async function resolve(
  specifier: string,
  context: unknown,
  next: (s: string, c: unknown) => Promise<{ url: string }>,
): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === 'electron') return { url: fakeUrl, shortCircuit: true };
  return next(specifier, context);
}

let registered = false;

/** Make later dynamic imports of `electron` (from any module) load the recording fake. */
export function useFakeElectron(): void {
  if (registered) return;
  registered = true;
  register(new URL('./electron-hooks.js', import.meta.url).href, {
    data: { fakeUrl: new URL('./fake-electron.js', import.meta.url).href },
  });
}
