/**
 * Async generators, `for await` and `await using` for compiled code: the public function and
 * objects of an async generator function, and the helper generators emitted code delegates to
 * with `yield*` so that their awaits run in the awaiting task (and so are cancellable there).
 *
 * A compiled async generator body is a plain generator that yields three kinds of values:
 *  - {@link agYield} (its `value` set just before): the body's own `yield v`, whose value the
 *    driver awaits (a rejection throws at that `yield`, as natively);
 *  - {@link agDelegateYield}: a value from `yield*`, delivered as is;
 *  - {@link agReturnNow}: `yield*` asks the driver to make the body return (a `return()` request
 *    that the inner iterator completed);
 *  - anything else: an `await` operand (the body wrote `siteRegister.at` before), which the
 *    driver frame yields to the task that is stepping it.
 * One request (`next`/`throw`/`return`) runs at a time; later ones wait for their turn, in order.
 */
import {
  AsyncGeneratorFunctionPrototype,
  BODY,
  coroutineBody,
  frameInfo,
  setFrameStandIn,
  siteRegister,
  type Frame,
  type FunctionInfo,
  type StartMode,
} from "./coroutine.js";
import { Future } from "./future.js";
import { startEagerTask } from "./task.js";
import { reflectSource } from "./function-source.js";

/** The request a body yields for its own `yield v`: one shared object, `value` written just before. */
export const agYield: { value: unknown } = { value: undefined };
/** The request a body's `yield*` yields for each value of the inner iterator (not awaited again). */
export const agDelegateYield: { value: unknown } = { value: undefined };
/** The request `yield*` yields when a `return()` request completed the inner iterator. */
export const agReturnNow: { value: unknown } = { value: undefined };

const NEXT = 0;
const THROW = 1;
const RETURN = 2;
type RequestKind = typeof NEXT | typeof THROW | typeof RETURN;

/** How `yield*` resumes its helper: the request that reached the body at that point. */
interface Resumption {
  readonly kind: RequestKind;
  readonly value: unknown;
}

const HIDDEN: FunctionInfo = { name: "asyncGenerator", file: "corotask", line: 0, column: 0, sites: [], hidden: true };

// States of an async generator object:
//  suspended-start - body created, never resumed (started false).
//  suspended-yield - body paused at a yield (started true, busy false).
//  executing       - a request's driver frame is running or awaiting (busy true).
//  completed       - body is null.
// Requests that arrive while busy wait on a Future in #turns, resolved in order.
class AsyncGeneratorState {
  /** The compiled body's generator; null once the generator completed. */
  body: Generator<unknown, unknown, unknown> | null;
  started = false;
  /** A request's driver frame holds the generator. */
  busy = false;
  /** The body is paused at a `yield*` value: resume it with a {@link Resumption}. */
  atDelegate = false;
  /** Requests waiting for their turn, oldest first. */
  readonly turns: Future<void>[] = [];
  constructor(body: Generator<unknown, unknown, unknown>) {
    this.body = body;
  }
}

