import '@xterm/xterm/css/xterm.css';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import ConsoleWindow from './components/ConsoleWindow.vue';
import { bridgeOf } from '../engine/api/wire-client';
import { createWebBridge } from './bridge/web-bridge';
import { useConnection } from './composables/use-connection';
import { useClusterStore } from './stores/cluster';
import { useContainersStore } from './stores/containers';
import { useHostStore } from './stores/host';
import { useNamespacesStore } from './stores/namespaces';
import { useStatsStore } from './stores/stats';
import { useUiStore } from './stores/ui';

const params = new URLSearchParams(location.search);
const consoleId = params.get('console');
const connection = useConnection();

// Electron's preload provides the transport (plain Results); in a browser the web bridge talks to the relay.
if (window.engineTransport) {
  window.engine = bridgeOf(window.engineTransport);
  connection.value = true;
} else if (!window.engine) {
  window.engine = createWebBridge(undefined, (up) => (connection.value = up));
}

const pinia = createPinia();
if (consoleId !== null && /^\d+$/.test(consoleId)) {
  // A console window: one terminal, nothing else (closing it never affects the container).
  const app = createApp(ConsoleWindow, { id: Number(consoleId), name: params.get('name') ?? `#${consoleId}` });
  app.use(pinia);
  useUiStore(pinia);
  app.mount('#app');
} else {
  const app = createApp(App);
  app.use(pinia);
  useUiStore(pinia);
  // Hydrate every store once, in order (directus hydrate.ts).
  void (async () => {
    await useNamespacesStore(pinia).hydrate();
    await useContainersStore(pinia).hydrate();
    await useStatsStore(pinia).hydrate();
    await useHostStore(pinia).hydrate();
    await useClusterStore(pinia).hydrate();
  })();
  app.mount('#app');
}
