/** Future: a result that will be set later, with done callbacks scheduled through its loop. */
import { CancelledError, InvalidStateError, describe, runtimeCancelledError } from "./errors.js";
import { getEventLoop, type EventLoop } from "./event-loop.js";
import { RUN, type Runnable } from "./handle.js";

/** A Future's state. @see asyncio.Future */
export type FutureState = "pending" | "cancelled" | "finished";

/** A done callback: called with the future, through the loop, once it is done. */
export type DoneCallback<F> = (future: F) => void;

/**
 * A waiter: an internal entry in the callback list that the loop runs directly, so that a Task
 * waiting on a Future costs no Handle and no closure.
 * @internal
 */
export interface FutureWaiter extends Runnable {
  readonly waiterLoop: EventLoop;
}

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/** A failure nobody has retrieved yet: what its report will say. It never holds the future. */
interface Unretrieved {
  loop: EventLoop;
  message: string;
  exception: unknown;
  description: string;
  /**
   * A native Promise rejected with the exception on the future's behalf, so that the host sees
   * an unobserved failure as it sees a native one (eager tasks: CONTRACT section 5): Node's
   * `unhandledRejection`, `rejectionHandled` once observed, `--unhandled-rejections` and the
   * exit code. Handled as soon as somebody observes the future.
   */
  hostRejection?: Promise<unknown>;
}

const promiseThen = Promise.prototype.then;
function ignore(): void {}

/** Tells the host that a failure it was shown as an unhandled rejection is now handled. */
function observeHostRejection(held: Unretrieved): void {
  const rejection = held.hostRejection;
  if (rejection === undefined) return;
  held.hostRejection = undefined;
  promiseThen.call(rejection, undefined, ignore);
}

/** What a future's exception slot holds when no exception was set (undefined may be one). */
const NO_EXCEPTION: unique symbol = Symbol("no exception");

/** Failures not yet retrieved nor reported: reported when their future is collected or the process exits. */
const unreported = new Set<Unretrieved>();

/** Exceptions already reported: a failure that several futures carry (shields, gather) is reported once. */
const reportedExceptions = new WeakSet<object>();

function report(held: Unretrieved): void {
  if (!unreported.delete(held)) return;
  const exception = held.exception;
  if ((typeof exception === "object" && exception !== null) || typeof exception === "function") {
    if (reportedExceptions.has(exception)) return;
    reportedExceptions.add(exception);
  }
  // Called from a collection callback or at exit, where a throw would end the process.
  try {
    held.loop.callExceptionHandler({ message: held.message, exception: held.exception, future: held.description });
  } catch {
    /* the handler and the default one both failed: nothing else to do */
  }
}

const unretrievedRegistry: FinalizationRegistry<Unretrieved> | null =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry(report) : null;

// A process may exit before the collector runs: what is still unreported is reported then, so
// that a failure is never lost silently (asyncio reports at interpreter exit too).
let exitHookInstalled = false;
function installExitHook(): void {
  exitHookInstalled = true;
  const proc = (globalThis as { process?: { once?(event: string, fn: () => void): unknown } }).process;
  proc?.once?.("exit", () => {
    for (const held of [...unreported]) report(held);
  });
}

/** Marks a failed future's exception as looked at: it will not be reported. */
let markRetrieved: (future: Future<any>) => void;
/** Schedules a done callback, or wakes a waiter, of a future that is done. */
let schedule: (future: Future<any>, entry: DoneCallback<any> | FutureWaiter) => void;
/** Schedules a future's callbacks and wakes its waiters (it just became done). */
let scheduleCallbacks: (future: Future<any>) => void;
/** A Promise of the future's outcome (it marks an exception as retrieved). */
let settled: <T>(future: Future<T>) => Promise<T>;

// States: pending -> finished (setResult / setException) or pending -> cancelled (cancel).
// Callbacks are scheduled through the loop exactly once, when the state leaves pending; a callback
// added after that is scheduled at once. While an exception is set and nobody has looked at it
// (result(), exception(), then()), #result holds what to report.
/**
 * A Future: the eventual result of an operation. Awaitable from compiled coroutines (the task
 * suspends until it is done) and thenable from any JavaScript.
 * @see asyncio.Future
 */
