/** The runtime's error classes, and the one helper that describes a bad value in a message. */

/**
 * Raised into a coroutine at its `await` when its Task is cancelled; a Future cancelled with
 * `cancel(msg)` raises it with `message` set to `msg`.
 * @see asyncio.CancelledError
 */
export class CancelledError extends Error {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message ?? "", options);
  }
}
CancelledError.prototype.name = "CancelledError";

/**
 * An operation was called on a Future in a state that does not allow it (`result()` of a
 * pending future, a second `setResult`).
 * @see asyncio.InvalidStateError
 */
export class InvalidStateError extends Error {}
InvalidStateError.prototype.name = "InvalidStateError";

/**
 * A deadline passed (`waitFor`, `timeout`, `asCompleted`). When it replaced a cancellation, that
 * `CancelledError` is its `cause`.
 * @see asyncio.TimeoutError
 */
export class TimeoutError extends Error {}
TimeoutError.prototype.name = "TimeoutError";

/**
 * A CancelledError made by the runtime itself (a cancel delivered at an await, a cancelled
 * future's result()): built without capturing a JavaScript stack, which costs about 3 us and
 * would be most of the cost of a cancellation. Its stack gets instead an `at async` line per
 * frame of each await chain it strikes (the cancelled task's, then each task that awaits it and
 * re-raises it), up to Error.stackTraceLimit lines. A user's `new CancelledError()` is unaffected.
 */
export function runtimeCancelledError(message?: string): CancelledError {
  const limit = Error.stackTraceLimit;
  // Not a number: V8 captures nothing at all (0 still walks the stack), about half the cost.
  Error.stackTraceLimit = undefined as unknown as number;
  let error: CancelledError;
  try {
    error = new CancelledError(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
  // Written now, as V8 would format it (name, message, no frames): formatting it when first read,
  // through the host's prepareStackTrace, cost a tenth of a cancellation.
  error.stack = message === undefined || message === "" ? "CancelledError" : `CancelledError: ${message}`;
  return error;
}

/** Python's RuntimeError: misuse that has no better-named error (a closed loop, a reused coroutine). */
export class RuntimeError extends Error {}
RuntimeError.prototype.name = "RuntimeError";

/** A short description of a value for error messages: its type and, for small values, the value. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "number":
    case "boolean":
    case "bigint":
      return `${typeof value} ${String(value)}`;
    case "string":
      return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value)}`;
    case "symbol":
      return String(value);
    case "function":
      return `function ${value.name || "<anonymous>"}`;
  }
  if (value instanceof Promise) return "a native Promise";
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  const name = typeof ctor?.name === "string" && ctor.name !== "" ? ctor.name : "Object";
  return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}`;
}

/**
 * The ways to put a file through the transform, one line per entry point the package exports
 * today: the hint below may only point at what exists (issue 11). Each integration adds its line
 * when it lands (`corotask/typescript`, `node --import corotask/register`, the bundler plugins).
 */
const COMPILE_ROUTES: readonly string[] = [
  "the Babel plugin corotask/babel",
  "the tsc transformer corotask/typescript",
  "node --import corotask/register",
  "corotask run",
  "a bundler plugin such as corotask/vite",
];

/**
 * Said after the routes: the options that leave a file out of the transform. Empty until an
 * integration has them (the loader's and bundler plugins' include/exclude).
 */
const EXCLUDED_HINT = ", and check that its include/exclude options do not leave it out";

/** The fix to suggest wherever a native Promise or async function shows up instead of a coroutine. */
export const NOT_COMPILED_HINT =
  "the function that produced it was not compiled by corotask; add its file to the transform " +
  `(${COMPILE_ROUTES.join(", ")})${EXCLUDED_HINT}`;