// Stamps a private field onto an object made by Object.create (the base constructor returns
// the given object): state lookups are then a private-field read rather than a WeakMap lookup.
class Stamp {
  constructor(target: object) {
    return target;
  }
}
class AsyncGeneratorBrand extends Stamp {
  #state: AsyncGeneratorState;
  constructor(target: object, state: AsyncGeneratorState) {
    super(target);
    this.#state = state;
  }
  static stateOf(value: unknown, method: string): AsyncGeneratorState {
    if (typeof value === "object" && value !== null && #state in value) return (value as AsyncGeneratorBrand).#state;
    throw new TypeError(`AsyncGenerator.prototype.${method} called on an object that is not a compiled async generator`);
  }
}

function isThenable(value: unknown): boolean {
  return (typeof value === "object" && value !== null) || typeof value === "function"
    ? typeof (value as { then?: unknown }).then === "function"
    : false;
}

/** Waits for `value` when it is a thenable; plain values need no loop iteration. */
function* awaitValue(value: unknown): Generator<unknown, unknown, unknown> {
  return isThenable(value) ? yield value : value;
}

/** Runs one request against the body: the frame `await it.next(v)` runs inline, or a Task runs for a plain call. */
const resume = coroutineBody(function* resume(
  this: AsyncGeneratorState,
  kind: RequestKind,
  value: unknown,
): Generator<unknown, IteratorResult<unknown>, unknown> {
  if (this.busy) {
    const turn = new Future<void>();
    this.turns.push(turn);
    try {
      yield turn;
    } catch (error) {
      const at = this.turns.indexOf(turn);
      if (at >= 0) this.turns.splice(at, 1);
      throw error;
    }
  }
  this.busy = true;
  try {
    return yield* drive(this, kind, value);
  } finally {
    this.busy = false;
    let turn: Future<void> | undefined;
    while ((turn = this.turns.shift()) !== undefined && turn.done()) {
      // A waiter whose task was cancelled: skip it.
    }
    turn?.setResult(undefined);
  }
}, HIDDEN);

/** The frame of one request; stacks show the generator's own function in its place. */
function requestFrame(state: AsyncGeneratorState, kind: RequestKind, value: unknown): Frame<IteratorResult<unknown>> {
  const frame = resume.call(state, kind, value);
  setFrameStandIn(frame, () => (state.body === null ? null : frameInfo(state.body)));
  return frame;
}

function* drive(state: AsyncGeneratorState, kind: RequestKind, value: unknown): Generator<unknown, IteratorResult<unknown>, unknown> {
  const body = state.body;
  if (body === null || (!state.started && kind !== NEXT)) {
    // Completed, or return()/throw() before the first next(): the body never runs again.
    state.body = null;
    if (kind === NEXT) return { value: undefined, done: true };
    if (kind === THROW) throw value;
    return { value: yield* awaitValue(value), done: true };
  }
  state.started = true;
  let mode: RequestKind = kind;
  let sent = value;
  if (mode === RETURN && !state.atDelegate) {
    // return(v) at a plain yield awaits v inside the body: a rejection throws there.
    try {
      sent = yield* awaitValue(sent);
    } catch (error) {
      mode = THROW;
      sent = error;
    }
  }
  for (;;) {
    let step: IteratorResult<unknown, unknown>;
    try {
      if (state.atDelegate) {
        state.atDelegate = false;
        step = body.next({ kind: mode, value: sent } satisfies Resumption);
      } else {
        step = mode === NEXT ? body.next(sent) : mode === THROW ? body.throw(sent) : body.return(sent);
      }
    } catch (error) {
      state.body = null;
      throw error;
    }
    if (step.done === true) {
      state.body = null;
      return { value: step.value, done: true };
    }
    const request = step.value;
    if (request === agYield) {
      const yielded = agYield.value;
      agYield.value = undefined;
      try {
        return { value: yield* awaitValue(yielded), done: false };
      } catch (error) {
        mode = THROW;
        sent = error;
        continue;
      }
    }
    if (request === agDelegateYield) {
      const yielded = agDelegateYield.value;
      agDelegateYield.value = undefined;
      state.atDelegate = true;
      return { value: yielded, done: false };
    }
    if (request === agReturnNow) {
      mode = RETURN;
      sent = agReturnNow.value;
      agReturnNow.value = undefined;
      continue;
    }
    // An await of the body: this frame waits for it in the task that steps it.
    try {
      sent = yield request;
      mode = NEXT;
    } catch (error) {
      mode = THROW;
      sent = error;
    }
  }
}

/** A request made by a plain call (not `await it.next()` in compiled code): a Promise, as natively. */
function requestPromise(self: unknown, kind: RequestKind, value: unknown, method: string): Promise<IteratorResult<unknown>> {
  let state: AsyncGeneratorState;
  try {
    state = AsyncGeneratorBrand.stateOf(self, method);
  } catch (error) {
    return Promise.reject(error);
  }
  const task = startEagerTask(requestFrame(state, kind, value));
  return new Promise((resolve, reject) => task.then(resolve, reject));
}

// The methods every compiled async generator object has. Each carries, under BODY, the body
// that compiled `await it.next(v)` calls to run the request inline in the awaiting task.
const methods = {
  next(value?: unknown): Promise<IteratorResult<unknown>> {
    return requestPromise(this, NEXT, value, "next");
  },
  return(value?: unknown): Promise<IteratorResult<unknown>> {
    return requestPromise(this, RETURN, value, "return");
  },
  throw(value?: unknown): Promise<IteratorResult<unknown>> {
    return requestPromise(this, THROW, value, "throw");
  },
};
function inlineBody(kind: RequestKind, method: string) {
  return coroutineBody(function* (this: unknown, value?: unknown) {
    return yield requestFrame(AsyncGeneratorBrand.stateOf(this, method), kind, value);
  }, HIDDEN);
}
Object.defineProperty(methods.next, BODY, { value: inlineBody(NEXT, "next") });
Object.defineProperty(methods.return, BODY, { value: inlineBody(RETURN, "return") });
Object.defineProperty(methods.throw, BODY, { value: inlineBody(THROW, "throw") });

const AsyncGeneratorPrototype = (AsyncGeneratorFunctionPrototype as { prototype: object }).prototype;

/**
 * The public function of a compiled async generator function: its prototype is
 * `AsyncGeneratorFunction.prototype`, it has its own `prototype` object (inheriting
 * `%AsyncGeneratorPrototype%`, with the compiled `next`/`return`/`throw`), it is not
 * constructible, and its `name`/`length` are the body's. `mode` is accepted for symmetry with
 * asyncFunction: requests always start at once, as a Promise-returning `next()` must.
 */
export function asyncGeneratorFunction<A extends unknown[]>(
  body: (...args: A) => Generator<unknown, unknown, unknown>,
  _mode: StartMode = "eager",
): (...args: A) => AsyncGenerator<unknown, unknown, unknown> {
  const holder = {
    asyncGenerator(this: unknown, ...args: A): AsyncGenerator<unknown, unknown, unknown> {
      const generator = body.apply(this, args);
      const proto = (fn as { prototype?: unknown }).prototype;
      if (typeof proto === "object" && proto !== null) {
        return new AsyncGeneratorBrand(Object.create(proto), new AsyncGeneratorState(generator)) as never;
      }
      // A `prototype` that is not an object: natively the object inherits the realm's
      // %AsyncGeneratorPrototype%, whose methods only serve native generators; this one carries
      // the compiled methods itself.
      return new AsyncGeneratorBrand(withMethods(Object.create(AsyncGeneratorPrototype)), new AsyncGeneratorState(generator)) as never;
    },
  };
  const fn = holder.asyncGenerator;
  Object.defineProperty(fn, "length", { value: body.length, configurable: true });
  Object.defineProperty(fn, "name", { value: body.name, configurable: true });
  Object.defineProperty(fn, "prototype", { value: makePrototype(), writable: true });
  // No BODY here: `await gen()` must get the generator object, not run the body inline.
  reflectSource(fn, body);
  Object.setPrototypeOf(fn, AsyncGeneratorFunctionPrototype);
  return fn;
}

function makePrototype(): object {
  return withMethods(Object.create(AsyncGeneratorPrototype) as object);
}

/** Gives `target` the compiled next/return/throw, non-enumerable as built-in methods are. */
function withMethods(target: object): object {
  // No array iteration here: user code may have replaced Array.prototype[Symbol.iterator].
  Object.defineProperty(target, "next", { value: methods.next, writable: true, configurable: true });
  Object.defineProperty(target, "return", { value: methods.return, writable: true, configurable: true });
  Object.defineProperty(target, "throw", { value: methods.throw, writable: true, configurable: true });
  return target;
}

// ---- yield* in async generator bodies ----

/** The iterator record of `for await` and `yield*`: the iterator, its `next`, and whether it came from a sync iterable. */
export interface AsyncIteratorRecord {
  readonly iterator: object;
  readonly next: (...args: unknown[]) => unknown;
  readonly sync: boolean;
  /** True while the loop body runs: leaving it then must close the iterator. */
  open: boolean;
  /** The value of the current step. */
  value: unknown;
}

function describeNonIterable(value: unknown): string {
  return value === null ? "null" : typeof value === "object" ? "object" : `${typeof value} ${String(value)}`;
}

/** GetIterator(value, async): the async iterator, or a sync iterator to wrap (CreateAsyncFromSyncIterator). */
export function asyncIterator(iterable: unknown): AsyncIteratorRecord {
  if (iterable !== null && iterable !== undefined) {
    const obj = Object(iterable) as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown };
    const asyncMethod = obj[Symbol.asyncIterator];
    let sync = false;
    let method = asyncMethod;
    if (method === undefined || method === null) {
      method = obj[Symbol.iterator];
      sync = true;
    }
    if (typeof method === "function") {
      const iterator = method.call(iterable) as object;
      if ((typeof iterator !== "object" || iterator === null) && typeof iterator !== "function") {
        throw new TypeError("Result of the Symbol.asyncIterator method is not an object");
      }
      const next = (iterator as { next?: unknown }).next as AsyncIteratorRecord["next"];
      return { iterator, next, sync, open: false, value: undefined };
    }
  }
  throw new TypeError(`${describeNonIterable(iterable)} is not async iterable`);
}

