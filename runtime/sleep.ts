/** sleep(): suspend the calling task for a while, or for one loop iteration. */
import { YIELD_TO_LOOP, YieldToLoop, type LazyCoroutine } from "./coroutine.js";
import { coroutineFunction } from "./combinator-coroutine.js";
import { describe } from "./errors.js";
import { getEventLoop } from "./event-loop.js";
import { Future } from "./future.js";
import { runningLoopOrNull } from "./running-loop.js";

function checkDelay(delay: unknown): void {
  if (typeof delay !== "number") throw new TypeError(`sleep delay must be a number of seconds, got ${describe(delay)}`);
  // asyncio raises ValueError: a NaN deadline would never come.
  if (Number.isNaN(delay)) throw new RangeError("sleep delay must be a number of seconds, got NaN");
}

/**
 * What `await sleep(delay, result)` yields to the task, on the loop it runs on: one loop
 * iteration for `delay <= 0` (no allocation without a result), else a Future that a timer
 * resolves. A compiled `await sleep()` calls this directly (sleep's inline form).
 */
function sleepAwaitable<T>(delay: number, result?: T): YieldToLoop<T | undefined> | Future<T | undefined> {
  checkDelay(delay);
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
 *
 * A coroutine function, as in asyncio: a plain call returns a coroutine that starts, and binds
 * to a loop, only when it is awaited or scheduled (`createTask(sleep(1))`,
 * `run(sleep(0, "x"))`, `wait([sleep(1), sleep(2)])`). A bad `delay` throws at the call:
 * TypeError for a non-number, RangeError for NaN.
 * @see asyncio.sleep
 */
export const sleep: <T = undefined>(delay: number, result?: T) => LazyCoroutine<T> = coroutineFunction(
  "sleep",
  (delay: number, result?: unknown): [number, unknown] => {
    checkDelay(delay);
    return [delay, result];
  },
  function* (delay: number, result: unknown): Generator<unknown, unknown, unknown> {
    return yield sleepAwaitable(delay, result);
  },
  sleepAwaitable,
) as <T = undefined>(delay: number, result?: T) => LazyCoroutine<T>;
