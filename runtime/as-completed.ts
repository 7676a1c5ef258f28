/** asCompleted(): the results, or the futures themselves, in the order in which they finish. */
import { checkAwaitable, checkTimeout, iterableArgument, type Awaitable } from "./awaitable.js";
import { hiddenBody } from "./combinator-coroutine.js";
import { LazyCoroutine, type Frame } from "./coroutine.js";
import { TimeoutError, describe } from "./errors.js";
import { getEventLoop, type EventLoop } from "./event-loop.js";
import { Future } from "./future.js";
import type { TimerHandle } from "./handle.js";
import { runningLoopOrNull } from "./running-loop.js";
import { ensureFuture, type Task } from "./task.js";

/** What awaiting `A` gives: the result of a Future or Task, a coroutine, or a thenable. */
export type AwaitableResult<A> = A extends Frame<infer R> ? R : Awaited<A>;

/**
 * A done Task or Future as asCompleted's `for await` yields it: `F` itself, with `then` hidden
 * from the types. TypeScript types `for await (const x of it)` as the awaited type of what `it`
 * yields (and only from the second loop over a type on, since TypeScript 5.x caches it): a Task
 * would come out as its result, while at run time `x` is the Task. Hiding `then` keeps `x` the
 * Task in every loop, so use it as one (`x.result()`, `x.getName()`, pass it where an `F` is
 * expected: it is assignable). It is done, so there is nothing to await: read `x.result()`.
 */
export type Completed<F> = F & { readonly then: never };

/**
 * What asCompleted's `for await` yields for an awaitable of type `A`: a Task or Future is
 * yielded itself (so keeps its own type); a coroutine as the Task that runs it; any other
 * thenable as the Future that follows it. (An eager call of a compiled function is typed
 * `Promise<T>` by TypeScript but is a Task at run time: it is typed `Future<T>` here, which a
 * Task is.)
 */
export type FutureOf<A> =
  A extends Future<unknown>
    ? A
    : A extends LazyCoroutine<infer R>
      ? Task<R>
      : A extends Frame<infer R>
        ? Task<R>
        : Future<AwaitableResult<A>>;

/** The options of {@link asCompleted}. */
export interface AsCompletedOptions {
  /**
   * Seconds, counted from the asCompleted() call, after which every remaining step raises
   * TimeoutError. Null or absent: no limit. The futures themselves are not cancelled.
   */
  timeout?: number | null;
}

/** Marks a step whose future will never come: the timeout passed first. */
const TIMED_OUT = Symbol("timed out");
type Completion<T> = Future<T> | typeof TIMED_OUT;

// A FIFO of completions with a FIFO of waiting getters (asyncio.Queue's get/put_nowait, minus
// what as_completed does not use). A getter that is cancelled after it was woken passes its
// wake-up on, so a completion is never lost to a cancelled reader.
class CompletionQueue<T> {
  readonly #items: Completion<T>[] = [];
  readonly #getters: Future<void>[] = [];
  readonly #loop: EventLoop;

  constructor(loop: EventLoop) {
    this.#loop = loop;
  }

  put(item: Completion<T>): void {
    this.#items.push(item);
    this.#wakeNext();
  }

  #wakeNext(): void {
    while (this.#getters.length > 0) {
      const getter = this.#getters.shift()!;
      if (!getter.done()) {
        getter.setResult(undefined);
        return;
      }
    }
  }

  *get(): Generator<unknown, Completion<T>, unknown> {
    while (this.#items.length === 0) {
      const getter = new Future<void>({ loop: this.#loop });
      this.#getters.push(getter);
      try {
        yield getter;
      } catch (error) {
        getter.cancel();
        const index = this.#getters.indexOf(getter);
        if (index >= 0) this.#getters.splice(index, 1);
        if (this.#items.length > 0 && !getter.cancelled()) this.#wakeNext();
        throw error;
      }
    }
    return this.#items.shift()!;
  }
}

/**
 * A step of {@link AsCompletedIterator}: a coroutine (it runs inline when a compiled coroutine
 * awaits it, and as a Task once `then` is called) with the rest of the Promise interface, so
 * that it also serves as an async iterator's `next()` result.
 */
export class AsCompletedStep<T> extends LazyCoroutine<T> implements Promise<T> {
  /** The loop of the awaited futures: where plain code's `then` schedules the step, outside any loop. */
  readonly #loop: EventLoop;

  /** @internal */
  constructor(frame: Frame<T>, loop: EventLoop) {
    super(frame);
    this.#loop = loop;
  }

  /** @internal */
  protected override schedule(): PromiseLike<T> {
    return runningLoopOrNull() === null ? this.#loop.createTask(this) : super.schedule();
  }

  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return Promise.resolve(super.then(onFulfilled, onRejected));
  }

  override catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onRejected);
  }

  override finally(onFinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onFinally);
  }

  get [Symbol.toStringTag](): string {
    return "AsCompletedStep";
  }
}

// States:
//  running   - #todo holds the futures not yet done; each has #onCompletion as a done callback.
//  timed out - #todo is empty and one TIMED_OUT was queued per future that was left.
//  finished  - every future is done and queued; #timer is cancelled.
// #stepsLeft counts the steps (next() calls of either form) still to hand out: one per future.
/**
 * What asCompleted() returns: an iterable of awaitables, each resolving to the next result in
 * completion order (`T`), and an async iterable of the futures themselves in completion order
 * (`F`: the Tasks and Futures given, or those wrapping the other awaitables).
 */
export class AsCompletedIterator<T, F = Future<T>> implements Iterable<AsCompletedStep<T>>, AsyncIterable<Completed<F>> {
  readonly #todo: Set<Future<T>>;
  readonly #done: CompletionQueue<T>;
  readonly #loop: EventLoop;
  #timer: TimerHandle | null = null;
  #stepsLeft: number;

