import { ref } from 'vue';

/**
 * A form's one call at a time: `busy` while `run`'s action is in flight (buttons disable on it), and
 * `error` with what the action threw, as written (a call's own per-container errors are the caller's).
 */
export function useBusy() {
  const busy = ref(false);
  const error = ref('');

  async function run(action: () => Promise<void>): Promise<void> {
    busy.value = true;
    error.value = '';
    try {
      await action();
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      busy.value = false;
    }
  }

  return { busy, error, run };
}
