/**
 * Per-client flow control of a console stream (VS Code's terminal flow control): the engine
 * counts the characters it sent a client and stops reading that client's monitor connection when
 * too many are unacknowledged; the client acks after drawing them.
 */
export const FlowControl = {
  /** Unacknowledged chars after which the pty is paused for this client. */
  HighWatermarkChars: 100_000,
  /** Resume once the client has caught up to this many unacknowledged chars. */
  LowWatermarkChars: 5_000,
  /** Client ack batch. Must be ≤ LowWatermarkChars or a paused console never resumes. */
  AckBatchChars: 5_000,
} as const; // a plain object, not a const enum: esbuild/Vite compile files one at a time

/** The unacknowledged-character window of one client stream. */
export class FlowWindow {
  private unackedChars = 0;
  private isPaused = false;

  constructor(
    private readonly pause: () => void,
    private readonly resume: () => void,
    private readonly high: number = FlowControl.HighWatermarkChars,
    private readonly low: number = FlowControl.LowWatermarkChars,
  ) {}

  get unacked(): number {
    return this.unackedChars;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** `chars` more were sent to the client. */
  sent(chars: number): void {
    this.unackedChars += chars;
    if (!this.isPaused && this.unackedChars > this.high) {
      this.isPaused = true;
      this.pause();
    }
  }

  /** The client processed `chars`; acks beyond what was sent are clamped (a client cannot buy credit). */
  ack(chars: number): void {
    this.unackedChars = Math.max(0, this.unackedChars - Math.max(0, chars));
    if (this.isPaused && this.unackedChars < this.low) {
      this.isPaused = false;
      this.resume();
    }
  }
}
