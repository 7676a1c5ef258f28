/**
 * The runtime's own coroutine functions (waitFor, wait, asCompleted's steps, TaskGroup.run,
 * timeout): bodies marked hidden, so that they add no stack frames (CONTRACT section 5), run
 * inline when a compiled coroutine awaits a call to them, and start as an eager Task when called
 * as a plain function.
 */
import { BODY, LazyCoroutine, coroutineBody, type Frame } from "./coroutine.js";
import { describe } from "./errors.js";
import { startEagerTask, type Task } from "./task.js";

/** Marks `body` as a hidden coroutine body named `name`; returns it. */
export function hiddenBody<A extends unknown[], T>(name: string, body: (...args: A) => Generator<unknown, T, unknown>): (...args: A) => Frame<T> {
  Object.defineProperty(body, "name", { value: name, configurable: true });
  return coroutineBody(body, { name, file: "corotask", line: 0, column: 0, sites: [], hidden: true });
}

/**
 * A runtime coroutine function in asyncio's sense (sleep, wait, waitFor): `check` throws at the
 * call, where the mistake is; the plain call returns a coroutine object bound to no loop, which
 * runs where it is awaited or scheduled (`createTask(sleep(1))`, `run(sleep(0, "x"))`, a
 * `gather` made before `run()`); `fn[BODY](...)` is the inline form a compiled `await` runs in
 * the awaiting task. `inline`, when given, replaces the inline form (sleep's needs no frame).
 */
export function coroutineFunction<A extends unknown[], P extends unknown[], T>(
  name: string,
  check: (...args: A) => P,
  body: (...args: P) => Generator<unknown, T, unknown>,
  inline?: (...args: A) => unknown,
): (...args: A) => LazyCoroutine<T> {
  const hidden = hiddenBody(name, body);
  const holder = {
    [name](...args: A): LazyCoroutine<T> {
      return new LazyCoroutine(hidden(...check(...args)));
    },
  };
  const fn = holder[name]!;
  Object.defineProperty(fn, BODY, { value: inline ?? ((...args: A): Frame<T> => hidden(...check(...args))) });
  return fn;
}

/** Gives `fn` its inline form, as compiled coroutine functions carry theirs under BODY. */
export function setInlineBody(fn: object, body: (...args: any[]) => Generator): void {
  Object.defineProperty(fn, BODY, { value: body, configurable: true });
}

/**
 * A plain (not compiled `await`) call of a scope: its frame runs as a new Task, started at once
 * up to its first suspension, as an eager compiled call does.
 */
export function startScope<T>(frame: Frame<T>): Task<T> {
  return startEagerTask(frame);
}

/**
 * Starts the user's callback inside the calling task; returns what the task should await. A
 * compiled callback runs inline (its body under BODY): no new Task, so cancelling the task
 * reaches the callback's innermost `await`. Anything else is called and its result awaited: an
 * eager Task, a lazy coroutine, a Promise of a function the transform did not see, or a value.
 */
export function startCallback(callback: unknown, arg: unknown): unknown {
  const inline = (callback as { [BODY]?: unknown })[BODY];
  if (typeof inline === "function") return inline.call(undefined, arg);
  return (callback as (arg: unknown) => unknown)(arg);
}

/** Throws the TypeError for a callback that is not a function. */
export function checkCallback(callback: unknown, where: string): void {
  if (typeof callback !== "function") {
    throw new TypeError(`${where} expects an async function as its body, got ${describe(callback)}`);
  }
}
