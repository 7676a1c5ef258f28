/** wait(): wait for a set of Tasks and Futures until all, the first, or the first failure is done. */
import { registerAwaitedBy, unregisterAwaitedBy } from "./awaited-by.js";
import { checkTimeout, isAwaitable, iterableArgument } from "./awaitable.js";
import { coroutineFunction } from "./combinator-coroutine.js";
import { LazyCoroutine, isCoroutine, type Coroutine } from "./coroutine.js";
import { RuntimeError } from "./errors.js";
import { describe } from "./errors.js";
import { Future } from "./future.js";
import { currentTask, ensureFuture } from "./task.js";

/** `returnWhen` for {@link wait}: return as soon as any future finishes or is cancelled. @see asyncio.FIRST_COMPLETED */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/**
 * `returnWhen` for {@link wait}: return when any future finishes with an exception (a
 * cancellation does not count), or when all are done. @see asyncio.FIRST_EXCEPTION
 */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** `returnWhen` for {@link wait}: return when all futures are done (the default). @see asyncio.ALL_COMPLETED */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** When {@link wait} returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** The options of {@link wait}. */
export interface WaitOptions {
  /** Seconds to wait at most; null or absent: no limit. When it passes, wait returns (it never raises TimeoutError). */
  timeout?: number | null;
  /** When to return: {@link ALL_COMPLETED} (default), {@link FIRST_COMPLETED} or {@link FIRST_EXCEPTION}. */
  returnWhen?: ReturnWhen;
}

/** What {@link wait} resolves to: the futures that are done, and those that are not. */
export type WaitResult<F> = [done: Set<F>, pending: Set<F>];

/** Checks wait()'s arguments before anything is registered; returns the futures and coroutines, and the options. */
function checkWaitArguments<F extends Future<unknown>>(aws: Iterable<F | Coroutine<unknown>>, options?: WaitOptions): [Array<F | Coroutine<unknown>>, number | null, ReturnWhen] {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`wait options must be an object like {timeout, returnWhen}, got ${describe(options)}`);
  }
  const items = iterableArgument(aws, "wait", "Tasks, Futures or coroutines");
  const returnWhen = options?.returnWhen ?? ALL_COMPLETED;
  if (returnWhen !== ALL_COMPLETED && returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION) {
    throw new RangeError(
      `wait returnWhen must be ALL_COMPLETED, FIRST_COMPLETED or FIRST_EXCEPTION, got ${describe(returnWhen)}`,
    );
  }
  const timeout = checkTimeout(options?.timeout, "wait timeout");
  const unique: Array<F | Coroutine<unknown>> = [];
  const seen = new Set<unknown>();
  items.forEach((item, i) => {
    if (isCoroutine(item)) {
      // CONTRACT section 3: wait takes coroutines (wait([sleep(1)])), each wrapped in a Task on
      // the loop where wait starts, as asyncio before 3.11 did; that Task is what the sets hold.
      if (item instanceof LazyCoroutine && item.started) {
        throw new RuntimeError(`wait element ${i + 1} is the coroutine '${item.name}', which was already awaited; call the function again for a new one`);
      }
    } else if (!(item instanceof Future)) {
      // Neither a Future nor a coroutine: awaitable means a thenable (a `then` getter that throws is not).
      const hint = isAwaitable(item) ? "; wrap a thenable with ensureFuture() and keep that Future to find it in the result" : "";
      throw new TypeError(`wait element ${i + 1} must be a Task, a Future or a coroutine, got ${describe(item)}${hint}`);
    }
    if (!seen.has(item)) {
      seen.add(item);
      unique.push(item as F | Coroutine<unknown>);
    }
  });
  if (unique.length === 0) throw new RangeError("wait expected at least one Task, Future or coroutine, got an empty collection");
  return [unique, timeout, returnWhen];
}

function releaseWaiter(waiter: Future<void>): void {
  if (!waiter.done()) waiter.setResult(undefined);
}

/**
 * The coroutine of wait(): asyncio's `_wait`. Registers one done callback per future and a
 * timer, suspends on a private waiter future, and always unregisters both on the way out.
 */
function* waitBody<F extends Future<unknown>>(items: Array<F | Coroutine<unknown>>, timeout: number | null, returnWhen: ReturnWhen): Generator<unknown, WaitResult<F>, unknown> {
  const task = currentTask();
  const loop = task!.getLoop();
  const fs = new Set<F>(items.map((item) => (item instanceof Future ? item : (ensureFuture(item, { loop }) as F))));
  const waiter = new Future<void>({ loop });
  const timer = timeout === null ? null : loop.callLater(timeout, releaseWaiter, waiter);
  let remaining = fs.size;
  const onCompletion = (f: Future<unknown>): void => {
    remaining--;
    if (
      remaining <= 0 ||
      returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && !f.cancelled() && f.exception() !== null)
    ) {
      timer?.cancel();
      releaseWaiter(waiter);
    }
  };
  for (const f of fs) {
    f.addDoneCallback(onCompletion);
    registerAwaitedBy(task!, f);
  }
  try {
    yield waiter;
  } finally {
    timer?.cancel();
    for (const f of fs) {
      f.removeDoneCallback(onCompletion);
      unregisterAwaitedBy(task!, f);
    }
  }
  const done = new Set<F>();
  const pending = new Set<F>();
  for (const f of fs) (f.done() ? done : pending).add(f);
  return [done, pending];
}

/**
 * Waits for the Tasks and Futures in `aws` (any iterable; duplicates count once) and resolves to
 * `[done, pending]`, two Sets of them. `returnWhen` says when to return: {@link ALL_COMPLETED}
 * (default), {@link FIRST_COMPLETED}, or {@link FIRST_EXCEPTION} (the first to finish with an
 * exception; all, if none does). With `timeout`, returns when it passes with the unfinished ones
 * in `pending`: wait never raises TimeoutError, and never raises the futures' exceptions.
 *
 * Cancellation: cancelling the task that awaits wait() raises CancelledError in it; the awaited
 * futures are not cancelled (cancel the pending ones yourself if they should stop).
 *
 * A coroutine in `aws` (`wait([sleep(1), fetchAll()])`) is wrapped in a Task on the loop where
 * wait starts, and the sets hold that Task (as asyncio before 3.11; keep your own createTask()
 * Tasks to find them in the result).
 *
 * Bad input throws at the call: TypeError for a thenable or anything else that is not a Task,
 * Future or coroutine; RangeError for an empty collection or an unknown `returnWhen`.
 *
 * A coroutine function, as in asyncio: awaited from a compiled coroutine it runs inline; a plain
 * call returns a coroutine that starts where it is awaited or scheduled.
 *
 * @example
 * const [done, pending] = await wait([a, b, c], { timeout: 5, returnWhen: FIRST_COMPLETED });
 * @see asyncio.wait
 */
export const wait: <F extends Future<unknown>>(aws: Iterable<F | Coroutine<unknown>>, options?: WaitOptions) => LazyCoroutine<WaitResult<F>> = coroutineFunction(
  "wait",
  (aws: Iterable<Future<unknown> | Coroutine<unknown>>, options?: WaitOptions) => checkWaitArguments(aws, options),
  waitBody,
) as <F extends Future<unknown>>(aws: Iterable<F | Coroutine<unknown>>, options?: WaitOptions) => LazyCoroutine<WaitResult<F>>;
