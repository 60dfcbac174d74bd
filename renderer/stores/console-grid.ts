import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ContainerId } from '../../engine/api/types';

export type GridSize = 2 | 3;
export type Direction = 'left' | 'right' | 'up' | 'down';

const SIZE_KEY = 'nanomega.consoleGrid.size';

/** The console grid: 2×2 or 3×3 cells, each showing one container's console, one of them focused. */
export const useConsoleGridStore = defineStore('consoleGrid', () => {
  const stored = Number(globalThis.localStorage?.getItem(SIZE_KEY));
  const size = ref<GridSize>(stored === 3 ? 3 : 2);
  /** Container per cell, row by row; undefined for an empty cell. Longer than size² keeps cells a resize hides. */
  const cells = ref<(ContainerId | undefined)[]>([]);
  const focused = ref(0);

  const count = computed(() => size.value * size.value);
  const visible = computed(() => Array.from({ length: count.value }, (_, i) => cells.value[i]));

  function setSize(s: GridSize): void {
    size.value = s;
    globalThis.localStorage?.setItem(SIZE_KEY, String(s));
    if (focused.value >= count.value) focused.value = count.value - 1;
  }

  function assign(cell: number, id: ContainerId | undefined): void {
    const next = [...cells.value];
    // A container is shown in one cell at a time.
    if (id !== undefined) for (let i = 0; i < next.length; i++) if (next[i] === id) next[i] = undefined;
    next[cell] = id;
    cells.value = next;
  }

  /** Puts `ids` in the empty cells, in order; the grid grows to 3×3 when 2×2 is too small. */
  function fill(ids: readonly ContainerId[]): void {
    const shown = new Set(visible.value.filter((x) => x !== undefined));
    const todo = ids.filter((id) => !shown.has(id));
    if (size.value === 2 && shown.size + todo.length > 4) setSize(3);
    const next = [...cells.value];
    for (let i = 0; i < count.value && todo.length; i++) if (next[i] === undefined) next[i] = todo.shift();
    cells.value = next;
  }

  /** Drops cells whose container is gone (flushed). */
  function prune(exists: (id: ContainerId) => boolean): void {
    if (cells.value.some((id) => id !== undefined && !exists(id))) cells.value = cells.value.map((id) => (id !== undefined && exists(id) ? id : undefined));
  }

  /** Moves the focus one cell (wrapping within the row or column). */
  function move(d: Direction): void {
    const n = size.value;
    const r = Math.floor(focused.value / n);
    const c = focused.value % n;
    const [nr, nc] = d === 'left' ? [r, (c + n - 1) % n] : d === 'right' ? [r, (c + 1) % n] : d === 'up' ? [(r + n - 1) % n, c] : [(r + 1) % n, c];
    focused.value = nr * n + nc;
  }

  function focus(cell: number): void {
    if (cell >= 0 && cell < count.value) focused.value = cell;
  }

  return { size, cells, focused, count, visible, setSize, assign, fill, prune, move, focus };
});
