/**
 * Who awaits a Future other than the Task blocked on it: TaskGroup children awaited by their
 * parent task, gather/shield children awaited by the outer future. captureCallGraph() reads it;
 * the combinators write it (asyncio's `future_add_to_awaited_by`). Stored on the future itself,
 * as asyncio does: a registry keyed by future cost a third of a gather of 100,000 tasks.
 */
import type { Future } from "./future.js";

/**
 * Records that `outer` awaits `inner` (a gather's outer future awaits each child; a TaskGroup's
 * parent task awaits each child task).
 * @see asyncio.future_add_to_awaited_by
 */
export function registerAwaitedBy(outer: Future<unknown>, inner: Future<unknown>): void {
  inner.addAwaitedBy(outer);
}

/** Forgets that `outer` awaits `inner`. @see asyncio.future_discard_from_awaited_by */
export function unregisterAwaitedBy(outer: Future<unknown>, inner: Future<unknown>): void {
  inner.discardAwaitedBy(outer);
}

/** The registered awaiters of `inner` that are not done yet, in registration order. @internal */
export function registeredAwaiters(inner: Future<unknown>): Future<unknown>[] {
  return inner.awaitedBy().filter((outer) => !outer.done());
}
