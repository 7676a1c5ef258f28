/** sleep(): suspend the calling task for a while, or for one loop iteration. */
import { BODY, YIELD_TO_LOOP, YieldToLoop } from "./coroutine.js";
import { describe } from "./errors.js";
import { getEventLoop } from "./event-loop.js";
import { Future } from "./future.js";
import { runningLoopOrNull } from "./running-loop.js";

/**
 * What `await sleep(delay, result)` yields to the task: one loop iteration for `delay <= 0`
 * (no allocation without a result), else a Future that a timer resolves. Shared by the inline
 * (compiled `await sleep()`) and the plain call.
 */
function sleepAwaitable<T>(delay: number, result?: T): YieldToLoop<T | undefined> | Future<T | undefined> {
  if (typeof delay !== "number" || Number.isNaN(delay)) {
    throw new TypeError(`sleep delay must be a number of seconds, got ${describe(delay)}`);
  }
  if (delay <= 0) return result === undefined ? (YIELD_TO_LOOP as YieldToLoop<undefined>) : new YieldToLoop(result);
  const loop = runningLoopOrNull() ?? getEventLoop();
  const future = new Future<T | undefined>({ loop });
  const timer = loop.callLater(delay, resolveUnlessDone, future, result);
  future.addDoneCallback(() => timer.cancel());
  return future;
}

function resolveUnlessDone<T>(future: Future<T>, result: T): void {
  if (!future.done()) future.setResult(result);
}

/**
 * Suspends the calling task for `delay` seconds and resolves to `result`. `delay <= 0` yields
 * exactly one loop iteration. Cancelling the task while it sleeps cancels the sleep.
 * @see asyncio.sleep
 */
export function sleep<T = undefined>(delay: number, result?: T): Future<T> {
  const awaitable = sleepAwaitable(delay, result);
  if (awaitable instanceof Future) return awaitable as Future<T>;
  // Called as a plain function (not `await sleep()` in compiled code): a Future done next iteration.
  const loop = runningLoopOrNull() ?? getEventLoop();
  const future = new Future<T>({ loop });
  loop.callSoon(resolveUnlessDone, future, result as T);
  return future;
}
// Compiled `await sleep(...)` calls this instead: the task yields to the loop without a Future.
(sleep as unknown as Record<symbol, unknown>)[BODY] = sleepAwaitable;
