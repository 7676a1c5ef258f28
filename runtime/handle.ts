/** Handles: a callback scheduled on an EventLoop, and the cancel() that unschedules it. */

/** What an EventLoop's ready queue holds: a Handle, or a Task stepping itself without a Handle. */
export interface Runnable {
  [RUN](): void;
}
/** The method the loop calls on a ready entry. A symbol, so Task's public surface stays asyncio's. */
export const RUN: unique symbol = Symbol("corotask.run") as any;

/** A callback scheduled with `callSoon`. @see asyncio.Handle */
export class Handle implements Runnable {
  #callback: ((...args: any[]) => void) | null;
  #args: readonly unknown[];
  readonly #onError: (error: unknown, handle: Handle) => void;

  constructor(callback: (...args: any[]) => void, args: readonly unknown[], onError: (error: unknown, handle: Handle) => void) {
    this.#callback = callback;
    this.#args = args;
    this.#onError = onError;
  }

  /** Unschedules the callback; it will not run. */
  cancel(): void {
    this.#callback = null;
    this.#args = [];
  }

  /** True once cancel() was called. */
  cancelled(): boolean {
    return this.#callback === null;
  }

  [RUN](): void {
    const callback = this.#callback;
    if (callback === null) return;
    try {
      callback(...this.#args);
    } catch (error) {
      this.#onError(error, this);
    }
  }

  /** The callback's name, for messages. @internal */
  describeCallback(): string {
    return this.#callback === null ? "<cancelled>" : this.#callback.name || "<anonymous>";
  }

  /** `<Handle cb()>`, `<TimerHandle cancelled>`. */
  toString(): string {
    return `<${this.reprName()} ${this.cancelled() ? "cancelled" : this.describeCallback() + "()"}>`;
  }

  /** The class's name for string forms: never `constructor.name`, which minifiers mangle. @internal */
  protected reprName(): string {
    return "Handle";
  }
}

/** A callback scheduled with `callLater`/`callAt`. @see asyncio.TimerHandle */
export class TimerHandle extends Handle {
  /** @internal */
  protected override reprName(): string {
    return "TimerHandle";
  }

  readonly #when: number;
  /** Creation order: ties in `when` run first-in first-out. @internal */
  readonly sequence: number;
  #onCancel: ((timer: TimerHandle) => void) | null;

  constructor(
    when: number,
    sequence: number,
    callback: (...args: any[]) => void,
    args: readonly unknown[],
    onError: (error: unknown, handle: Handle) => void,
    onCancel: (timer: TimerHandle) => void,
  ) {
    super(callback, args, onError);
    this.#when = when;
    this.sequence = sequence;
    this.#onCancel = onCancel;
  }

  /** The loop time (seconds) at which the callback is scheduled. */
  when(): number {
    return this.#when;
  }

  /**
   * The loop took this timer off its heap to run it (asyncio's `_scheduled = False`): a later
   * cancel() must not count it among the cancelled timers still in the heap.
   * @internal
   */
  unschedule(): void {
    this.#onCancel = null;
  }

  override cancel(): void {
    if (this.cancelled()) return;
    super.cancel();
    const onCancel = this.#onCancel;
    this.#onCancel = null;
    onCancel?.(this);
  }
}

/** Orders timers by `when`, then by creation. */
export function timerBefore(a: TimerHandle, b: TimerHandle): boolean {
  const wa = a.when();
  const wb = b.when();
  return wa < wb || (wa === wb && a.sequence < b.sequence);
}
