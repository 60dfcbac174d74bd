/**
 * One client's console stream: its own connection to the monitor's `<dir>/console` socket, so
 * pausing it is just not reading that socket. The monitor replays the scrollback to each new
 * connection and drops a connection that lags too far, which never slows the container or the
 * other clients (design.md §5).
 */
import type { Duplex } from 'node:stream';
import { Batcher } from './batcher.js';
import { FlowWindow } from './flow-control.js';
import { Utf8Splitter } from './utf8.js';

export interface ConsoleStreamSink {
  /** A batch of output, never split inside a character. */
  data(data: string): void;
  /** The stream ended; called once. `byClient` when close() ended it. */
  closed(byClient: boolean): void;
}

export class ConsoleStream {
  private readonly utf8 = new Utf8Splitter();
  private readonly batcher: Batcher;
  private readonly flow: FlowWindow;
  private ended = false;
  private closedByClient = false;

  private constructor(
    private readonly sock: Duplex,
    private readonly sink: ConsoleStreamSink,
  ) {
    this.batcher = new Batcher((data) => {
      this.flow.sent(data.length);
      this.sink.data(data);
    });
    this.flow = new FlowWindow(
      () => sock.pause(),
      () => sock.resume(),
    );
    sock.on('data', (chunk: Buffer) => this.batcher.push(this.utf8.push(chunk)));
    sock.on('close', () => this.finish());
    sock.on('error', () => undefined); // 'close' follows
  }

  /** A stream over a connected console socket (Shim.console): the scrollback arrives first, then live output. */
  static over(sock: Duplex, sink: ConsoleStreamSink): ConsoleStream {
    return new ConsoleStream(sock, sink);
  }

  /** Keyboard input for the container. */
  input(data: string): void {
    if (!this.ended) this.sock.write(data);
  }

  ack(chars: number): void {
    this.flow.ack(chars);
  }

  get paused(): boolean {
    return this.flow.paused;
  }

  get unacked(): number {
    return this.flow.unacked;
  }

  close(): void {
    this.closedByClient = true;
    this.sock.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.closedByClient) {
      this.batcher.push(this.utf8.end());
      this.batcher.flushNow();
    }
    this.batcher.dispose();
    this.sink.closed(this.closedByClient);
  }
}