  /** @internal */
  constructor(futures: Set<Future<T>>, timeout: number | null, loop: EventLoop) {
    this.#todo = futures;
    this.#done = new CompletionQueue(loop);
    this.#loop = loop;
    this.#stepsLeft = futures.size;
    if (timeout !== null && futures.size > 0) this.#timer = loop.callLater(timeout, this.#onTimeout);
    for (const f of futures) f.addDoneCallback(this.#onCompletion);
  }

  readonly #onTimeout = (): void => {
    for (const f of this.#todo) {
      f.removeDoneCallback(this.#onCompletion);
      this.#done.put(TIMED_OUT);
    }
    this.#todo.clear();
  };

  readonly #onCompletion = (f: Future<T>): void => {
    if (this.#todo.size === 0) return; // the timeout came first
    this.#todo.delete(f);
    this.#done.put(f);
    if (this.#todo.size === 0) this.#timer?.cancel();
  };

  /**
   * The plain iterator: each value is a coroutine that waits for the next future to finish and
   * resolves to its result or raises its exception (TimeoutError once the timeout passed).
   */
  [Symbol.iterator](): Iterator<AsCompletedStep<T>> {
    return this;
  }

  /** The async iterator: each step waits for the next future to finish and yields that future. */
  [Symbol.asyncIterator](): AsyncIterator<Completed<F>> {
    return { next: () => this.#nextFuture() };
  }

  /** The next step of the plain iterator: a coroutine resolving to the next result. */
  next(): IteratorResult<AsCompletedStep<T>, undefined> {
    if (this.#stepsLeft <= 0) return { done: true, value: undefined };
    this.#stepsLeft--;
    return { done: false, value: new AsCompletedStep(waitForOne(this.#done, true) as Frame<T>, this.#loop) };
  }

  #nextFuture(): AsCompletedStep<IteratorResult<Completed<F>, undefined>> {
    if (this.#stepsLeft <= 0) return new AsCompletedStep(finished(), this.#loop);
    this.#stepsLeft--;
    // The queue holds the very futures asCompleted() made or was given: F by construction.
    return new AsCompletedStep(nextFutureBody(this.#done) as Frame<IteratorResult<Completed<F>, undefined>>, this.#loop);
  }
}

/** One step: the next completion; its result (`resolve`) or the future itself. */
const waitForOne = hiddenBody("asCompleted", function* <T>(
  queue: CompletionQueue<T>,
  resolve: boolean,
): Generator<unknown, T | Future<T>, unknown> {
  const f = yield* queue.get();
  if (f === TIMED_OUT) throw new TimeoutError();
  return resolve ? f.result() : f;
});

const nextFutureBody = hiddenBody("asCompleted", function* <T>(
  queue: CompletionQueue<T>,
): Generator<unknown, IteratorResult<Future<T>, undefined>, unknown> {
  const f = (yield* waitForOne(queue, false)) as Future<T>;
  return { done: false, value: f };
});

const finished = hiddenBody("asCompleted", function* (): Generator<never, IteratorResult<never, undefined>, unknown> {
  return { done: true, value: undefined };
});

/**
 * Runs the awaitables concurrently and gives their outcomes in the order they finish, in two
 * forms (Python 3.13):
 *  - iterated with `for...of`, a coroutine per awaitable; awaiting the i-th resolves to the
 *    result of the i-th to finish (or raises its exception);
 *  - iterated with `for await...of`, the Tasks and Futures themselves, each once it is done
 *    (coroutines and thenables appear as the Tasks and Futures that wrap them).
 *
 * Duplicates count once. With `timeout` (seconds from this call), every step still pending when
 * it passes raises TimeoutError; the awaitables are not cancelled.
 *
 * Cancellation: cancelling the task awaiting a step raises CancelledError there and loses no
 * completion: the next step gets it. The awaitables are never cancelled by asCompleted.
 *
 * Bad input throws at the call: TypeError when `aws` is a single awaitable or not iterable, or
 * when an element is not awaitable.
 *
 * Types: `T` is the union of the awaitables' results (mixed arguments are fine); the async
 * iterator yields each Task or Future with its own type ({@link FutureOf}).
 *
 * @example
 * for (const next of asCompleted([a(), b(), c()], { timeout: 10 })) console.log(await next);
 * for await (const task of asCompleted(tasks)) console.log(task.getName(), task.result());
 * @see asyncio.as_completed
 */
export function asCompleted<A extends Awaitable<unknown>>(
  aws: Iterable<A>,
  options?: AsCompletedOptions,
): AsCompletedIterator<AwaitableResult<A>, FutureOf<A>>;
export function asCompleted<T>(aws: Iterable<Awaitable<T>>, options?: AsCompletedOptions): AsCompletedIterator<T> {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`asCompleted options must be an object like {timeout}, got ${describe(options)}`);
  }
  const items = iterableArgument(aws, "asCompleted", "awaitables");
  items.forEach((item, i) => checkAwaitable(item, `asCompleted element ${i + 1}`));
  const timeout = checkTimeout(options?.timeout, "asCompleted timeout");
  let loop: EventLoop | null = null;
  for (const item of items) if (item instanceof Future) loop ??= item.getLoop();
  loop ??= getEventLoop();
  const futures = new Set<Future<T>>();
  const seen = new Set<unknown>();
  for (const item of items) {
    if (seen.has(item)) continue;
    seen.add(item);
    futures.add(ensureFuture(item as Future<T>, { loop }));
  }
  return new AsCompletedIterator(futures, timeout, loop);
}