export class Future<T = unknown> implements PromiseLike<T> {
  #state: FutureState = "pending";
  #result: T | undefined = undefined;
  /**
   * The exception set, NO_EXCEPTION when none was; once cancelled, the CancelledError that
   * result() raises (made on demand). #result holds the result, or once cancelled the cancel
   * message, or once failed the report to make if nobody looks at the exception (null once
   * somebody did): a pending future costs its fields, so none is spent on what a state excludes.
   */
  #exception: unknown = NO_EXCEPTION;
  readonly #loop: EventLoop;
  /** The first callback, kept out of #moreCallbacks so a single waiter needs no array. */
  #firstCallback: DoneCallback<any> | FutureWaiter | null = null;
  #moreCallbacks: Array<DoneCallback<any> | FutureWaiter> | null = null;
  /** Who awaits this future other than a Task blocked on it (gather, TaskGroup...): one or many. */
  #awaitedBy: Future<unknown> | Future<unknown>[] | null = null;

  /** A pending future on `loop` (default: getEventLoop()). */
  constructor(options?: { loop?: EventLoop }) {
    if (options !== undefined && (typeof options !== "object" || options === null)) {
      throw new TypeError(`Future expects an options object like {loop}, got ${describe(options)}`);
    }
    this.#loop = options?.loop ?? getEventLoop();
  }

  /** The loop this future belongs to. */
  getLoop(): EventLoop {
    return this.#loop;
  }

  /** True once it has a result, an exception, or was cancelled. */
  done(): boolean {
    return this.#state !== "pending";
  }

  /** True if it was cancelled. */
  cancelled(): boolean {
    return this.#state === "cancelled";
  }

  /**
   * The result. Throws the exception if one was set, CancelledError if cancelled, and
   * InvalidStateError while pending.
   */
  result(): T {
    switch (this.#state) {
      case "pending":
        throw new InvalidStateError("Result is not ready");
      case "cancelled":
        throw this.makeCancelledError();
    }
    if (this.#exception !== NO_EXCEPTION) {
      markRetrieved(this);
      throw this.#exception;
    }
    return this.#result as T;
  }

  /**
   * The exception set, or null. Throws CancelledError if cancelled and InvalidStateError while
   * pending.
   */
  exception(): unknown {
    switch (this.#state) {
      case "pending":
        throw new InvalidStateError("Exception is not set");
      case "cancelled":
        throw this.makeCancelledError();
    }
    markRetrieved(this);
    return this.#exception !== NO_EXCEPTION ? this.#exception : null;
  }

