/** runCoroutineThreadsafe(): submit a coroutine to a given loop from outside it; get a concurrent future. */
import { isCoroutine, type Coroutine } from "./coroutine.js";
import { CancelledError, InvalidStateError, describe } from "./errors.js";
import { EventLoop } from "./event-loop.js";
import type { Future } from "./future.js";
import { enterLoop, leaveLoop } from "./running-loop.js";
import { Task, ensureFuture, notACoroutine } from "./task.js";

/** A concurrent future's state, as concurrent.futures'. */
export type ConcurrentFutureState = "pending" | "cancelled" | "finished";

// States: pending -> finished (the task ended with a result or an exception) or pending ->
// cancelled (cancel(), or the task was cancelled). Callbacks run synchronously, once, when the
// state leaves pending; added later, they run at once (concurrent.futures.Future).
/**
 * The result of {@link runCoroutineThreadsafe}: a future bound to no loop (Python's
 * `concurrent.futures.Future`), which any code on any loop, or outside every loop, may inspect,
 * cancel and `await` (it is thenable).
 * @see concurrent.futures.Future
 */
export class ConcurrentFuture<T> implements PromiseLike<T> {
  #state: ConcurrentFutureState = "pending";
  #result: T | undefined = undefined;
  #exception: unknown = undefined;
  #hasException = false;
  #callbacks: Array<(future: ConcurrentFuture<T>) => void> = [];
  /** Called once when cancel() succeeds: asks the loop to cancel the task. */
  #onCancel: (() => void) | null = null;
  /** Where a callback's exception is reported. */
  readonly #loop: EventLoop;

  /** @internal */
  constructor(loop: EventLoop) {
    this.#loop = loop;
  }

  /** True once it has a result or an exception, or was cancelled. */
  done(): boolean {
    return this.#state !== "pending";
  }

  /** True if it was cancelled. */
  cancelled(): boolean {
    return this.#state === "cancelled";
  }

  /** False: JavaScript has one thread, so the coroutine never runs "in" this future; kept for asyncio's API. */
  running(): boolean {
    return false;
  }

