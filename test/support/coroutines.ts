/**
 * Hand-written coroutine functions for runtime tests: what the transform would emit, without
 * the transform. `define("child", 10, function* () { yield at(0, sleep(1)); })` gives an eager
 * coroutine function whose await site 0 is line 11 of file "test.ts".
 */
import { abi, getRunningLoop, sleep, type Task } from "../../runtime/index.js";
import type { Frame, FunctionInfo, LazyCoroutine } from "../../runtime/coroutine.js";

export const FILE = "test.ts";

/** Writes the await-site register, as emitted code does after evaluating the operand. */
export function at<T>(site: number, value: T): T {
  abi.siteRegister.at = site;
  return value;
}

export interface DefineOptions {
  mode?: "eager" | "lazy";
  /** Source text per await site; site i is on line `line + 1 + i`. */
  sources?: string[];
  sites?: number;
  catches?: number;
}

/**
 * A compiled-style coroutine function named `name`, defined at `line`, with `body` as its body.
 * Its calls return a Task (eager mode) or a LazyCoroutine (lazy mode).
 */
export function define<A extends unknown[], T>(
  name: string,
  line: number,
  body: (...args: A) => Generator<unknown, T, unknown>,
  options: DefineOptions & { mode: "lazy" },
): ((...args: A) => LazyCoroutine<T>) & { body: (...args: A) => Frame<T> };
export function define<A extends unknown[], T>(
  name: string,
  line: number,
  body: (...args: A) => Generator<unknown, T, unknown>,
  options?: DefineOptions & { mode?: "eager" },
): ((...args: A) => Task<T>) & { body: (...args: A) => Frame<T> };
export function define<A extends unknown[], T>(
  name: string,
  line: number,
  body: (...args: A) => Generator<unknown, T, unknown>,
  options: DefineOptions = {},
): ((...args: A) => Task<T> | LazyCoroutine<T>) & { body: (...args: A) => Frame<T> } {
  const count = Math.max(options.sites ?? 4, options.sources?.length ?? 0);
  const info: FunctionInfo = {
    name,
    file: FILE,
    line,
    column: 1,
    sites: Array.from({ length: count }, (_, i) => ({
      line: line + 1 + i,
      column: 3,
      ...(options.sources?.[i] !== undefined ? { source: options.sources[i] } : {}),
    })),
    catches: Array.from({ length: options.catches ?? 2 }, (_, i) => ({ line: line + 20 + i, column: 5 })),
  };
  Object.defineProperty(body, "name", { value: name });
  abi.coroutineBody(body, info);
  const fn = abi.asyncFunction(body, options.mode ?? "eager") as any;
  fn.body = body;
  return fn;
}

/** The inline-call form of `await fn(...args)`: the body's frame. */
export function inline<A extends unknown[], T>(fn: { body: (...args: A) => Frame<T> }, ...args: A): Frame<T> {
  return fn.body(...args);
}

/**
 * The hand-written form of what the transform emits for `await f(...)` in a body: `yield*
 * delegating(frame, k, site)` runs a frame by delegation while the chain has room (recording it
 * for stacks) and yields it to the trampoline past that; `k` is `abi.siteRegister.depth` read
 * when the body started. Resolves to the callee's result.
 */
export function* delegating<T>(frame: Frame<T>, k: number, site: number): Generator<unknown, T, unknown> {
  if (!abi.delegateFrame(frame as Frame, k, site)) return (yield frame) as T;
  const value = yield* frame;
  if (abi.delegationReturned(value, k)) return (yield at(site, value)) as T;
  return value;
}

/** The running loop's time (virtual in most tests). */
export const now = (): number => getRunningLoop().time();

/** `async function job(delay, value)`: sleeps `delay`, then returns `value`, or throws it if it is an Error. */
export const job = define("job", 10, function* (delay: number, value: unknown) {
  yield at(0, sleep(delay));
  if (value instanceof Error) throw value;
  return value;
});

/** Calls `fn`: a plain function of this folder, for stacks that pass through another folder. */
export function callThrough<T>(fn: () => T): T {
  return fn();
}
