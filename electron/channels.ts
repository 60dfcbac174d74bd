/** IPC channel names between main (ipc.ts) and the preload (preload.ts, bundled with this file). */
export const CH = { call: 'engine:call', subscribe: 'engine:subscribe', unsubscribe: 'engine:unsubscribe', event: 'engine:event' } as const;
