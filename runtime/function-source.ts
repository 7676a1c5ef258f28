/**
 * The `toString()` of a compiled coroutine function's public function: its header as the
 * transform recorded it (`async function f(a, b = 1)`) and a body that says the code is not
 * shown, as `Function.prototype.toString` writes it for built-in functions. Dependency-injection
 * containers read parameter names from this text.
 */
import { entryInfo, type CoroutineBody } from "./coroutine.js";

/** A FunctionInfo written by a transform that records headers (corotask 0.1 and later). */
interface WithHeader {
  readonly header?: string;
}

const bodies = new WeakMap<object, CoroutineBody>();

// One shared method: installing it costs one property per public function, made once when the
// function is created, and nothing on the call path.
const toStringMethod = {
  toString(this: unknown): string {
    const body = typeof this === "function" ? bodies.get(this) : undefined;
    if (body === undefined) return Function.prototype.toString.call(this);
    const info = entryInfo(body) as (WithHeader & { name?: string }) | null;
    const header = info?.header ?? `async function ${body.name}()`;
    return `${header} { [native code] }`;
  },
}.toString;

/** Makes `fn.toString()` read as the async function that `body` was compiled from. */
export function reflectSource(fn: object, body: CoroutineBody): void {
  bodies.set(fn, body);
  Object.defineProperty(fn, "toString", { value: toStringMethod, writable: true, configurable: true });
}
