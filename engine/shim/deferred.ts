/** A promise settled from outside, once: later resolve/reject calls are ignored. */
export class Deferred<T> {
  readonly promise: Promise<T>;
  settled = false;
  private res!: (v: T) => void;
  private rej!: (e: unknown) => void;
  constructor() {
    this.promise = new Promise<T>((res, rej) => {
      this.res = res;
      this.rej = rej;
    });
    this.promise.catch(() => undefined); // a wait nobody asked for must not be an unhandled rejection
  }
  resolve(v: T): void {
    if (this.settled) return;
    this.settled = true;
    this.res(v);
  }
  reject(e: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.rej(e);
  }
}