  /** Marks the future done with `value`. Throws InvalidStateError if already done. */
  setResult(value: T): void {
    if (this.#state !== "pending") throw new InvalidStateError(`invalid state: ${this.#state}`);
    this.#result = value;
    this.#state = "finished";
    scheduleCallbacks(this);
  }

  /** Marks the future done with an exception. Throws InvalidStateError if already done. */
  setException(exception: unknown): void {
    if (this.#state !== "pending") throw new InvalidStateError(`invalid state: ${this.#state}`);
    if (typeof exception === "function" && (exception === Error || exception.prototype instanceof Error)) {
      exception = new (exception as new () => unknown)();
    }
    this.finishWithException(exception);
  }

  /**
   * Stores `exception` as the outcome (Task's end shares it); failures nobody retrieves are
   * reported through the loop's exception handler when the future is collected.
   * @internal
   */
  protected finishWithException(exception: unknown, reportToHost = false): void {
    this.#exception = exception;
    this.#state = "finished";
    // V8 formats `stack` lazily and until then holds every frame's receiver, this task among
    // them: the registry's held value would keep the future alive. Formatting now lets it go.
    if (exception instanceof Error) void exception.stack;
    const held: Unretrieved = {
      loop: this.#loop,
      message: `${this.reprName()} exception was never retrieved`,
      exception,
      description: this.toString(),
    };
    // Nobody waits for it yet: show the host a rejection, as a native async function's would be.
    if (reportToHost && this.#firstCallback === null && this.#moreCallbacks === null) held.hostRejection = Promise.reject(exception);
    this.#result = held as T;
    unreported.add(held);
    unretrievedRegistry?.register(this, held, this);
    if (!exitHookInstalled) installExitHook();
    scheduleCallbacks(this);
  }

  /** Finishes with a result without the pending check (Task's end). @internal */
  protected finishWithResult(value: T): void {
    this.#result = value;
    this.#state = "finished";
    scheduleCallbacks(this);
  }

  /**
   * Marks the future cancelled and schedules its callbacks; `error`, when given, is the
   * CancelledError result() raises (a Task keeps the one its coroutine ended with). @internal
   */
  protected finishCancelled(message: string | undefined, error?: CancelledError): void {
    this.#result = message as T;
    if (error !== undefined) this.#exception = error;
    this.#state = "cancelled";
    scheduleCallbacks(this);
  }

  /**
   * Cancels the future: if pending, it becomes cancelled and its callbacks are scheduled.
   * Returns false if it was already done.
   */
  cancel(msg?: string): boolean {
    if (this.#state !== "pending") {
      // As asyncio: cancelling a failed future counts as looking at its exception.
      markRetrieved(this);
      return false;
    }
    this.finishCancelled(msg);
    return true;
  }

  /** The CancelledError that result()/exception() throw for a cancelled future. @internal */
  makeCancelledError(): CancelledError {
    const existing = this.#exception;
    if (existing instanceof CancelledError) return existing;
    const error = runtimeCancelledError(this.cancelMessage());
    this.#exception = error;
    return error;
  }

  /** The message given to cancel(msg), once cancelled. @internal */
  cancelMessage(): string | undefined {
    return this.#state === "cancelled" ? (this.#result as string | undefined) : undefined;
  }

  /** The exception without marking it retrieved (for the runtime's own bookkeeping). @internal */
  peekException(): unknown {
    return this.hasException() ? this.#exception : undefined;
  }

  /** True when finished with an exception. @internal */
  hasException(): boolean {
    return this.#state === "finished" && this.#exception !== NO_EXCEPTION;
  }

  /** Records that `outer` awaits this future (for call graphs). @internal */
  addAwaitedBy(outer: Future<unknown>): void {
    const current = this.#awaitedBy;
    if (current === null) this.#awaitedBy = outer;
    else if (Array.isArray(current)) {
      if (!current.includes(outer)) current.push(outer);
    } else if (current !== outer) this.#awaitedBy = [current, outer];
  }

  /** Forgets that `outer` awaits this future. @internal */
  discardAwaitedBy(outer: Future<unknown>): void {
    const current = this.#awaitedBy;
    if (current === outer) this.#awaitedBy = null;
    else if (Array.isArray(current)) {
      const at = current.indexOf(outer);
      if (at >= 0) current.splice(at, 1);
      if (current.length === 0) this.#awaitedBy = null;
    }
  }

  /** The futures recorded as awaiting this one, in the order recorded. @internal */
  awaitedBy(): Future<unknown>[] {
    const current = this.#awaitedBy;
    return current === null ? [] : Array.isArray(current) ? current.slice() : [current];
  }

  /** Marks an exception as retrieved without raising it (gather, wait...). @internal */
  markExceptionRetrieved(): void {
    markRetrieved(this);
  }

  /**
   * Adds `fn`, called with this future once it is done, through the loop. If already done,
   * `fn` is scheduled at once.
   */
  addDoneCallback(fn: DoneCallback<this>): void {
    if (typeof fn !== "function") {
      throw new TypeError(`addDoneCallback expects a function, got ${describe(fn)}`);
    }
    this.addWaiter(fn);
  }

  /** Adds a callback or an internal waiter. @internal */
  addWaiter(entry: DoneCallback<any> | FutureWaiter): void {
    if (this.#state !== "pending") {
      // A callback will look at it: to the host, the failure is handled (it stays unretrieved
      // for asyncio's report until something reads it).
      if (this.#exception !== NO_EXCEPTION && this.#result !== null && this.#state === "finished") observeHostRejection(this.#result as unknown as Unretrieved);
      schedule(this, entry);
    } else if (this.#firstCallback === null && this.#moreCallbacks === null) {
      this.#firstCallback = entry;
    } else {
      (this.#moreCallbacks ??= []).push(entry);
    }
  }

  /** Removes every instance of `fn`; returns how many were removed. */
removeDoneCallback(fn: DoneCallback<this>): number;
  /** Also removes an internal waiter. @internal */
  removeDoneCallback(fn: DoneCallback<this> | FutureWaiter): number;
  removeDoneCallback(fn: DoneCallback<this> | FutureWaiter): number {
    let removed = 0;
    if (this.#firstCallback === fn) {
      this.#firstCallback = null;
      removed++;
    }
    const more = this.#moreCallbacks;
    if (more !== null) {
      const kept = more.filter((cb) => cb !== fn);
      removed += more.length - kept.length;
      this.#moreCallbacks = kept.length > 0 ? kept : null;
    }
    return removed;
  }

  /**
   * Chains on the outcome like a Promise: fulfils with the result, rejects with the exception
   * (or the CancelledError). Marks an exception as retrieved: the returned Promise carries it.
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return settled(this).then(onFulfilled, onRejected);
  }

  /** As Promise.prototype.catch. */
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return settled(this).catch(onRejected);
  }

  /** As Promise.prototype.finally. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return settled(this).finally(onFinally);
  }

  /** `"Future"`, or `"Task"` for a Task: `Object.prototype.toString` gives `[object Future]`. */
  get [Symbol.toStringTag](): string {
    return this.reprName();
  }

  /** `<Future pending>`, `<Future finished result=42>`, `<Future cancelled>`. */
  toString(): string {
    return `<${this.reprName()} ${this.describeState()}>`;
  }

  /**
   * What string forms, `Symbol.toStringTag` and reports call this kind of future: "Future"
   * (gather's future too), "Task" for a Task. Never `constructor.name`, which minifiers mangle.
   * @internal
   */
  protected reprName(): string {
    return "Future";
  }

  /** The state part of the string form. @internal */
  protected describeState(): string {
    if (this.#state === "pending") return "pending";
    if (this.#state === "cancelled") return "cancelled";
    if (this.#exception !== NO_EXCEPTION) return `finished exception=${reprValue(this.#exception)}`;
    return `finished result=${reprValue(this.#result)}`;
  }

  [inspectCustom](): string {
    return this.toString();
  }

  static {
    // The class's helpers live here, not as private methods: a class with private methods
    // stamps a brand on every instance, a field's worth of bytes per pending future.
    markRetrieved = (future) => {
      if (future.#exception === NO_EXCEPTION || future.#state !== "finished") return;
      const held = future.#result as Unretrieved | null;
      if (held !== null) {
        future.#result = null;
        observeHostRejection(held);
        unreported.delete(held);
        unretrievedRegistry?.unregister(future);
      }
    };
    schedule = (future, entry) => {
      if (typeof entry === "function") {
        if (future.#loop.isClosed()) return;
        future.#loop.enqueueRunnable(new ScheduledDoneCallback(entry, future));
      } else {
        entry.waiterLoop.enqueueRunnable(entry);
      }
    };
    scheduleCallbacks = (future) => {
      const first = future.#firstCallback;
      const more = future.#moreCallbacks;
      future.#firstCallback = null;
      future.#moreCallbacks = null;
      if (first !== null) schedule(future, first);
      if (more !== null) for (const cb of more) schedule(future, cb);
    };
    const settleInto = (future: Future<any>, resolve: (v: any) => void, reject: (e: unknown) => void): void => {
      if (future.#state === "cancelled") reject(future.makeCancelledError());
      else if (future.#exception !== NO_EXCEPTION) {
        markRetrieved(future);
        reject(future.#exception);
      } else resolve(future.#result);
    };
    settled = (future) => {
      if (future.#state === "pending") {
        return new Promise((resolve, reject) => {
          future.addWaiter((f) => settleInto(f, resolve, reject));
        });
      }
      return new Promise((resolve, reject) => settleInto(future, resolve, reject));
    };
  }
}

/**
 * A done callback on its way to the loop: what `callSoon(fn, future)` would queue, without the
 * Handle and its arguments array (a gather of 100,000 tasks schedules 100,000 of these).
 */
class ScheduledDoneCallback implements Runnable {
  constructor(
    readonly callback: DoneCallback<any>,
    readonly future: Future<any>,
  ) {}

  [RUN](): void {
    try {
      this.callback(this.future);
    } catch (error) {
      this.future.getLoop().callExceptionHandler({
        message: `Exception in callback ${this.callback.name || "<anonymous>"}()`,
        exception: error,
        future: this.future.toString(),
      });
    }
  }
}

/** A short repr of a value for string forms: `42`, `'text'`, `Error('boom')`, `function f`. */
export function reprValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}('${value.message}')`;
  if (typeof value === "string") return `'${value.length > 60 ? value.slice(0, 57) + "..." : value}'`;
  // A function is named, not printed: its String() is its whole source text.
  if (typeof value === "object" || typeof value === "function") {
    try {
      const json = JSON.stringify(value);
      if (json !== undefined) return json.length > 60 ? json.slice(0, 57) + "..." : json;
    } catch {
      /* cyclic: fall through */
    }
    return describe(value);
  }
  return String(value); // numbers, booleans, bigints, symbols, undefined (null went through JSON)
}

/** True for corotask Futures and Tasks. */
export function isFuture(value: unknown): value is Future<unknown> {
  return value instanceof Future;
}
