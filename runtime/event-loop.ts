/** EventLoop: a FIFO ready queue and a timer heap, riding on the host's own event loop. */
import { RuntimeError, describe } from "./errors.js";
import { Handle, RUN, TimerHandle, timerBefore, type Runnable } from "./handle.js";
import { enterLoop, leaveLoop, runningLoopOrNull } from "./running-loop.js";
import { trackLoop } from "./loops.js";

/** What an exception handler receives, as asyncio's context dict. */
export interface ExceptionContext {
  /** What went wrong, in a sentence. */
  message: string;
  exception?: unknown;
  /** Extra keys name the objects involved: `future`, `task`, `handle`... */
  [key: string]: unknown;
}

/** A loop's exception handler. @see asyncio.loop.set_exception_handler */
export type ExceptionHandler = (loop: EventLoop, context: ExceptionContext) => void;

/** Options of {@link newEventLoop}. */
export interface EventLoopOptions {
  /** Start the clock at 0 and jump it to the next timer whenever nothing is ready. */
  virtualTime?: boolean;
}

/**
 * What the loop needs from the Future and Task modules, which come after it in the layering
 * (asyncio's events.py does not import futures either). task.ts installs it when loaded.
 */
export interface TaskSupport {
  createFuture(loop: EventLoop): unknown;
  createTask(loop: EventLoop, coro: unknown, options?: { name?: string }): unknown;
  /**
   * Resolves/rejects the returned promise when `awaitable` (made a Future on `loop`) is done;
   * `settleIfDone` does it at once if the Future is done, and says whether it was.
   */
  runUntilComplete(loop: EventLoop, awaitable: unknown): { promise: Promise<unknown>; onDone(fn: () => void): void; settleIfDone(): boolean };
}
let taskSupport: TaskSupport | null = null;
/** Called once by task.ts. */
export function installTaskSupport(support: TaskSupport): void {
  taskSupport = support;
}
function requireTaskSupport(): TaskSupport {
  if (taskSupport === null) throw new RuntimeError("corotask's task module is not loaded; import from 'corotask'");
  return taskSupport;
}

const hostNow: () => number =
  typeof performance !== "undefined" && typeof performance.now === "function"
    ? () => performance.now()
    : () => Date.now();

/** Schedules `fn` as a host macrotask, so that timers and I/O get their turn. */
const queueMacrotask: (fn: () => void) => void = (() => {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === "function") return (fn) => void g.setImmediate!(fn);
  if (typeof g.MessageChannel === "function") {
    const channel = new g.MessageChannel();
    const pending: Array<() => void> = [];
    channel.port1.onmessage = () => pending.shift()?.();
    return (fn) => {
      pending.push(fn);
      channel.port2.postMessage(null);
    };
  }
  return (fn) => void setTimeout(fn, 0);
})();

/** How long (ms) the loop runs iterations back to back in microtasks before yielding to the host. */
const SLICE_MS = 8;
/** The longest delay a host setTimeout accepts. */
const MAX_HOST_DELAY_MS = 2 ** 31 - 1;
/** Timers due within this many seconds are treated as due (host timers may fire a little early). */
const CLOCK_RESOLUTION = 0.001;

let loopCounter = 0;
/** The key of the loop's iteration function (see EventLoop's #iterate). */
const ITERATION: unique symbol = Symbol("corotask.iterate");

// States:
//  stopped  - #running false: callbacks are queued but not run (a new loop before run*()).
//  running  - #running true: iterations are scheduled on the host whenever something is ready
//             or a timer is due. The process-wide default loop is running from its creation.
//  closed   - #closed true: nothing more may be scheduled; queues are empty.
// While running, at most one host callback (microtask, macrotask or host timer) is armed to run
// the next iteration: #iterationArmed guards it, #hostTimer is the armed host timer if any.
/**
 * An event loop: runs callbacks in FIFO order, timers in order of `when`, and the Tasks that
 * step on it. Several loops may run at once; each rides on the host's event loop.
 * @see asyncio.AbstractEventLoop
 */
export class EventLoop {
  /** Callbacks ready to run; an iteration runs those present when it began. */
  #ready: Runnable[] = [];
  /** The queue being drained by the current iteration (swapped with #ready). */
  #draining: Runnable[] = [];
  /** Min-heap of timers by (when, sequence). Cancelled timers are removed lazily. */
  #timers: TimerHandle[] = [];
  #cancelledTimers = 0;
  #timerSequence = 0;