function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

/**
 * One step of `for await`: calls next, awaits the result (inline when the iterator is a compiled
 * async generator), and returns true when the iterator is done; the value is left in
 * `record.value`. Delegated to with `yield*` from the loop's head.
 */
export function* asyncIteratorStep(record: AsyncIteratorRecord, site: number): Generator<unknown, boolean, unknown> {
  record.open = false;
  let result: unknown;
  if (record.sync) {
    result = record.next.call(record.iterator);
    if (!isObject(result)) throw new TypeError(`Iterator result ${String(result)} is not an object`);
    const done = Boolean((result as IteratorResult<unknown>).done);
    let value = (result as IteratorResult<unknown>).value;
    if (!done && isThenable(value)) {
      siteRegister.at = site;
      try {
        value = yield value;
      } catch (error) {
        // A rejected value closes the sync iterator (Async-from-Sync iterator, ES2025).
        const close = (record.iterator as { return?: () => unknown }).return;
        if (typeof close === "function") {
          try {
            close.call(record.iterator);
          } catch {
            // The rejection is what propagates.
          }
        }
        throw error;
      }
    }
    record.value = value;
    record.open = !done;
    return done;
  }
  const inline = (record.next as { [BODY]?: (...args: unknown[]) => unknown } | undefined)?.[BODY];
  const pending = inline !== undefined ? inline.call(record.iterator) : record.next.call(record.iterator);
  siteRegister.at = site;
  result = yield pending;
  if (!isObject(result)) throw new TypeError(`Iterator result ${String(result)} is not an object`);
  const done = Boolean((result as IteratorResult<unknown>).done);
  if (!done) record.value = (result as IteratorResult<unknown>).value;
  record.open = !done;
  return done;
}

