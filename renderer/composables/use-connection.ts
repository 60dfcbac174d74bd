import { ref } from 'vue';

/** Whether the page currently talks to the daemon (web mode reconnects on its own). */
const connected = ref(false);

export function useConnection() {
  return connected;
}