  /**
   * The result. Throws the exception if one was set, CancelledError if cancelled, and
   * InvalidStateError while pending (JavaScript cannot block: `await` the future instead).
   */
  result(): T {
    if (this.#state === "pending") {
      throw new InvalidStateError("Result is not ready: JavaScript cannot block, so await the concurrent future instead");
    }
    if (this.#state === "cancelled") throw new CancelledError();
    if (this.#hasException) throw this.#exception;
    return this.#result as T;
  }

  /** The exception, or null. Throws CancelledError if cancelled and InvalidStateError while pending. */
  exception(): unknown {
    if (this.#state === "pending") {
      throw new InvalidStateError("Exception is not set: JavaScript cannot block, so await the concurrent future instead");
    }
    if (this.#state === "cancelled") throw new CancelledError();
    return this.#hasException ? this.#exception : null;
  }

  /**
   * Cancels the future if it is still pending and asks the loop to cancel the task (through
   * `callSoonThreadsafe`, as asyncio does). The future is cancelled at once, even if the
   * coroutine later catches the CancelledError. Returns true if it is now cancelled (also when
   * it already was), false if it already finished, as concurrent.futures.Future.cancel().
   */
  cancel(): boolean {
    if (this.#state !== "pending") return this.#state === "cancelled";
    this.#state = "cancelled";
    const onCancel = this.#onCancel;
    this.#onCancel = null;
    this.#runCallbacks();
    onCancel?.();
    return true;
  }

  /** Calls `fn(this)` once done; at once if already done. */
  addDoneCallback(fn: (future: ConcurrentFuture<T>) => void): void {
    if (typeof fn !== "function") throw new TypeError(`addDoneCallback expects a function, got ${describe(fn)}`);
    if (this.#state === "pending") this.#callbacks.push(fn);
    else this.#call(fn);
  }

  /** Fulfils with the result, rejects with the exception or a CancelledError. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return new Promise<T>((resolve, reject) => {
      this.addDoneCallback(() => {
        try {
          resolve(this.result());
        } catch (error) {
          reject(error);
        }
      });
    }).then(onFulfilled, onRejected);
  }

  /** As Promise.prototype.catch. */
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onRejected);
  }

  /** As Promise.prototype.finally. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onFinally);
  }

  /** Sets what cancel() does to the task. @internal */
  onCancel(fn: () => void): void {
    this.#onCancel = fn;
  }

  /** Copies the outcome of the task (asyncio's `_set_concurrent_future_state`). @internal */
  copyFrom(source: Future<T>): void {
    if (this.#state !== "pending") return;
    this.#onCancel = null;
    if (source.cancelled()) {
      this.#state = "cancelled";
    } else {
      this.#state = "finished";
      if (source.hasException()) {
        this.#hasException = true;
        this.#exception = source.exception();
      } else {
        this.#result = source.result();
      }
    }
    this.#runCallbacks();
  }

  /** Fails the future before a task existed (the coroutine could not be scheduled). @internal */
  fail(exception: unknown): void {
    if (this.#state !== "pending") return;
    this.#state = "finished";
    this.#hasException = true;
    this.#exception = exception;
    this.#runCallbacks();
  }

  #runCallbacks(): void {
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const fn of callbacks) this.#call(fn);
  }

  #call(fn: (future: ConcurrentFuture<T>) => void): void {
    try {
      fn(this);
    } catch (error) {
      if (!this.#loop.isClosed()) {
        this.#loop.callExceptionHandler({ message: `exception calling callback for ${this.toString()}`, exception: error });
      }
    }
  }

  get [Symbol.toStringTag](): string {
    return "ConcurrentFuture";
  }

  /** `<ConcurrentFuture pending>`, `<ConcurrentFuture finished>`, `<ConcurrentFuture cancelled>`. */
  toString(): string {
    return `<ConcurrentFuture ${this.#state}>`;
  }
}

/**
 * Submits a coroutine to `loop` and returns a {@link ConcurrentFuture} of its result. The Task
 * is created by a callback scheduled with `loop.callSoonThreadsafe`, so this may be called from
 * outside any loop, from a callback or task of another loop, or from `loop` itself; the task
 * runs once `loop` runs.
 *
 * `coro` is a coroutine (what a lazy coroutine function returns), a Task already on `loop`, or
 * a function returning either, called on `loop` (in eager mode pass the function,
 * `runCoroutineThreadsafe(() => work(), loop)`, so that the task starts on `loop`).
 *
 * Cancellation: cancelling the concurrent future cancels the task (through the loop); a task
 * cancelled by other means cancels the concurrent future.
 *
 * Bad input throws at the call: TypeError when `loop` is not an EventLoop or `coro` is not a
 * coroutine; RuntimeError when `loop` is closed.
 *
 * @example
 * const future = runCoroutineThreadsafe(fetchAll(), workerLoop);
 * console.log(await future);
 * @see asyncio.run_coroutine_threadsafe
 */
export function runCoroutineThreadsafe<T>(
  coro: Coroutine<T> | Task<T> | (() => Coroutine<T> | Task<T>),
  loop: EventLoop,
): ConcurrentFuture<T> {
  if (!(loop instanceof EventLoop)) {
    throw new TypeError(`runCoroutineThreadsafe expected an EventLoop as its second argument, got ${describe(loop)}`);
  }
  if (typeof coro !== "function" && !isCoroutine(coro)) {
    if (!(coro instanceof Task)) throw notACoroutine(coro, "runCoroutineThreadsafe");
    if (coro.getLoop() !== loop) {
      throw new RangeError(
        `runCoroutineThreadsafe was given ${coro.toString()}, which runs on another loop; pass the coroutine, or a function that makes it, instead`,
      );
    }
  }
  const future = new ConcurrentFuture<T>(loop);
  loop.callSoonThreadsafe(() => {
    let task: Future<T>;
    try {
      let made: unknown = coro;
      if (typeof coro === "function") {
        const previous = enterLoop(loop);
        try {
          made = coro();
        } finally {
          leaveLoop(previous);
        }
        if (!isCoroutine(made) && !(made instanceof Task)) throw notACoroutine(made, "runCoroutineThreadsafe's function");
      }
      task = ensureFuture(made as Coroutine<T>, { loop });
    } catch (error) {
      // As asyncio: the future gets the exception, and the callback re-raises it, so that the
      // target loop's exception handler sees it once ("Exception in callback").
      future.fail(error);
      throw error;
    }
    // asyncio's _chain_future: a cancelled concurrent future cancels the task, through the loop.
    if (future.cancelled()) loop.callSoon(() => task.cancel());
    else future.onCancel(() => {
      if (!loop.isClosed()) loop.callSoonThreadsafe(() => task.cancel());
    });
    task.addDoneCallback(() => future.copyFrom(task));
  });
  return future;
}
