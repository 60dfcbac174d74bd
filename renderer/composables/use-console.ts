import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';
import type { ContainerId } from '../../engine/api/types';
import { useConsoleBroadcast } from '../stores/console-broadcast';

/** Client ack batch: must be ≤ the engine's low watermark (5 000) or a paused console never resumes. */
export const ACK_BATCH_CHARS = 5_000;
/** Lines the terminal keeps. */
const SCROLLBACK_LINES = 5_000;
/** Keys kept while a console connects (a pasted script, not an unbounded buffer). */
const EARLY_INPUT_MAX = 64 * 1024;

/** Sums processed characters and acknowledges them in batches (VS Code's AckDataBufferer). */
export class AckBatcher {
  private unacked = 0;
  constructor(
    private readonly batch: number,
    private readonly ack: (chars: number) => void,
  ) {}
  add(chars: number): void {
    this.unacked += chars;
    if (this.unacked >= this.batch) this.flush();
  }
  flush(): void {
    if (this.unacked > 0) this.ack(this.unacked);
    this.unacked = 0;
  }
}

export const TERM_THEMES: Record<'dark' | 'light', ITheme> = {
  dark: { background: '#0d1117', foreground: '#d1d7e0', cursor: '#58a6ff', selectionBackground: '#264f78' },
  light: { background: '#ffffff', foreground: '#1f2328', cursor: '#0969da', selectionBackground: '#b6d7ff' },
};

export type ConsoleStatus = 'connecting' | 'open' | 'closed' | 'error';

/**
 * One console stream in one terminal: console.open → console.data (this session only) →
 * term.write(data, cb) → console.ack in batches; keyboard → console.input; fit → console.resize.
 * Closing it closes the stream, never the container. `owner`: the cluster host whose daemon owns the
 * container, when it is not this daemon's (the stream then goes through that daemon).
 */
export function useConsole(id: ContainerId, host: Ref<HTMLElement | undefined>, theme: Ref<'dark' | 'light'>, owner?: string) {
  const broadcast = useConsoleBroadcast();
  const term = new Terminal({
    scrollback: SCROLLBACK_LINES,
    fontSize: 13,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
    theme: TERM_THEMES[theme.value],
    cursorBlink: true,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  const status = ref<ConsoleStatus>('connecting');
  const message = ref('');
  let session: number | undefined;
  let disposed = false;
  const offs: (() => void)[] = [];
  let observer: ResizeObserver | undefined;
  const acks = new AckBatcher(ACK_BATCH_CHARS, (n) => {
    if (session !== undefined) void window.engine.call('console.ack', session, n).catch(() => undefined); // Best-effort: a closed session needs no acks.
  });
  let ackTimer: ReturnType<typeof setTimeout> | undefined;

  const write = (data: string) =>
    term.write(data, () => {
      acks.add(data.length);
      // A quiet console still acknowledges its tail, so the engine's count returns to zero.
      clearTimeout(ackTimer);
      ackTimer = setTimeout(() => acks.flush(), 250);
    });

  async function open(): Promise<void> {
    // Keys typed while the stream opens (a remote one goes through another host's daemon) are sent
    // once it is open, as a terminal that connects does; past EARLY_INPUT_MAX they are dropped.
    let typedEarly = '';
    term.onData((input) => {
      if (session !== undefined && status.value === 'open') void window.engine.call('console.input', session, input).catch(() => undefined);
      else if (status.value === 'connecting' && typedEarly.length + input.length <= EARLY_INPUT_MAX) typedEarly += input;
      if (!owner) broadcast.relay(id, input);
    });
    // Data may arrive before console.open's result (scrollback is pushed at once): keep it until we know our session.
    const early: { session: number; data: string }[] = [];
    offs.push(
      window.engine.on('console.data', (d) => {
        if (session === undefined) early.push(d);
        else if (d.session === session) write(d.data);
      }),
      window.engine.on('console.closed', (c) => {
        if (c.session !== session) return;
        status.value = 'closed';
        message.value = c.reason;
        term.write(`\r\n\x1b[2m[console closed: ${c.reason}]\x1b[0m\r\n`);
      }),
    );
    try {
      fit.fit();
    } catch {
      // Best-effort: a hidden element has no size yet; the ResizeObserver fits later.
    }
    try {
      const s = owner
        ? await window.engine.call('cluster.console.open', owner, id, term.cols, term.rows)
        : await window.engine.call('console.open', id, term.cols, term.rows);
      if (disposed) {
        void window.engine.call('console.close', s.session).catch(() => undefined);
        return;
      }
      session = s.session;
      for (const d of early) if (d.session === session) write(d.data);
      status.value = 'open';
      if (typedEarly) void window.engine.call('console.input', session, typedEarly).catch(() => undefined);
      typedEarly = '';
    } catch (e) {
      status.value = 'error';
      message.value = e instanceof Error ? e.message : String(e);
      term.write(`\x1b[31m${message.value}\x1b[0m\r\n`);
      return;
    }
    term.onResize(({ cols, rows }) => {
      if (session !== undefined && status.value === 'open') void window.engine.call('console.resize', session, cols, rows).catch(() => undefined);
    });
  }

  onMounted(() => {
    term.open(host.value!);
    observer = new ResizeObserver(() => {
      if (host.value && host.value.offsetWidth > 0) {
        try {
          fit.fit();
        } catch {
          // Best-effort: fit fails while the element is detached.
        }
      }
    });
    observer.observe(host.value!);
    void open();
    term.focus();
  });

  onBeforeUnmount(() => {
    disposed = true;
    observer?.disconnect();
    clearTimeout(ackTimer);
    for (const off of offs) off();
    if (session !== undefined) void window.engine.call('console.close', session).catch(() => undefined);
    term.dispose();
  });

  function setTheme(t: 'dark' | 'light'): void {
    term.options.theme = TERM_THEMES[t];
  }

  return { term, status, message, setTheme, focus: () => term.focus() };
}
