/**
 * What code emitted by the corotask transform imports (as the `abi` export of `corotask`), and
 * nothing else imports. The protocol itself is described in coroutine.ts.
 */
import {
  AsyncFunctionPrototype,
  BODY,
  LazyCoroutine,
  coroutineBody,
  delegate,
  delegateFrame,
  siteRegister,
  type Frame,
  type StartMode,
} from "./coroutine.js";
import { caught, delegationReturned, failedTask, startEagerTask, type Task } from "./task.js";
import { reflectSource } from "./function-source.js";

export { BODY, caught, coroutineBody, delegate, delegateFrame, delegationReturned, siteRegister };
export {
  asyncGeneratorFunction,
  agYield,
  asyncDelegate,
  asyncIterator,
  asyncIteratorStep,
  asyncIteratorClose,
  asyncDisposableScope,
} from "./async-generator.js";
export type { FunctionInfo, SiteInfo } from "./coroutine.js";

/** Starts a frame as a compiled call does: eager → a running Task; lazy → a coroutine object. */
export function start<T>(frame: Frame<T>, mode: StartMode): Task<T> | LazyCoroutine<T> {
  return mode === "lazy" ? new LazyCoroutine(frame) : startEagerTask(frame);
}

/** Eager start: runs the frame at once up to its first suspension, as a Task. */
export function startEager<T>(frame: Frame<T>): Task<T> {
  return startEagerTask(frame);
}

/** Lazy start: a coroutine object that runs when awaited or scheduled. */
export function startLazy<T>(frame: Frame<T>): LazyCoroutine<T> {
  return new LazyCoroutine(frame);
}

/** A call whose parameter initialisation threw: a failed Task (eager) or failing coroutine (lazy). */
export function rejectedStart<T>(error: unknown, mode: StartMode): Task<T> | LazyCoroutine<T> {
  return failedTask<T>(error, mode !== "lazy");
}

/**
 * The public function object of a coroutine body: not constructible, no own `prototype`,
 * `AsyncFunction.prototype` as its prototype, the body's `name` and `length`, and the body under
 * {@link BODY} so that a compiled `await f()` runs it inline, and a `toString()` that shows the
 * source function's header (see function-source.ts).
 */
export function asyncFunction<A extends unknown[], T>(
  body: (...args: A) => Frame<T>,
  mode: StartMode,
): (...args: A) => Task<T> | LazyCoroutine<T> {
  const lazy = mode === "lazy";
  // A method: methods have no [[Construct]] and no prototype property.
  const holder = {
    coroutine(this: unknown, ...args: A): Task<T> | LazyCoroutine<T> {
      let frame: Frame<T>;
      try {
        frame = body.apply(this, args);
      } catch (error) {
        return failedTask<T>(error, !lazy);
      }
      return lazy ? new LazyCoroutine(frame) : startEagerTask(frame);
    },
  };
  const fn = holder.coroutine;
  Object.defineProperty(fn, "length", { value: body.length, configurable: true });
  Object.defineProperty(fn, "name", { value: body.name, configurable: true });
  Object.defineProperty(fn, BODY, { value: body });
  reflectSource(fn, body);
  Object.setPrototypeOf(fn, AsyncFunctionPrototype);
  return fn;
}
