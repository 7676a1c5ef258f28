/** shield(): await something without letting a cancellation of the awaiting task reach it. */
import { registerAwaitedBy, unregisterAwaitedBy } from "./awaited-by.js";
import { checkAwaitable, type Awaitable } from "./awaitable.js";
import { Future } from "./future.js";
import { currentTask, ensureFuture } from "./task.js";

/**
 * Waits for `aw`, shielding it from cancellation. `await shield(something())` is exactly
 * equivalent to `await something()`, except that if the task awaiting it is cancelled, the task
 * running `something()` is not: from its point of view the cancellation did not happen. The
 * awaiting task still gets its CancelledError at the `await`.
 *
 * A coroutine is wrapped in a Task, a thenable in a Future. If `aw` is already done, it is
 * returned as is. Otherwise the result is a new Future (the "outer") that follows `aw`:
 * its result, its exception, and its cancellation, if `aw` is cancelled by other means.
 * Once the outer is cancelled, `aw`'s outcome is dropped: an exception it ends with is reported
 * through the loop's exception handler as never retrieved (once, however many shields wrap it),
 * as in asyncio 3.13.
 *
 * To ignore cancellation entirely (not recommended), catch the CancelledError around the await.
 * Keep a reference to a shielded Task if you need its outcome after a cancellation.
 *
 * @example
 * try { await shield(saveToDisk(data)); } catch (e) { if (e instanceof CancelledError) log("save continues"); throw e; }
 * @see asyncio.shield
 */
export function shield<T>(aw: Awaitable<T>): Future<T> {
  checkAwaitable(aw, "shield's argument");
  const inner = ensureFuture(aw as Future<T>);
  if (inner.done()) return inner;
  const loop = inner.getLoop();
  const outer = new Future<T>({ loop });
  const awaiting = currentTask(loop);
  if (awaiting !== null) registerAwaitedBy(awaiting, inner);

  const onInnerDone = (): void => {
    if (awaiting !== null) unregisterAwaitedBy(awaiting, inner);
    // As asyncio 3.13: once the outer is cancelled, nobody will look at the inner's outcome, and
    // a failure there is left to be reported as never retrieved (once: reports go by exception).
    if (outer.cancelled()) return;
    if (inner.cancelled()) outer.cancel(inner.cancelMessage());
    else if (inner.hasException()) outer.setException(inner.exception());
    else outer.setResult(inner.result());
  };
  const onOuterDone = (): void => {
    if (!inner.done()) {
      inner.removeDoneCallback(onInnerDone);
      if (awaiting !== null) unregisterAwaitedBy(awaiting, inner);
    }
  };
  inner.addDoneCallback(onInnerDone);
  outer.addDoneCallback(onOuterDone);
  return outer;
}
