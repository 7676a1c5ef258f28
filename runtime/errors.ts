/** The runtime's error classes, and the one helper that describes a bad value in a message. */

/** {@link cancelStackLines}: the runtime has not yet looked at this error's stack. @internal */
export const FRAMES_UNCHECKED = -2;
/** {@link cancelStackLines}: the error's stack has frames V8 wrote (a user's `new CancelledError()`). @internal */
export const HAS_OWN_FRAMES = -1;
/**
 * The `at async` lines the runtime wrote on a CancelledError's stack that has no frames of its
 * own, or HAS_OWN_FRAMES / FRAMES_UNCHECKED. Set by the class (its field is private).
 * @internal
 */
export let cancelStackLines: (error: CancelledError) => number;
/** Records how many `at async` lines `error`'s stack now has (or HAS_OWN_FRAMES). @internal */
export let setCancelStackLines: (error: CancelledError, lines: number) => void;

/** The stack of a message-less CancelledError the runtime made, before any `at async` line. @internal */
export const CANCELLED_HEADER = "CancelledError";

/**
 * Raised into a coroutine at its `await` when its Task is cancelled; a Future cancelled with
 * `cancel(msg)` raises it with `message` set to `msg`.
 * @see asyncio.CancelledError
 */
export class CancelledError extends Error {
  // How many `at async` lines the runtime wrote on this error's stack, when the stack has no
  // frames of its own (see runtimeCancelledError); FRAMES_UNCHECKED until the runtime first looks,
  // HAS_OWN_FRAMES when V8 wrote frames. Kept here, not read off the stack: `stack` is an
  // accessor into the engine, and a cancellation would otherwise read it and scan it each time.
  #writtenLines = FRAMES_UNCHECKED;

  constructor(message?: string, options?: { cause?: unknown }) {
    super(message ?? "", options);
  }

  static {
    cancelStackLines = (error) => error.#writtenLines;
    setCancelStackLines = (error, lines) => {
      error.#writtenLines = lines;
    };
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
  error.stack = message === undefined || message === "" ? CANCELLED_HEADER : `CancelledError: ${message}`;
  setCancelStackLines(error, 0);
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
