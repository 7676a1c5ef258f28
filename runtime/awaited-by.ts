/**
 * Who awaits a Future other than the Task blocked on it: TaskGroup children awaited by their
 * parent task, gather/shield children awaited by the outer future. captureCallGraph() reads it;
 * the combinators write it (asyncio's `future_add_to_awaited_by`).
 */
import type { Future } from "./future.js";

/** inner → the futures and tasks that wait for it. Weak: an entry dies with its future. */
const awaiters = new WeakMap<Future<unknown>, Set<Future<unknown>>>();

/**
 * Records that `outer` awaits `inner` (a gather's outer future awaits each child; a TaskGroup's
 * parent task awaits each child task). Call {@link unregisterAwaitedBy} once `inner` is done.
 * @see asyncio.future_add_to_awaited_by
 */
export function registerAwaitedBy(outer: Future<unknown>, inner: Future<unknown>): void {
  let set = awaiters.get(inner);
  if (set === undefined) awaiters.set(inner, (set = new Set()));
  set.add(outer);
}

/** Forgets that `outer` awaits `inner`. @see asyncio.future_discard_from_awaited_by */
export function unregisterAwaitedBy(outer: Future<unknown>, inner: Future<unknown>): void {
  const set = awaiters.get(inner);
  if (set === undefined) return;
  set.delete(outer);
  if (set.size === 0) awaiters.delete(inner);
}

/** The registered awaiters of `inner` that are not done yet, in registration order. @internal */
export function registeredAwaiters(inner: Future<unknown>): Future<unknown>[] {
  const set = awaiters.get(inner);
  if (set === undefined) return [];
  return [...set].filter((outer) => !outer.done());
}
