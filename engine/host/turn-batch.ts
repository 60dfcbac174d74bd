/**
 * Path requests made in the same turn of the event loop, handed over together at the next one: a
 * wave of a thousand containers asks for one removal or unmount each, and one process (or a few)
 * serves them all instead of one each.
 */

/** One request of a batch: the batch's handler settles every one it is given. */
export interface PathRequest {
  path: string;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class TurnBatch {
  private pending: PathRequest[] = [];
  private scheduled = false;

  /** `handle` gets each turn's requests and must settle all of them. */
  constructor(private readonly handle: (batch: PathRequest[]) => void) {}

  /** Settles when the handler settles this path's request. */
  add(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ path, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.handle(this.pending.splice(0));
      });
    });
  }
}
