import type { EngineBridge, EngineTransport } from '../engine/api/contract';

/** Electron only: the engine command console pane (`nanomega attach` in a pty). */
export interface PtyBridge {
  start(cols: number, rows: number): Promise<void>;
  input(data: string): void;
  resize(cols: number, rows: number): void;
  onData(listener: (data: string) => void): () => void;
  onExit(listener: (code: number) => void): () => void;
}

declare global {
  interface Window {
    /** The engine contract: Electron's preload or the web bridge (renderer/bridge/web-bridge.ts). */
    engine: EngineBridge;
    /** Electron only: what the preload exposes (Results as plain data); main.ts wraps it into `engine`. */
    engineTransport?: EngineTransport;
    nanomegaPty?: PtyBridge;
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
