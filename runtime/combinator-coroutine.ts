/**
 * The runtime's own coroutine functions (waitFor, wait, asCompleted's steps): bodies marked
 * hidden, so that they add no stack frames (CONTRACT section 5), run inline when a compiled
 * coroutine awaits a call to them, and start as an eager Task when called as a plain function.
 */
import { BODY, LazyCoroutine, coroutineBody, type Frame } from "./coroutine.js";
import { startEagerTask, type Task } from "./task.js";

/** Marks `body` as a hidden coroutine body named `name`; returns it. */
export function hiddenBody<A extends unknown[], T>(name: string, body: (...args: A) => Generator<unknown, T, unknown>): (...args: A) => Frame<T> {
  Object.defineProperty(body, "name", { value: name, configurable: true });
  return coroutineBody(body, { name, file: "corotask", line: 0, column: 0, sites: [], hidden: true });
}

/**
 * A runtime coroutine function. `check` validates and normalises the arguments and throws at
 * the call, where the mistake is, in both forms (the plain call, and the inline form that a
 * compiled `await name(...)` calls); `body` receives what it returns.
 *  - plain call: a Task, started eagerly (what an eager compiled call returns);
 *  - `fn[BODY](...)`: the frame, which the awaiting task runs inline, with no Task of its own.
 */
export function runtimeCoroutine<A extends unknown[], P extends unknown[], T>(
  name: string,
  check: (...args: A) => P,
  body: (...args: P) => Generator<unknown, T, unknown>,
): (...args: A) => Task<T> {
  const hidden = hiddenBody(name, body);
  const inline = (...args: A): Frame<T> => hidden(...check(...args));
  const holder = {
    [name](...args: A): Task<T> {
      return startEagerTask(inline(...args));
    },
  };
  const fn = holder[name]!;
  Object.defineProperty(fn, BODY, { value: inline });
  return fn;
}

/** A lazy coroutine of a hidden body: runs inline when a compiled coroutine awaits it, as a Task when `then` is called. */
export function hiddenCoroutine<T>(frame: Frame<T>): LazyCoroutine<T> {
  return new LazyCoroutine(frame);
}