/**
 * AsyncIteratorClose for a `for await` left early: calls `return()` when the loop body was
 * running and awaits it. `throwing`: the loop is left by an exception, which wins over any
 * error of `return()`.
 */
export function* asyncIteratorClose(record: AsyncIteratorRecord, site: number, throwing: boolean): Generator<unknown, void, unknown> {
  if (!record.open) return;
  record.open = false;
  try {
    const close = (record.iterator as { return?: unknown }).return;
    if (close === undefined || close === null) return;
    if (typeof close !== "function") throw new TypeError("The iterator's return property is not a function");
    const inline = (close as { [BODY]?: (...args: unknown[]) => unknown })[BODY];
    const pending = inline !== undefined ? inline.call(record.iterator) : close.call(record.iterator);
    let result: unknown;
    if (record.sync) {
      result = pending;
      if (isObject(result) && isThenable((result as { value?: unknown }).value)) {
        siteRegister.at = site;
        yield (result as { value: unknown }).value;
      }
    } else {
      siteRegister.at = site;
      result = yield pending;
    }
    if (!isObject(result)) throw new TypeError(`Iterator result ${String(result)} is not an object`);
  } catch (error) {
    if (!throwing) throw error;
  }
}

/**
 * What this engine's own `yield*` in an async generator does with a throw() while it delegates
 * to a sync iterator that has no `throw` method: ES2025 closes the iterator and throws a
 * TypeError; engines before that change (V8 in Node 20) throw the value itself and leave the
 * iterator open. Compiled code does what native code does where it runs, probed natively the
 * first time it is needed (null until then). Not at load: the probe's promise jobs would run
 * among the program's first ones, and on Node 20 the engine reads Promise.prototype.constructor
 * in them, which test262's tick-counting tests (and any getter there) see.
 */
