/**
 * Coalesces console output into batches (hyper's DataBatcher): one event per ~16 ms frame, or
 * sooner when a batch reaches 200 KB, so a flood of small pty reads does not become a flood of
 * events and a burst does not wait.
 */

/** One batch per display frame. */
export const BATCH_INTERVAL_MS = 16;
/** Flush early above this many characters. */
export const BATCH_MAX_CHARS = 200 * 1024;

export class Batcher {
  private parts: string[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (data: string) => void,
    private readonly intervalMs = BATCH_INTERVAL_MS,
    private readonly maxChars = BATCH_MAX_CHARS,
  ) {}

  push(data: string): void {
    if (data === '') return;
    this.parts.push(data);
    this.size += data.length;
    if (this.size >= this.maxChars) this.flushNow();
    else this.timer ??= setTimeout(() => this.flushNow(), this.intervalMs);
  }

  /** Emit what is pending now (end of stream, or the size limit). */
  flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.size === 0) return;
    const data = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.flush(data);
  }

  /** Drop pending output and the timer. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.parts = [];
    this.size = 0;
  }
}
