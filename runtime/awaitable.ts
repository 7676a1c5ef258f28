/** Awaitables: what the combinators accept, and the checks that turn a bad argument into a clear error. */
import { LazyCoroutine, isFrame, type Coroutine } from "./coroutine.js";
import { RuntimeError, describe } from "./errors.js";
import { Future } from "./future.js";

/**
 * Anything a compiled coroutine can `await` and the combinators accept: a Future or Task, a
 * coroutine (what a lazy coroutine function returns, or a frame), or any thenable (a native
 * Promise, for one).
 */
export type Awaitable<T = unknown> = Future<T> | Coroutine<T> | PromiseLike<T>;

/** True for a Future, a coroutine or a thenable. A `then` getter that throws counts as not awaitable. */
export function isAwaitable(value: unknown): value is Awaitable {
  if (value instanceof Future || value instanceof LazyCoroutine || isFrame(value)) return true;
  if ((typeof value === "object" && value !== null) || typeof value === "function") {
    try {
      return typeof (value as { then?: unknown }).then === "function";
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Throws unless `value` can be awaited: a TypeError naming `what` (e.g. `gather argument 2`),
 * what came and what was expected; a RuntimeError for a coroutine that already ran. Called on
 * every argument before a combinator creates anything, so that bad input leaves no half-made
 * tasks behind.
 */
export function checkAwaitable(value: unknown, what: string): void {
  if (value instanceof LazyCoroutine) {
    if (value.started) throw new RuntimeError(`${what} is the coroutine '${value.name}', which was already awaited; call the function again for a new one`);
    return;
  }
  if (isAwaitable(value)) return;
  let hint = "";
  if (typeof value === "function") hint = `; did you mean to call it: ${value.name || "fn"}()?`;
  else if (Array.isArray(value)) hint = "; spread the array into separate arguments";
  throw new TypeError(`${what} must be awaitable (a Task, a Future, a coroutine or a thenable), got ${describe(value)}${hint}`);
}

/** Throws unless `timeout` is a number of seconds or null/undefined (no timeout); returns it, null for none. */
export function checkTimeout(timeout: unknown, what: string): number | null {
  if (timeout === null || timeout === undefined || timeout === Infinity) return null;
  if (typeof timeout !== "number" || Number.isNaN(timeout)) {
    throw new TypeError(`${what} must be a number of seconds, or null for no timeout, got ${describe(timeout)}`);
  }
  return timeout;
}

/**
 * Throws unless `value` is an iterable collection of awaitables, rather than one awaitable by
 * itself; returns its elements.
 */
export function iterableArgument(value: unknown, what: string, expected: string): unknown[] {
  if (isAwaitable(value)) {
    throw new TypeError(`${what} expected an iterable of ${expected}, got ${describe(value)} by itself; pass [it]`);
  }
  if (value === null || value === undefined || typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
    throw new TypeError(`${what} expected an iterable of ${expected}, got ${describe(value)}`);
  }
  return [...(value as Iterable<unknown>)];
}