let syncThrowlessDelegateThrowsValue: boolean | null = null;
let syncThrowlessDelegateProbe: Promise<boolean> | null = null;

function probeSyncThrowlessDelegate(): Promise<boolean> {
  // The built-in `then`, and each promise's own `constructor`: a getter or a patched `then` on
  // Promise.prototype is not called for the runtime's own promises.
  const then = Promise.prototype.then;
  const unseen = <T>(promise: Promise<T>): Promise<T> => Object.defineProperty(promise, "constructor", { value: Promise });
  return (syncThrowlessDelegateProbe ??= unseen(
    new Promise<boolean>((resolve) => {
      const probe = {};
      const delegating = (async function* () {
        yield* [0];
      })();
      then.call(unseen(delegating.next()), () => {
        then.call(
          unseen(delegating.throw(probe)),
          () => resolve((syncThrowlessDelegateThrowsValue = false)),
          (error: unknown) => resolve((syncThrowlessDelegateThrowsValue = error === probe)),
        );
      });
    }),
  ));
}

/**
 * `yield* iterable` inside a compiled async generator body: delegates to the async iterator
 * (or async-from-sync) of `iterable`, passing on next/throw/return requests.
 */
export function* asyncDelegate(iterable: unknown): Generator<unknown, unknown, unknown> {
  const record = asyncIterator(iterable);
  let resumption: Resumption = { kind: NEXT, value: undefined };
  for (;;) {
    const { kind, value } = resumption;
    let method: unknown;
    if (kind === NEXT) {
      method = record.next;
    } else {
      method = (record.iterator as Record<string, unknown>)[kind === THROW ? "throw" : "return"];
      if (method === undefined || method === null) {
        if (kind === RETURN) {
          agReturnNow.value = record.sync ? value : yield* awaitValue(value);
          yield agReturnNow;
          return undefined; // Not reached: the driver returns the body.
        }
        // A sync iterator's missing throw before ES2025: the value is thrown at the yield*.
        if (record.sync && (syncThrowlessDelegateThrowsValue ?? (yield probeSyncThrowlessDelegate()))) throw value;
        // throw() without a throw method: close the iterator, then report the protocol error.
        record.open = true;
        yield* asyncIteratorClose(record, siteRegister.at, false);
        throw new TypeError("The iterator does not provide a 'throw' method");
      }
      if (typeof method !== "function") throw new TypeError(`The iterator's ${kind === THROW ? "throw" : "return"} is not a function`);
    }
    let result: unknown = (method as (v: unknown) => unknown).call(record.iterator, value);
    if (record.sync) {
      if (!isObject(result)) throw new TypeError(`Iterator result ${String(result)} is not an object`);
      const syncResult = result as IteratorResult<unknown>;
      result = { done: syncResult.done, value: yield* awaitValue(syncResult.value) };
    } else {
      result = yield result;
    }
    if (!isObject(result)) throw new TypeError(`Iterator result ${String(result)} is not an object`);
    const step = result as IteratorResult<unknown>;
    if (step.done) {
      if (kind === RETURN) {
        agReturnNow.value = step.value;
        yield agReturnNow;
        return undefined; // Not reached.
      }
      return step.value;
    }
    agDelegateYield.value = step.value;
    resumption = (yield agDelegateYield) as Resumption;
  }
}

