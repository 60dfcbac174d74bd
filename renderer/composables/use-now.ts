import { ref } from 'vue';

/** One shared 1 Hz clock for uptimes, so 1000 rows do not each run a timer. */
const now = ref(Date.now());
let timer: ReturnType<typeof setInterval> | undefined;

export function useNow() {
  timer ??= setInterval(() => (now.value = Date.now()), 1000);
  return now;
}
