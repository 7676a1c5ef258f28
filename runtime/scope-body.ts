/**
 * How the runtime's scopes that take a user callback (TaskGroup.run, timeout, timeoutAt) run:
 * inline in the awaiting task when compiled code awaits them, as a new Task from a plain call,
 * and the callback itself started inside that task.
 */
import { BODY, coroutineBody, type Frame } from "./coroutine.js";
import { describe } from "./errors.js";
import { startEagerTask, type Task } from "./task.js";

/**
 * Brands `body` as a hidden coroutine body named `name`: its frames run inline in the awaiting
 * task and add no stack frames. `this` is kept, for methods (`tg.run[BODY].call(tg, cb)`).
 */
export function scopeBody<F extends (...args: any[]) => Generator>(name: string, body: F): F {
  Object.defineProperty(body, "name", { value: name, configurable: true });
  return coroutineBody(body, { name, file: "corotask", line: 0, column: 0, sites: [], hidden: true });
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