// ---- await using ----

interface DisposableResource {
  readonly value: unknown;
  readonly method: ((this: unknown) => unknown) | null;
  /** The resource was added by `await using` with only a sync `Symbol.dispose`: its result is not awaited. */
  readonly sync: boolean;
}

/** The resources of one block with `await using` declarations, disposed in reverse order when it is left. */
export class AsyncDisposableScope {
  readonly #resources: DisposableResource[] = [];
  /** The exception that is leaving the block, when one is. */
  error: unknown = undefined;
  hasError = false;

  /** `await using x = value`: records value's dispose method and returns value. */
  use<T>(value: T): T {
    if (value === null || value === undefined) {
      this.#resources.push({ value, method: null, sync: false });
      return value;
    }
    if (typeof value !== "object" && typeof value !== "function") {
      throw new TypeError(`await using expects an object with a Symbol.asyncDispose or Symbol.dispose method, got ${typeof value}`);
    }
    let method = (value as { [Symbol.asyncDispose]?: unknown })[Symbol.asyncDispose];
    let sync = false;
    if (method === undefined || method === null) {
      method = (value as { [Symbol.dispose]?: unknown })[Symbol.dispose];
      sync = true;
    }
    if (typeof method !== "function") {
      throw new TypeError("await using expects an object with a Symbol.asyncDispose or Symbol.dispose method");
    }
    this.#resources.push({ value, method: method as DisposableResource["method"], sync });
    return value;
  }

  /** Records the exception leaving the block. */
  fail(error: unknown): void {
    this.error = error;
    this.hasError = true;
  }

  /** Disposes every resource, newest first, awaiting each; combines errors as SuppressedError does. */
  *dispose(site: number): Generator<unknown, void, unknown> {
    let needsAwait = false;
    for (let i = this.#resources.length - 1; i >= 0; i--) {
      const { value, method, sync } = this.#resources[i]!;
      try {
        if (method === null) {
          needsAwait = true;
          continue;
        }
        const result = method.call(value);
        if (!sync) {
          siteRegister.at = site;
          yield result;
          needsAwait = false;
        } else {
          needsAwait = true;
        }
      } catch (error) {
        if (this.hasError) this.error = suppressed(error, this.error);
        else {
          this.error = error;
          this.hasError = true;
        }
      }
    }
    this.#resources.length = 0;
    if (needsAwait) {
      siteRegister.at = site;
      yield undefined;
    }
    if (this.hasError) throw this.error;
  }
}

function suppressed(error: unknown, suppressedError: unknown): Error {
  const Ctor = (globalThis as { SuppressedError?: new (e: unknown, s: unknown, m?: string) => Error }).SuppressedError;
  if (typeof Ctor === "function") return new Ctor(error, suppressedError, "An error was suppressed during disposal");
  const combined = new Error("An error was suppressed during disposal") as Error & { error: unknown; suppressed: unknown };
  combined.name = "SuppressedError";
  combined.error = error;
  combined.suppressed = suppressedError;
  return combined;
}

/** A new scope for the `await using` declarations of one block. */
export function asyncDisposableScope(): AsyncDisposableScope {
  return new AsyncDisposableScope();
}
