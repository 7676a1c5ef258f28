/** waitFor(): await one thing with a timeout, cancelling it when the time is up (Python 3.12+). */
import { checkAwaitable, checkTimeout, type Awaitable } from "./awaitable.js";
import { coroutineFunction } from "./combinator-coroutine.js";
import type { LazyCoroutine } from "./coroutine.js";
import { CancelledError, TimeoutError } from "./errors.js";
import { Future } from "./future.js";
import { currentTask, ensureFuture } from "./task.js";

function releaseWaiter(waiter: Future<void>): void {
  if (!waiter.done()) waiter.setResult(undefined);
}

/**
 * Cancels `fut` and waits until it is done, on a private waiter so that this wait itself stays
 * cancellable even if `fut` ignores the cancellation (asyncio's `_cancel_and_wait`).
 */
function* cancelAndWait(fut: Future<unknown>): Generator<unknown, void, unknown> {
  // On the running loop, where the waiting task is: `fut` may belong to another loop.
  const waiter = new Future<void>({ loop: currentTask()!.getLoop() });
  const onDone = (): void => releaseWaiter(waiter);
  fut.addDoneCallback(onDone);
  try {
    fut.cancel();
    yield waiter;
  } finally {
    fut.removeDoneCallback(onDone);
  }
}

/** The TimeoutError that replaces the CancelledError a timeout caused. */
function timeoutFrom(cancelled: CancelledError): TimeoutError {
  return new TimeoutError("", { cause: cancelled });
}

// The timeout is kept here rather than borrowed from timeout.ts so that the two modules stay
// independent; it follows asyncio.Timeout step by step: remember cancelling() on entry, cancel
// the task when the deadline passes, and on exit uncancel() once and turn the CancelledError into
// TimeoutError only if no other cancellation arrived meanwhile.
function* waitForBody<T>(aw: Awaitable<T>, timeout: number | null): Generator<unknown, T, unknown> {
  if (timeout === null) return (yield aw) as T;

  if (timeout <= 0) {
    // asyncio special-cases this: the awaitable is cancelled at once, unless already done.
    const fut = ensureFuture(aw as Future<T>);
    if (fut.done()) return fut.result();
    yield* cancelAndWait(fut);
    try {
      return fut.result();
    } catch (error) {
      if (error instanceof CancelledError) throw timeoutFrom(error);
      throw error;
    }
  }

  const task = currentTask()!;
  const cancellingOnEntry = task.cancelling();
  let expired = false;
  const timer = task.getLoop().callLater(timeout, () => {
    expired = true;
    task.cancel();
  });
  let result: T;
  try {
    result = (yield aw) as T;
  } catch (error) {
    timer.cancel();
    if (expired && task.uncancel() <= cancellingOnEntry && error instanceof CancelledError) {
      throw timeoutFrom(error);
    }
    throw error;
  }
  timer.cancel();
  // The awaited thing caught the timeout's cancellation and returned: take the request back.
  if (expired) task.uncancel();
  return result;
}

/**
 * Awaits `aw` for at most `timeout` seconds and resolves to its result. When the time is up,
 * `aw` is cancelled, waitFor waits for it to finish cancelling, and raises TimeoutError whose
 * `cause` is the CancelledError it replaced. If `aw` handles the cancellation and returns a
 * value anyway, waitFor returns that value. To keep `aw` running past the timeout, pass
 * `shield(aw)`.
 *
 * `timeout` null waits forever (Infinity too). `timeout <= 0` cancels `aw` at once if it is not
 * done yet (a coroutine is wrapped in a Task first, and never starts), and returns its result if
 * it is already done.
 *
 * Cancellation: cancelling the task that awaits waitFor cancels `aw` too, and the
 * CancelledError propagates (never turned into TimeoutError, even when the deadline passes at
 * the same time). As in Python 3.12+, `aw` is awaited directly in the calling task: a
 * coroutine runs inline, with no Task of its own.
 *
 * Bad input throws at the call: TypeError when `aw` is not awaitable or `timeout` is neither a
 * number nor null. A coroutine function, as in asyncio: awaited from a compiled coroutine it
 * runs inline; a plain call returns a coroutine that starts where it is awaited or scheduled.
 *
 * @example
 * try { const page = await waitFor(fetchPage(url), 10); } catch (e) { if (e instanceof TimeoutError) retry(); else throw e; }
 * @see asyncio.wait_for
 */
export const waitFor: <T>(aw: Awaitable<T>, timeout: number | null) => LazyCoroutine<T> = coroutineFunction(
  "waitFor",
  (aw: Awaitable<unknown>, timeout: number | null): [Awaitable<unknown>, number | null] => {
    checkAwaitable(aw, "waitFor's first argument");
    return [aw, checkTimeout(timeout, "waitFor timeout")];
  },
  waitForBody,
) as <T>(aw: Awaitable<T>, timeout: number | null) => LazyCoroutine<T>;