  #running = false;
  #closed = false;
  #stopRequested = false;
  /** Resolvers of the promises that runForever/runUntilComplete returned. */
  #whenStopped: Array<() => void> = [];

  #iterationArmed = false;
  #hostTimer: ReturnType<typeof setTimeout> | null = null;
  #hostTimerWhen = Infinity;
  /** Host time (ms) when the current run of back-to-back microtask iterations began. */
  #sliceStart = 0;

  readonly #virtual: boolean;
  #virtualNow = 0;
  readonly #epoch = hostNow();

  #exceptionHandler: ExceptionHandler | null = null;
  #debug = false;
  #taskFactory: ((loop: EventLoop, coro: unknown, options?: { name?: string }) => unknown) | null = null;
  /**
   * A number unique to this loop in the process, in creation order (1 for the first loop):
   * tells loops apart in logs and call-graph dumps. Not a Python name.
   */
  readonly id = ++loopCounter;

  constructor(options: EventLoopOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`newEventLoop options must be an object, got ${describe(options)}`);
    }
    this.#virtual = options.virtualTime === true;
    trackLoop(this);
  }

  // ---- time ----

  /** The loop's clock in seconds: monotonic host time, or virtual time starting at 0. */
  time(): number {
    return this.#virtual ? this.#virtualNow : (hostNow() - this.#epoch) / 1000;
  }

  /** True when this loop runs on virtual time. */
  isVirtualTime(): boolean {
    return this.#virtual;
  }

  // ---- scheduling ----

  /** Schedules `callback(...args)` for the next iteration. @see asyncio.loop.call_soon */
  callSoon<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Handle {
    this.#checkCallback(callback, "callSoon");
    this.#checkOpen();
    const handle = new Handle(callback as (...a: unknown[]) => void, args, this.#onCallbackError);
    this.#enqueue(handle);
    return handle;
  }

  /** As callSoon; JavaScript has one thread, so this only exists for asyncio's API. */
  callSoonThreadsafe<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Handle {
    return this.callSoon(callback, ...args);
  }

  /** Schedules `callback(...args)` after `delay` seconds (negative means now). @see asyncio.loop.call_later */
  callLater<A extends unknown[]>(delay: number, callback: (...args: A) => void, ...args: A): TimerHandle {
    if (typeof delay !== "number" || Number.isNaN(delay)) {
      throw new TypeError(`callLater delay must be a number of seconds, got ${describe(delay)}`);
    }
    return this.callAt(this.time() + delay, callback, ...args);
  }

  /** Schedules `callback(...args)` at loop time `when` (seconds). @see asyncio.loop.call_at */
  callAt<A extends unknown[]>(when: number, callback: (...args: A) => void, ...args: A): TimerHandle {
    if (typeof when !== "number" || Number.isNaN(when)) {
      throw new TypeError(`callAt when must be a loop time in seconds, got ${describe(when)}`);
    }
    this.#checkCallback(callback, "callAt");
    this.#checkOpen();
    const timer = new TimerHandle(
      when,
      this.#timerSequence++,
      callback as (...a: unknown[]) => void,
      args,
      this.#onCallbackError,
      this.#onTimerCancelled,
    );
    this.#pushTimer(timer);
    // A stopped loop arms nothing: a host timer would keep the process alive for a loop never run.
    if (this.#running && this.#ready.length === 0) this.#arm();
    return timer;
  }

  /**
   * Queues an internal runnable (a Task's step) without allocating a Handle.
   * @internal
   */
  enqueueRunnable(runnable: Runnable): void {
    this.#checkOpen();
    this.#enqueue(runnable);
  }

  #enqueue(runnable: Runnable): void {
    this.#ready.push(runnable);
    if (!this.#iterationArmed && this.#running) this.#arm();
  }

  // ---- futures and tasks ----

  /** A new pending Future on this loop. @see asyncio.loop.create_future */
  createFuture<T = unknown>(): import("./future.js").Future<T> {
    return requireTaskSupport().createFuture(this) as import("./future.js").Future<T>;
  }

  /** Schedules `coro` as a Task on this loop (through the task factory, if set). @see asyncio.loop.create_task */
  createTask<T>(coro: PromiseLike<T> | Generator<unknown, T, unknown>, options?: { name?: string }): import("./task.js").Task<T> {
    this.#checkOpen();
    if (this.#taskFactory !== null) {
      return this.#taskFactory(this, coro, options) as import("./task.js").Task<T>;
    }
    return requireTaskSupport().createTask(this, coro, options) as import("./task.js").Task<T>;
  }

  /** Sets the factory createTask uses, `(loop, coro, options) => Task`, or null for the default. */
  setTaskFactory(factory: ((loop: EventLoop, coro: unknown, options?: { name?: string }) => unknown) | null): void {
    if (factory !== null && typeof factory !== "function") {
      throw new TypeError(`task factory must be a function or null, got ${describe(factory)}`);
    }
    this.#taskFactory = factory;
  }

  /** The task factory, or null. */
  getTaskFactory(): ((loop: EventLoop, coro: unknown, options?: { name?: string }) => unknown) | null {
    return this.#taskFactory;
  }

  // ---- running ----

  /** True while the loop runs its callbacks (the default loop always does until stopped). */
  isRunning(): boolean {
    return this.#running;
  }

  /** True once close() was called. */
  isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Runs the loop until `awaitable` is done; resolves to its result or rejects with its
   * exception. JavaScript cannot block, so this returns a Promise.
   * @see asyncio.loop.run_until_complete
   */
  runUntilComplete<T>(awaitable: PromiseLike<T> | Generator<unknown, T, unknown>): Promise<T> {
    this.#checkOpen();
    const auto = this === defaultLoop;
    if (this.#running && !auto) throw new RuntimeError("This event loop is already running");
    const { promise, onDone, settleIfDone } = requireTaskSupport().runUntilComplete(this, awaitable);
    if (auto) return promise as Promise<T>;
    this.#start();
    onDone(() => this.stop());
    // As asyncio: a stop() that comes before the future is done ends the wait with an error.
    const stopped = new Promise<T>((resolve, reject) =>
      this.#whenStopped.push(() => {
        // A future done by the time the loop stops gives its outcome, as asyncio's future.result().
        if (settleIfDone()) resolve(promise as Promise<T>);
        else reject(new RuntimeError("Event loop stopped before Future completed."));
      }),
    );
    return Promise.race([promise as Promise<T>, stopped]);
  }

  /** Runs the loop until stop() is called; resolves then. @see asyncio.loop.run_forever */
  runForever(): Promise<void> {
    this.#checkOpen();
    if (this.#running && this !== defaultLoop) throw new RuntimeError("This event loop is already running");
    const stopped = new Promise<void>((resolve) => this.#whenStopped.push(resolve));
    this.#start();
    return stopped;
  }

  /** Stops the loop after the current iteration. @see asyncio.loop.stop */
  stop(): void {
    if (!this.#running) return;
    this.#stopRequested = true;
    if (!this.#iterationArmed) this.#arm(true);
  }

  /** Closes the loop: pending callbacks are dropped. Throws when running. @see asyncio.loop.close */
  close(): void {
    if (this.#running && this !== defaultLoop) throw new RuntimeError("Cannot close a running event loop");
    if (this.#closed) return;
    this.#running = false;
    this.#closed = true;
    this.#ready.length = 0;
    this.#timers.length = 0;
    this.#disarmHostTimer();
  }

  /**
   * Starts running iterations on the host, for good: how the default loop runs.
   * @internal
   */
  startAutoRun(): void {
    this.#start();
  }

  /** Starts running iterations on the host. */
  #start(): void {
    this.#running = true;
    this.#stopRequested = false;
    this.#arm();
  }

  /** Arms one host callback to run the next iteration, if none is armed. */
  #arm(force = false): void {
    if (this.#closed) return;
    if (this.#ready.length > 0 || force) {
      if (this.#iterationArmed) return;
      this.#iterationArmed = true;
      this.#disarmHostTimer();
      if (this.#sliceStart !== 0 && hostNow() - this.#sliceStart > SLICE_MS) {
        this.#sliceStart = 0;
        queueMacrotask(this.#iterate);
      } else {
        queueMicrotask(this.#iterate);
      }
      return;
    }
    this.#dropCancelledTimerHead();
    if (this.#timers.length === 0) {
      this.#disarmHostTimer();
      return;
    }
    if (this.#iterationArmed) return;
    const when = this.#timers[0]!.when();
    if (this.#virtual) {
      // Let every pending microtask (native promises settling) run first, then jump the clock.
      this.#iterationArmed = true;
      queueMacrotask(this.#iterate);
      return;
    }
    if (this.#hostTimer !== null && this.#hostTimerWhen <= when) return;
    this.#disarmHostTimer();
    const delayMs = Math.max(0, (when - this.time()) * 1000);
    this.#hostTimerWhen = when;
    // Host timers hold at most 2^31-1 ms; a later timer is re-armed when this one fires.
    this.#hostTimer = setTimeout(this.#onHostTimer, Math.min(Math.ceil(delayMs), MAX_HOST_DELAY_MS));
  }

  #disarmHostTimer(): void {
    if (this.#hostTimer !== null) {
      clearTimeout(this.#hostTimer);
      this.#hostTimer = null;
      this.#hostTimerWhen = Infinity;
    }
  }

  readonly #onHostTimer = (): void => {
    this.#hostTimer = null;
    this.#hostTimerWhen = Infinity;
    if (this.#iterationArmed) return;
    this.#iterate();
  };

  /**
   * One iteration: move due timers to the ready queue, then run what was ready when it began.
   * Keyed by a runtime symbol so that its frame reads `at [corotask.iterate]`, which the stack
   * cleaner recognises in a bundle, where the runtime's folder says nothing.
   */
  readonly #iterate = { [ITERATION]: (): void => {
    this.#iterationArmed = false;
    if (!this.#running || this.#closed) return;
    if (this.#sliceStart === 0) this.#sliceStart = hostNow();

    if (this.#timers.length > 0) {
      if (this.#virtual && this.#ready.length === 0) {
        this.#dropCancelledTimerHead();
        if (this.#timers.length > 0 && this.#timers[0]!.when() > this.#virtualNow) {
          this.#virtualNow = this.#timers[0]!.when();
        }
      }
      // Host timers may fire a little early; virtual time is exact (sleep(0.0001) twice ends at 0.0002).
      const due = this.#virtual ? this.#virtualNow : this.time() + CLOCK_RESOLUTION;
      while (this.#timers.length > 0 && this.#timers[0]!.when() <= due) {
        const timer = this.#popTimer();
        if (!timer.cancelled()) {
          timer.unschedule();
          this.#ready.push(timer);
        } else this.#cancelledTimers--;
      }
    }

    const batch = this.#ready;
    this.#ready = this.#draining;
    this.#draining = batch;
    const previous = enterLoop(this);
    try {
      for (let i = 0; i < batch.length; i++) {
        batch[i]![RUN]();
      }
    } finally {
      leaveLoop(previous);
      batch.length = 0;
    }

    if (this.#stopRequested) {
      this.#stopRequested = false;
      this.#running = this === defaultLoop;
      this.#sliceStart = 0;
      const resolvers = this.#whenStopped;
      this.#whenStopped = [];
      for (const resolve of resolvers) resolve();
      if (!this.#running) return;
    }
    if (this.#ready.length === 0) this.#sliceStart = 0;
    this.#arm();
  } }[ITERATION];

  // ---- timer heap ----

  #pushTimer(timer: TimerHandle): void {
    const heap = this.#timers;
    let i = heap.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!timerBefore(timer, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
  }

  #popTimer(): TimerHandle {
    const heap = this.#timers;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && timerBefore(heap[right]!, heap[left]!) ? right : left;
        if (!timerBefore(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }

  #dropCancelledTimerHead(): void {
    while (this.#timers.length > 0 && this.#timers[0]!.cancelled()) {
      this.#popTimer();
      this.#cancelledTimers--;
    }
  }

  readonly #onTimerCancelled = (timer: TimerHandle): void => {
    this.#cancelledTimers++;
    const wasHead = this.#timers[0] === timer;
    // Rebuild when cancelled timers dominate, so a loop that cancels many timeouts stays small.
    if (this.#cancelledTimers > 64 && this.#cancelledTimers * 2 > this.#timers.length) {
      const live = this.#timers.filter((t) => !t.cancelled());
      this.#timers = [];
      this.#cancelledTimers = 0;
      for (const t of live) this.#pushTimer(t);
    }
    // The host timer armed for a cancelled head would keep the process alive until it fires.
    if (wasHead && this.#hostTimer !== null && !this.#iterationArmed) this.#arm();
  };

  /** The number of live scheduled timers (for tests and introspection). */
  pendingTimerCount(): number {
    return this.#timers.length - this.#cancelledTimers;
  }

  // ---- errors ----

  readonly #onCallbackError = (error: unknown, handle: Handle): void => {
    this.callExceptionHandler({ message: `Exception in callback ${handle.describeCallback()}()`, exception: error, handle });
  };

  /** Sets the handler of errors nobody else handles, `(loop, context) => void`, or null for the default. */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== "function") {
      throw new TypeError(`exception handler must be a function or null, got ${describe(handler)}`);
    }
    this.#exceptionHandler = handler;
  }

  /** The exception handler set, or null. */
  getExceptionHandler(): ExceptionHandler | null {
    return this.#exceptionHandler;
  }

  /** Reports an error through the exception handler (or the default one, which writes to stderr). */
  callExceptionHandler(context: ExceptionContext): void {
    const handler = this.#exceptionHandler;
    if (handler !== null) {
      try {
        handler(this, context);
        return;
      } catch (error) {
        this.defaultExceptionHandler({ message: "Unhandled error in exception handler", exception: error, context });
      }
    }
    this.defaultExceptionHandler(context);
  }

  /** Writes `context` to stderr, as asyncio's default handler does. */
  defaultExceptionHandler(context: ExceptionContext): void {
    const lines = [context.message];
    for (const [key, value] of Object.entries(context)) {
      if (key === "message" || key === "exception") continue;
      lines.push(`${key}: ${String(value)}`);
    }
    if ("exception" in context) {
      const e = context.exception;
      lines.push(e instanceof Error && typeof e.stack === "string" ? e.stack : String(e));
    }
    writeStderr(lines.join("\n") + "\n");
  }

  // ---- debug ----

  /** Turns debug mode on or off (reports swallowed cancellations, slow callbacks). */
  setDebug(enabled: boolean): void {
    this.#debug = Boolean(enabled);
  }

  /** True in debug mode. */
  getDebug(): boolean {
    return this.#debug;
  }

  // ---- checks ----

  #checkOpen(): void {
    if (this.#closed) throw new RuntimeError("Event loop is closed");
  }

  #checkCallback(callback: unknown, method: string): void {
    if (typeof callback !== "function") {
      throw new TypeError(`${method} expects a function as the callback, got ${describe(callback)}`);
    }
  }

  /** `<EventLoop running=false closed=false debug=false>`: the loop's state, for logs and reprs. */
  toString(): string {
    return `<EventLoop id=${this.id} running=${this.#running} closed=${this.#closed} debug=${this.#debug}>`;
  }
}

/** Writes to stderr in Node, console.error elsewhere. */
export function writeStderr(text: string): void {
  const stderr = (globalThis as { process?: { stderr?: { write?(s: string): unknown } } }).process?.stderr;
  if (typeof stderr?.write === "function") stderr.write(text);
  else console.error(text.replace(/\n$/, ""));
}

// ---- the loop outside run(): the process-wide default ----

// Kept on globalThis so that two copies of the runtime (an ES module and a CommonJS build in one
// process) share one default loop.
const DEFAULT_KEY = Symbol.for("corotask.defaultLoop");
const SET_KEY = Symbol.for("corotask.currentLoop");
let defaultLoop: EventLoop | null = null;

/** The process-wide default loop: created on first use, running without being started. */
function getDefaultLoop(): EventLoop {
  if (defaultLoop === null || defaultLoop.isClosed()) {
    const g = globalThis as Record<symbol, EventLoop | undefined>;
    let loop = g[DEFAULT_KEY];
    if (loop === undefined || loop.isClosed()) {
      loop = new EventLoop();
      g[DEFAULT_KEY] = loop;
    }
    defaultLoop = loop;
    if (!loop.isRunning()) loop.startAutoRun();
  }
  return defaultLoop;
}

/**
 * The running loop when called from a callback or task; otherwise the loop set with
 * setEventLoop, or the process-wide default loop.
 * @see asyncio.get_event_loop
 */
export function getEventLoop(): EventLoop {
  const running = runningLoopOrNull();
  if (running !== null) return running;
  const set = (globalThis as Record<symbol, EventLoop | null | undefined>)[SET_KEY];
  if (set != null && !set.isClosed()) return set;
  return getDefaultLoop();
}

/** Makes `loop` what getEventLoop returns outside any running loop (null: the default loop). @see asyncio.set_event_loop */
export function setEventLoop(loop: EventLoop | null): void {
  if (loop !== null && !(loop instanceof EventLoop)) {
    throw new TypeError(`setEventLoop expects an EventLoop or null, got ${describe(loop)}`);
  }
  (globalThis as Record<symbol, EventLoop | null>)[SET_KEY] = loop;
}

/** A new loop, not running until runUntilComplete/runForever. @see asyncio.new_event_loop */
export function newEventLoop(options: EventLoopOptions = {}): EventLoop {
  return new EventLoop(options);
}
