/** Task: drives one coroutine on an EventLoop; is itself the Future of that coroutine's result. */
import type { HostAbortSignal } from "./host-types.js";
import { captureContext, runInContext, type CapturedContext } from "./context.js";
import {
  BODY,
  LazyCoroutine,
  YIELD_TO_LOOP,
  coroutineBody,
  YieldToLoop,
  coroutineInfo,
  frameInfo,
  isFrame,
  setLazyScheduler,
  entryInfo,
  siteRegister,
  chainSlot,
  DELEGATION_LIMIT,
  type Coroutine,
  type CoroutineBody,
  type Frame,
  type FunctionInfo,
} from "./coroutine.js";
import {
  CANCELLED_HEADER,
  CancelledError,
  FRAMES_UNCHECKED,
  HAS_OWN_FRAMES,
  NOT_COMPILED_HINT,
  RuntimeError,
  cancelStackLines,
  describe,
  runtimeCancelledError,
  setCancelStackLines,
} from "./errors.js";
import { getEventLoop, installTaskSupport, writeStderr, type EventLoop } from "./event-loop.js";
import { sourceLine } from "./source-lines.js";
import { Future } from "./future.js";
import { RUN } from "./handle.js";
import { runningLoopOrNull, enterLoop, leaveLoop } from "./running-loop.js";

/** A frame of an await chain: a level's root frame, or a chain entry (a frame, or the body that made it). */
type StackEntry = Frame | CoroutineBody;

/** A frame of a stack or traceback: 1-based positions in the original source. */
export interface StackFrame {
  functionName: string;
  fileName: string;
  lineNumber: number;
  columnNumber: number;
  /** The source line's text, when the transform recorded it. */
  source?: string;
}

/** Options of createTask and the Task constructor. */
export interface TaskOptions {
  /** The task's name (default `Task-N`). */
  name?: string;
}

// Whether a task waits on a native Promise (every thenable is awaited through one) (Task#flags).
const THENABLE_BITS = 3;
const RESUME_THROW = 4;
const CANCEL_PENDING = 8;
/** Started by an eager call: an unobserved failure is also shown to the host as a rejection. */
const REPORTS_TO_HOST = 16;
/** The pending cancel let go of the awaited thenable: uncancel() cannot take it back. */
const CANCEL_KEPT = 32;
/** Debug mode: a catch clause took a CancelledError and the coroutine went on (#rare.swallowed). */
const SWALLOW_SUSPECTED = 64;
const NO_THENABLE = 0;
const NATIVE_PROMISE = 2;
type ThenableState = typeof NO_THENABLE | typeof NATIVE_PROMISE;
/** Returns `fn` as it is: an arrow passed as an argument gets no inferred name. */
function anonymous<F>(fn: F): F {
  return fn;
}
interface ThenableCallbacks {
  readonly fulfilled: (value: unknown) => void;
  readonly rejected: (reason: unknown) => void;
}

// How the next step resumes the innermost frame.
const SEND = 0;
const THROW = 1;
type ResumeKind = typeof SEND | typeof THROW;

const promiseThen = Promise.prototype.then;
const PROMISE_PROTOTYPE = Promise.prototype;
const getPrototypeOf = Object.getPrototypeOf;
/**
 * A key only this module holds. Loading it from a promise is unobservable (nothing can define
 * it; only a Proxy on the promise's prototype chain would see the lookup) and always undefined.
 */
const MAP_PROBE = Symbol("corotask.mapProbe");

/**
 * The task whose step is innermost on the JavaScript stack, and the ones it interrupted,
 * innermost last (steps nest when a task starts another eagerly). Kept apart so that the usual
 * unnested step costs two variable writes, not an array push and pop.
 */
let steppingTask: Task<unknown> | null = null;
const interruptedSteps: Task<unknown>[] = [];

/**
 * Tasks whose cancel() is forwarding to what they wait on, innermost last: a task met again
 * here awaits, through others, itself (a wait cycle). Held here, not per task: it is rare.
 */
const forwardingCancel: Task<unknown>[] = [];

/** Tasks whose toString() is running, innermost last: a wait cycle prints `<Task ...>` once. */
const describing: Task<unknown>[] = [];

/**
 * The pending tasks of one loop, for allTasks(): a doubly linked list through the tasks
 * themselves, in creation order; a task unlinks itself when it finishes. Cheaper than a Set,
 * which hashes on every add and delete and holds a table entry per task.
 */
interface PendingTasks {
  first: Task<unknown> | null;
  last: Task<unknown> | null;
}
const pendingByLoop = new WeakMap<EventLoop, PendingTasks>();
/** The pending tasks of a list, in creation order (defined inside Task, which owns the links). */
let listPending: (list: PendingTasks | undefined) => Set<Task<unknown>>;
let lastLoop: EventLoop | null = null;
let lastPending: PendingTasks | null = null;
function pendingTasks(loop: EventLoop): PendingTasks {
  if (loop === lastLoop) return lastPending!;
  let list = pendingByLoop.get(loop);
  if (list === undefined) pendingByLoop.set(loop, (list = { first: null, last: null }));
  lastLoop = loop;
  lastPending = list;
  return list;
}

let taskCounter = 0;

/** What the step is throwing into a frame (an error from outside), while frame.throw() runs. */
const NOTHING_THROWN: unique symbol = Symbol("nothing thrown");
let thrownIntoStep: unknown = NOTHING_THROWN;
/** A catch clause of a delegating body ran (defined inside Task, which owns the chain). */
let caughtInStep: (error: unknown, catchIndex: number, depth: number) => void;

/**
 * `_c(error, catchIndex, k)`: the first statement of a catch clause in a body that delegates.
 * Records the catch site for the report of a swallowed cancellation, sets the chain depth back
 * to the body's callees (past the delegated frames the error left), and gives the error's stack
 * the `at async` lines of those frames.
 */
export function caught(error: unknown, catchIndex: number, depth: number): void {
  caughtInStep(error, catchIndex, depth);
}
/**
 * Errors whose stack the runtime cleaned, with how many frame lines it has: `at async` lines are
 * added while that stays under Error.stackTraceLimit, V8's own limit on a stack's frames.
 */
const asyncFramesAdded = new WeakMap<object, number>();
/** The longest traceback a failed task keeps (its newest frames). */
const TRACEBACK_LIMIT = 1000;

// While not done, exactly one holds:
//  waiting    - on a Future: #waitingOn is a pending Future whose waiters include this task;
//               on a thenable: the THENABLE_BITS of #flags are set; the settlement resumes us
//               through #thenableCallbacks (a cancel detaches them: stale ones are ignored).
//  scheduled  - queued on the loop (or a thenable settled): RESUME_THROW/#resumeValue say how to
//               resume; #waitingOn is null or done.
//  running    - #runStep is on the JavaScript stack; #waitingOn is null.
// cancel(): waiting on a Future -> cancel it (its wake-up throws CancelledError); otherwise set
// CANCEL_PENDING, and the next step throws CancelledError into the innermost frame.
/**
 * A Task: runs a coroutine on an event loop. `cancel()` throws CancelledError into the coroutine
 * at the await where it is suspended. Thenable: plain code can `await` it.
 * @see asyncio.Task
 */
// A Task is a FutureWaiter (waiterLoop, [RUN]) structurally; not declared with `implements`, as
// that interface is internal and stripped from the published declarations.
export class Task<T = unknown> extends Future<T> {
  /** The coroutine as given, for getCoro(). */
  readonly #coro: Coroutine<T>;

  /** The loop this task steps on (a Future waiter names its loop). @internal */
  get waiterLoop(): EventLoop {
    return this.getLoop();
  }
  /** The innermost frame: the one to resume. Null once done. */
  #frame: Frame | null;
  /** Await site index of the innermost frame (siteRegister.at when it last yielded), -1 before. */
  #site = -1;
  /**
   * The levels below the current one, outermost first, as quads: the level's root frame, the
   * await site where its innermost frame waits on the next level, and the chain depth and limit
   * when the next level started. #frame is the current level's root.
   */
  #parents: unknown[] | null = null;
  /** The delegation chain (see SiteRegister.chain) while not running; null before any delegation. */
  #chain: unknown[] | null = null;
  /** The Future this task is blocked on; null while scheduled or running. */
  #waitingOn: Future<unknown> | null = null;
  /**
   * Small states in one field, as a pending task costs its fields: bits 0-1 say whether
   * it waits on a foreign thenable and whether that is a native Promise (THENABLE_BITS); bit 2
   * how the next step resumes the innermost frame (RESUME_THROW); bit 3 that a cancel() arrived
   * while no Future could carry it, so the next step throws CancelledError (CANCEL_PENDING);
   * bit 4 that an eager call started it (REPORTS_TO_HOST); bit 5 that uncancel() cannot take
   * that back, as the cancel let go of a thenable (CANCEL_KEPT); bit 6, in debug mode, that a
   * catch clause took a CancelledError not yet known to be swallowed (SWALLOW_SUSPECTED).
   * Read and written with plain bit operations: private accessors here cost a third of an await.
   */
  #flags = 0;
  /** The callbacks handed to `then`: made once per task, and anew after a cancel detached them. */
  #thenableCallbacks: ThenableCallbacks | null = null;
  #resumeValue: unknown = undefined;
  #cancelRequests = 0;
  /** The name given, or the creation number of the default name `Task-N`. */
  #name: string | number;
  readonly #context: CapturedContext;
  /** Neighbours in the loop's list of pending tasks. */
  #previousPending: Task<unknown> | null = null;
  #nextPending: Task<unknown> | null = null;
  /** What few tasks need (an AbortSignal, a traceback): kept apart so a task stays small. */
  #rare: { abortController?: AbortController; traceback?: StackFrame[]; tracebackOf?: unknown; cancelMessage?: string; swallowed?: SwallowSuspect } | null = null;

  /** The message of the latest cancel(msg). */
  get #cancelRequestMessage(): string | undefined {
    return this.#rare?.cancelMessage;
  }

  /**
   * Wraps `coro` in a Task on `loop` (default: the running loop or getEventLoop()) and
   * schedules its first step; with `eagerStart`, runs it at once up to its first suspension.
   */
  constructor(coro: Coroutine<T>, options?: TaskOptions & { loop?: EventLoop; eagerStart?: boolean }) {
    const loop = options?.loop ?? runningLoopOrNull() ?? getEventLoop();
    super({ loop });
    this.#coro = coro;
    const frame = coro instanceof LazyCoroutine ? coro.takeFrame() : checkFrame(coro, "Task");
    this.#frame = frame;
    this.#name = options?.name === undefined || options.name === null ? ++taskCounter : String(options.name);
    this.#context = captureContext();
    this.#linkPending(pendingTasks(loop));
    if (options?.eagerStart === true) {
      this.#flags = REPORTS_TO_HOST;
      this.#runStep(SEND, undefined);
    } else {
      loop.enqueueRunnable(this);
    }
  }

  // ---- identity ----

  /** The coroutine this task runs. */
  getCoro(): Coroutine<T> {
    return this.#coro;
  }

  /** The task's name: as given, or `Task-N` in creation order. */
  getName(): string {
    return typeof this.#name === "number" ? `Task-${this.#name}` : this.#name;
  }

  /** Renames the task. */
  setName(name: unknown): void {
    this.#name = String(name);
  }

  /** Tasks have no settable result. */
  override setResult(_value: T): never {
    throw new RuntimeError("Task does not support set_result operation");
  }

  /** Tasks have no settable exception. */
  override setException(_exception: unknown): never {
    throw new RuntimeError("Task does not support set_exception operation");
  }

  // ---- cancellation ----

  /**
   * Requests cancellation: CancelledError(msg) is thrown into the coroutine at the await where
   * it waits (at once, if it waits on a Future; at its next step otherwise). The coroutine may
   * catch it. Returns false if the task is already done.
   */
  override cancel(msg?: string): boolean {
    if (this.done()) return false;
    if (forwardingCancel.includes(this)) return this.#breakWaitCycle();
    this.#cancelRequests++;
    if (msg !== undefined || this.#rare?.cancelMessage !== undefined) (this.#rare ??= {}).cancelMessage = msg;
    const abortController = this.#rare?.abortController;
    if (abortController !== undefined && !abortController.signal.aborted) {
      abortController.abort(runtimeCancelledError(msg));
    }
    const waitingOn = this.#waitingOn;
    if (waitingOn !== null) {
      forwardingCancel.push(this);
      let accepted: boolean;
      try {
        accepted = waitingOn.cancel(msg);
      } finally {
        forwardingCancel.pop();
      }
      // The awaited future's wake-up throws its CancelledError into the coroutine.
      if (accepted) return true;
    }
    this.#flags |= CANCEL_PENDING;
    if ((this.#flags & THENABLE_BITS) !== NO_THENABLE) this.#detachThenable();
    return true;
  }

  /**
   * cancel() reached this task again through what it awaits: tasks awaiting each other in a
   * cycle (a deadlock). Forwarding once more would recurse forever (asyncio raises
   * RecursionError); instead stop waiting and throw the CancelledError at this task's own await.
   * The request was already counted by the outer cancel().
   */
  #breakWaitCycle(): boolean {
    const waitingOn = this.#waitingOn;
    if (waitingOn !== null) {
      waitingOn.removeDoneCallback(this);
      this.#waitingOn = null;
      this.#flags |= CANCEL_PENDING;
      this.waiterLoop.enqueueRunnable(this);
    }
    return true;
  }

  /** How many cancellation requests are outstanding (cancel() calls minus uncancel() calls). */
  cancelling(): number {
    return this.#cancelRequests;
  }

  /**
   * Takes back one cancellation request; returns the requests left. At zero a pending
   * cancellation that was not yet delivered is dropped (Python 3.13), unless it already let go
   * of the thenable the task awaited: that await still ends in CancelledError.
   */
  uncancel(): number {
    if (this.#cancelRequests > 0) {
      this.#cancelRequests--;
      if (this.#cancelRequests === 0 && (this.#flags & CANCEL_KEPT) === 0) this.#flags &= ~CANCEL_PENDING;
    }
    return this.#cancelRequests;
  }

  /**
   * An AbortSignal that aborts when cancellation is requested: pass it to fetch, timers, streams.
   * Typed as the host's AbortSignal where its types are loaded ({@link HostAbortSignal}).
   */
  get signal(): HostAbortSignal {
    const rare = (this.#rare ??= {});
    if (rare.abortController === undefined) {
      rare.abortController = new AbortController();
      if (this.#cancelRequests > 0 || this.cancelled()) {
        rare.abortController.abort(runtimeCancelledError(this.#cancelRequestMessage));
      }
    }
    return rare.abortController.signal;
  }

  // ---- stepping ----

  /** The loop runs a scheduled step, or a Future this task waits on woke it. @internal */
  [RUN](): void {
    if (this.#frame === null) return;
    const waitingOn = this.#waitingOn;
    let kind: ResumeKind;
    let value: unknown;
    if (waitingOn !== null) {
      this.#waitingOn = null;
      if (waitingOn.cancelled()) {
        kind = THROW;
        value = waitingOn.makeCancelledError();
      } else if (waitingOn.hasException()) {
        kind = THROW;
        value = waitingOn.exception();
      } else {
        kind = SEND;
        value = waitingOn.result();
      }
    } else if (((this.#flags & THENABLE_BITS) as ThenableState) !== NO_THENABLE) {
      return; // still waiting on a thenable; a stale wake-up
    } else {
      kind = (this.#flags & RESUME_THROW) === 0 ? SEND : THROW;
      value = this.#resumeValue;
      this.#resumeValue = undefined;
    }
    runInContext(this.#context, this.#runStep, this, kind, value);
  }

  /** Resumes from a thenable's settlement, if the task still waits on it. */
  #settleThenable(callbacks: ThenableCallbacks, kind: ResumeKind, value: unknown): void {
    const flags = this.#flags;
    const state = (flags & THENABLE_BITS) as ThenableState;
    if (callbacks !== this.#thenableCallbacks || state === NO_THENABLE || this.#frame === null) return;
    this.#flags = flags & ~THENABLE_BITS;
    // A native Promise runs its reactions in the context `then` was called in: this task's.
    this.#runStep(kind, value);
  }

  /**
   * Stops listening to the awaited thenable and wakes the task (a cancel arrived). The wake-up
   * throws CancelledError even if uncancel() takes the request back first (CANCEL_KEPT): the
   * await has no value to resume with, as a Future cancelled by the request has none.
   */
  #detachThenable(): void {
    this.#flags = (this.#flags & ~THENABLE_BITS) | CANCEL_KEPT;
    this.#thenableCallbacks = null;
    this.waiterLoop.enqueueRunnable(this);
  }

  /**
   * The trampoline: resumes the innermost frame and follows what it yields. A yielded frame is
   * pushed and run inline; a finished frame is popped and its result or exception handed to the
   * frame below. Returns when the task suspends or ends.
   */
  #runStep(kind: ResumeKind, value: unknown): void {
    let frame = this.#frame!;
    if ((this.#flags & CANCEL_PENDING) !== 0) {
      this.#flags &= ~(CANCEL_PENDING | CANCEL_KEPT);
      kind = THROW;
      value = runtimeCancelledError(this.#cancelRequestMessage);
    }
    if (kind === THROW && value instanceof CancelledError) this.#strike(value);
    const previousLoop = enterLoop(this.getLoop());
    const interrupted = steppingTask;
    if (interrupted !== null) {
      interruptedSteps.push(interrupted);
      interrupted.#saveChain();
    }
    steppingTask = this;
    // The chain registers: this task's. Written out, not a #loadChain() call: it is the step's
    // prologue, and the call showed in promise-await.
    const register = siteRegister;
    const savedChain = (register.chain = this.#chain);
    if (savedChain === null) {
      register.depth = 0;
      register.limit = DELEGATION_LIMIT;
    } else {
      register.depth = savedChain[0] as number;
      register.limit = savedChain[1] as number;
    }
    try {
      // The hot path: resume, push a yielded frame, pop a finished one. Everything else (a
      // suspension, an exception, an adopted thenable) is a method call.
      for (;;) {
        let next: IteratorResult<unknown, unknown>;
        try {
          next = kind === SEND ? frame.next(value) : this.#throwInto(frame, value);
        } catch (error) {
          if (this.#unwind(frame, error, kind === THROW && error === value)) return;
          frame = this.#frame!;
          kind = THROW;
          value = error;
          continue;
        }
        if (next.done === true) {
          const returned = next.value;
          if ((typeof returned === "object" && returned !== null) || typeof returned === "function") {
            const adopted = returnedAwaitable(returned);
            if (adopted !== NOT_THENABLE) {
              // `return thenable` in an async function resolves to its outcome: finish this
              // frame by awaiting it, in a hidden frame at the same place.
              frame = this.#frame = adoptBody(adopted);
              kind = SEND;
              value = undefined;
              continue;
            }
          }
          const parents = this.#parents;
          if (parents === null || parents.length === 0) {
            this.#finish(SEND, returned);
            return;
          }
          frame = this.#popLevel(parents);
          kind = SEND;
          value = returned;
          continue;
        }
        const yielded = next.value;
        const site = siteRegister.at;
        let suspended: boolean;
        if (yielded instanceof Promise) {
          // A native Promise, the most common await of all, goes straight to `then`.
          this.#site = site;
          suspended = this.#awaitPromise(yielded);
        } else if (isFrame(yielded)) {
          this.#pushLevel(frame, site);
          frame = this.#frame = yielded;
          this.#site = -1;
          kind = SEND;
          value = undefined;
          continue;
        } else {
          this.#site = site;
          suspended = this.#suspendOn(yielded, frame, site);
        }
        if (suspended) {
          if ((this.#flags & SWALLOW_SUSPECTED) !== 0) this.#suspendedAfterTakingCancel();
          return;
        }
        // Go on at once, as #awaitPromise or #suspendOn left it in the fields.
        frame = this.#frame!;
        kind = ((this.#flags & RESUME_THROW) === 0 ? SEND : THROW);
        value = this.#resumeValue;
        this.#resumeValue = undefined;
        if (kind === THROW && value instanceof CancelledError) this.#strike(value);
      }
    } finally {
      if (register.chain !== null && this.#frame !== null) this.#saveChain();
      steppingTask = interrupted;
      if (interrupted !== null) {
        interruptedSteps.pop();
        interrupted.#loadChain();
      }
      leaveLoop(previousLoop);
    }
  }

  /**
   * A CancelledError is about to be thrown in at this task's await: one without frames of its
   * own (the runtime's) gets an `at async` line per frame of the await chain it interrupts,
   * innermost first, as a native error made there would show (a cancelled task awaited
   * elsewhere: the awaiting task's chain, after the cancelled one's). Frames it then leaves add
   * nothing. Called before the step loads the chain registers.
   */
  #strike(error: CancelledError): void {
    if (framelessLines(error) < 0) return;
    const parents = this.#parents;
    // As #logicalFrames: while this task steps, its chain depth is in the registers.
    const depth = steppingTask === this ? siteRegister.depth : this.#chain === null ? 0 : (this.#chain[0] as number);
    if ((parents === null || parents.length === 0) && depth === 0) {
      // One frame, the usual case: no arrays to build.
      addCancelLine(error, entryInfo(this.#frame!), this.#site);
      return;
    }
    const frames = this.#logicalFrames();
    for (let i = frames.length - 1; i >= 0; i--) addCancelLine(error, entryInfo(frames[i]!.frame), frames[i]!.site);
  }

  /** Throws `error` into `frame`; in debug mode, watches for a CancelledError the frame swallows. */
  #throwInto(frame: Frame, error: unknown): IteratorResult<unknown, unknown> {
    siteRegister.caught = -1;
    siteRegister.caughtAt = -1;
    const cancelsBefore = this.#cancelRequests;
    // Where the cancellation is delivered, before the coroutine's catch clauses move the registers.
    const deliveredAt = error instanceof CancelledError && this.getLoop().getDebug() ? this.#awaitPath() : null;
    // What a catch clause of a delegating body compares with (see caught()); #unwind clears it
    // when the error comes back out.
    thrownIntoStep = error;
    const next = frame.throw(error);
    thrownIntoStep = NOTHING_THROWN;
    if (deliveredAt !== null) this.#cancelTaken(frame, error as CancelledError, next.done === true, cancelsBefore, deliveredAt);
    return next;
  }

  /**
   * `frame` ended with `error`: pop it and make its parent the frame to throw into (returns
   * false), or finish the task with the error when it was the task's own frame (returns true).
   */
  #unwind(frame: Frame, error: unknown, thrownIn: boolean): boolean {
    thrownIntoStep = NOTHING_THROWN;
    // A frameless CancelledError that struck nowhere (raised by user code: a cancelled future's
    // result()) lists the chain where it was raised, as one delivered at an await lists its own.
    if (error instanceof CancelledError && framelessLines(error) === 0) this.#strike(error);
    // The level's frames the error left, innermost first: the chain entries it passed through
    // (no catch set the depth back), then the level's root.
    const parents = this.#parents;
    const base = this.#levelBase();
    const depth = siteRegister.depth;
    if (depth > base) {
      const left = this.#levelFrames(frame, base, depth, siteRegister.chain, this.#site).reverse();
      for (const { frame: passed, site } of left) this.#recordTraceback(passed, site, error, thrownIn);
      addDelegatedFrames(error, left, thrownIn);
    } else {
      // Nothing delegated in this level (a cancelled task's usual end): no arrays to build.
      this.#recordTraceback(frame, this.#site, error, thrownIn);
      addDelegatedFrames(error, [], thrownIn);
    }
    if (parents === null || parents.length === 0) {
      this.#finish(THROW, error);
      return true;
    }
    this.#popLevel(parents);
    // The frame the error is thrown into next: the innermost of the level below.
    const below = siteRegister.depth;
    const chain = siteRegister.chain;
    const receiving = below > this.#levelBase() && chain !== null ? (chain[chainSlot(below - 1)] as StackEntry) : this.#frame!;
    if (!isFramelessCancel(error)) addAsyncFrame(error, entryInfo(receiving), this.#site);
    return false;
  }

  /** Starts a level: `frame`, waiting at `site`, yielded a frame to run on the trampoline. */
  #pushLevel(frame: Frame, site: number): void {
    const register = siteRegister;
    (this.#parents ??= []).push(frame, site, register.depth, register.limit);
    register.limit = register.depth + DELEGATION_LIMIT;
  }

  /** Ends the current level: the level below becomes current; returns its root frame. */
  #popLevel(parents: unknown[]): Frame {
    const register = siteRegister;
    register.limit = parents.pop() as number;
    const depth = (register.depth = parents.pop() as number);
    this.#site = parents.pop() as number;
    // Entries past the depth belong to frames that ended: let them go.
    const chain = register.chain;
    if (chain !== null && chain.length > chainSlot(depth)) chain.length = chainSlot(depth);
    return (this.#frame = parents.pop() as Frame);
  }

  /** The chain depth where the current level starts. */
  #levelBase(): number {
    const parents = this.#parents;
    return parents === null || parents.length === 0 ? 0 : (parents[parents.length - 2] as number);
  }

  /** Makes this task's chain the registers' (its step starts or resumes). */
  #loadChain(): void {
    const register = siteRegister;
    const chain = (register.chain = this.#chain);
    if (chain === null) {
      register.depth = 0;
      register.limit = DELEGATION_LIMIT;
    } else {
      register.depth = chain[0] as number;
      register.limit = chain[1] as number;
    }
  }

  /** Keeps the registers' chain with this task (its step ends or is interrupted). */
  #saveChain(): void {
    const register = siteRegister;
    const chain = register.chain;
    if (chain === null) return;
    chain[0] = register.depth;
    chain[1] = register.limit;
    this.#chain = chain;
  }

  /**
   * The frames of one level, outermost first, each with its await site: the root, then chain
   * entries `from` to `to - 1`; the innermost waits at `exitSite`.
   */
  #levelFrames(root: Frame, from: number, to: number, chain: unknown[] | null, exitSite: number): Array<{ frame: StackEntry; site: number }> {
    const frames: Array<{ frame: StackEntry; site: number }> = [];
    let current: StackEntry = root;
    for (let i = from; i < to && chain !== null; i++) {
      const slot = chainSlot(i);
      frames.push({ frame: current, site: chain[slot + 1] as number });
      current = chain[slot] as StackEntry;
    }
    frames.push({ frame: current, site: exitSite });
    return frames;
  }

  /** Every frame of the await chain, outermost first, with its await site. */
  #logicalFrames(): Array<{ frame: StackEntry; site: number }> {
    if (this.#frame === null) return [];
    const running = steppingTask === this;
    const chain = running ? siteRegister.chain : this.#chain;
    const depth = running ? siteRegister.depth : chain === null ? 0 : (chain[0] as number);
    const frames: Array<{ frame: StackEntry; site: number }> = [];
    const parents = this.#parents ?? [];
    let from = 0;
    for (let j = 0; j < parents.length; j += 4) {
      const to = parents[j + 2] as number;
      frames.push(...this.#levelFrames(parents[j] as Frame, from, to, chain, parents[j + 1] as number));
      from = to;
    }
    frames.push(...this.#levelFrames(this.#frame, from, depth, chain, this.#site));
    return frames;
  }

  /**
   * The frame yielded something other than a frame or a native Promise. Returns true when the task is now
   * suspended or scheduled; false to go on at once, resuming #frame as RESUME_THROW and #resumeValue say.
   */
  #suspendOn(yielded: unknown, frame: Frame, site: number): boolean {
    if (yielded instanceof Future) {
      if (yielded.done()) {
        // As asyncio: awaiting a done future does not suspend.
        if (yielded.cancelled()) this.#resumeWith(THROW, yielded.makeCancelledError());
        else if (yielded.hasException()) this.#resumeWith(THROW, yielded.exception());
        else this.#resumeWith(SEND, yielded.result());
        return false;
      }
      if (yielded === this) {
        this.#resumeWith(THROW, new RuntimeError(`Task cannot await on itself: ${this.toString()}`));
        return false;
      }
      if (yielded.getLoop() === this.getLoop()) {
        this.#waitingOn = yielded;
        yielded.addWaiter(this);
        if ((this.#flags & CANCEL_PENDING) !== 0 && yielded.cancel(this.#cancelRequestMessage)) this.#flags &= ~CANCEL_PENDING;
        return true;
      }
      // As asyncio: its callbacks would run on the other loop, which may not even be running.
      this.#resumeWith(THROW, new RuntimeError(
        `Task ${this.toString()} got Future ${yielded.toString()} attached to a different loop: ` +
          `the future is on ${yielded.getLoop().toString()}, the task on ${this.getLoop().toString()}; ` +
          `create the future on the task's loop, or await otherLoop.runUntilComplete(future) or runCoroutineThreadsafe(coro, otherLoop) instead`,
      ));
      return false;
    } else if (yielded instanceof LazyCoroutine) {
      try {
        const lazyFrame = yielded.takeFrame();
        this.#pushLevel(frame, site);
        this.#frame = lazyFrame;
        this.#site = -1;
        this.#resumeWith(SEND, undefined);
      } catch (error) {
        this.#resumeWith(THROW, error);
      }
      return false;
    } else if (yielded instanceof YieldToLoop) {
      this.#scheduleResume(SEND, yielded === YIELD_TO_LOOP ? undefined : yielded.value);
      return true;
    }
    if ((typeof yielded === "object" && yielded !== null) || typeof yielded === "function") {
      if (yielded === delegatedReturn.value) return this.#awaitPromise(takeDelegatedReturn() as Promise<unknown>);
      let then: unknown;
      try {
        then = (yielded as { then?: unknown }).then;
      } catch (error) {
        // As native await: the getter's throw rejects the promise it awaits.
        return this.#awaitPromise(Promise.reject(error));
      }
      if (typeof then === "function") return this.#awaitPromise(adoptThenable(yielded, then));
    }
    this.#scheduleResume(SEND, yielded);
    return true;
  }

  #resumeWith(kind: ResumeKind, value: unknown): void {
    this.#flags = kind === THROW ? this.#flags | RESUME_THROW : this.#flags & ~RESUME_THROW;
    this.#resumeValue = value;
  }

  #scheduleResume(kind: ResumeKind, value: unknown): void {
    this.#resumeWith(kind, value);
    this.waiterLoop.enqueueRunnable(this);
  }

  /**
   * Awaits a native Promise: the step's fast path, kept small to be inlined into #runStep. As
   * #suspendOn, returns false when the task goes on at once (`then` threw, or is not a function).
   */
  #awaitPromise(promise: Promise<unknown>): boolean {
    if (promise === delegatedReturn.value) promise = takeDelegatedReturn() as Promise<unknown>;
    // As native await: a plain Promise is chained with the built-in then (PerformPromiseThen),
    // whatever its own `then` says; any other (a subclass) is adopted through its `then`. Told
    // apart by the prototype, not by reading `constructor`: the built-in then reads it (its
    // species), so the await reads it once, as native await's PromiseResolve does.
    // MAP_PROBE's load (always undefined) is there for speed: it gives V8 the promise's map, so
    // the prototype check folds to a constant (promise-await: ~62 ns per await without it, ~54 with).
    if ((promise as { [MAP_PROBE]?: unknown })[MAP_PROBE] !== undefined || getPrototypeOf(promise) !== PROMISE_PROTOTYPE) {
      promise = adoptThenable(promise);
    }
    const callbacks = this.#thenableCallbacks ?? this.#thenableCallbacksOnce();
    try {
      promiseThen.call(promise, callbacks.fulfilled, callbacks.rejected);
    } catch (error) {
      // A `constructor` getter that throws: native await's PromiseResolve throws it at the await.
      this.#resumeWith(THROW, error);
      return false;
    }
    this.#flags = (this.#flags & ~THENABLE_BITS) | NATIVE_PROMISE;
    if ((this.#flags & CANCEL_PENDING) !== 0) this.#detachThenable();
    return true;
  }

  #thenableCallbacksOnce(): ThenableCallbacks {
    // Made once per task, not per await: the identity check replaces a fresh pair per thenable.
    // Passed through anonymous(): a thenable sees nameless callbacks of length 1, as the
    // resolving functions of a native await are (test262 checks their name).
    const made: ThenableCallbacks = {
      fulfilled: anonymous((v: unknown) => this.#settleThenable(made, SEND, v)),
      rejected: anonymous((e: unknown) => this.#settleThenable(made, THROW, e)),
    };
    return (this.#thenableCallbacks = made);
  }


  #linkPending(list: PendingTasks): void {
    const last = list.last;
    this.#previousPending = last;
    if (last === null) list.first = this;
    else last.#nextPending = this;
    list.last = this;
  }

  #unlinkPending(list: PendingTasks): void {
    const previous = this.#previousPending;
    const next = this.#nextPending;
    if (previous === null) list.first = next;
    else previous.#nextPending = next;
    if (next === null) list.last = previous;
    else next.#previousPending = previous;
    this.#previousPending = this.#nextPending = null;
  }

  static {
    caughtInStep = (error, catchIndex, depth) => {
      const register = siteRegister;
      register.caught = catchIndex;
      const deepest = register.depth;
      register.caughtAt = register.depth = depth;
      const task = steppingTask;
      const chain = register.chain;
      // A taken CancelledError re-raised after an await, caught again: this catch is the one to name.
      const suspect = task !== null && (task.#flags & SWALLOW_SUSPECTED) !== 0 ? task.#rare!.swallowed! : null;
      if (suspect !== null && suspect.error === error) suspect.report = task!.#swallowReport(task!.#catcherInfo(depth, task!.#frame!), catchIndex);
      if (deepest <= depth || task === null || chain === null || task.#frame === null) return;
      // The frames the error left, innermost first (each with the site where it awaited the
      // next), then the frame whose catch clause runs.
      const left: Array<{ frame: StackEntry; site: number }> = [];
      for (let i = deepest - 1; i >= depth; i--) {
        left.push({ frame: chain[chainSlot(i)] as StackEntry, site: i + 1 < deepest ? (chain[chainSlot(i + 1) + 1] as number) : task.#site });
      }
      const catcher = task.#catcher(depth, task.#frame);
      left.push({ frame: catcher, site: chain[chainSlot(depth) + 1] as number });
      addDelegatedFrames(error, left, error === thrownIntoStep);
    };
    // allTasks() walks the list through the private links, without a public accessor.
    listPending = (list) => {
      const tasks = new Set<Task<unknown>>();
      for (let task = list?.first ?? null; task !== null; task = task.#nextPending) {
        if (!task.done()) tasks.add(task);
      }
      return tasks;
    };
  }

  #finish(kind: ResumeKind, value: unknown): void {
    // A CancelledError a catch clause took: swallowed if the task returns, re-raised or replaced if it fails.
    if ((this.#flags & SWALLOW_SUSPECTED) !== 0) this.#settleSwallowed(kind === SEND);
    this.#frame = null;
    this.#parents = null;
    this.#chain = null;
    this.#unlinkPending(pendingTasks(this.getLoop()));
    if (kind === SEND && (this.#flags & CANCEL_PENDING) !== 0) {
      // As asyncio's step: a cancel() that came while the coroutine ran, and was not delivered
      // before it returned, still cancels the task.
      this.#flags &= ~CANCEL_PENDING;
      this.finishCancelled(this.#cancelRequestMessage);
    } else if (kind === SEND) {
      this.finishWithResult(value as T);
    } else if (value instanceof CancelledError) {
      if (this.#rare !== null) this.#rare.traceback = this.#rare.tracebackOf = undefined;
      this.finishCancelled(value.message === "" ? undefined : value.message, value);
    } else {
      this.finishWithException(value, (this.#flags & REPORTS_TO_HOST) !== 0);
    }
  }

  /**
   * `error` passed out of `entry`, which waited at `site`: a traceback frame, innermost first.
   * The frame that raised it (the first to record it, unless it was thrown in at the await)
   * gets the raising line from the error's own stack, with the plain functions it called.
   */
  #recordTraceback(entry: StackEntry, site: number, error: unknown, thrownIn: boolean): void {
    if (error instanceof CancelledError) return;
    const info = entryInfo(entry);
    if (info === null) return;
    const rare = (this.#rare ??= {});
    let traceback = rare.traceback;
    if (traceback === undefined || rare.tracebackOf !== error) {
      // A new error: what an earlier one left (caught on its way out) is not its traceback.
      traceback = rare.traceback = [];
      rare.tracebackOf = error;
      const raised = thrownIn ? null : framesWhereRaised(error, info);
      if (raised !== null) {
        traceback.push(...raised.slice(0, TRACEBACK_LIMIT));
        return;
      }
    }
    if (traceback.length < TRACEBACK_LIMIT) traceback.push(toStackFrame(info, site));
  }

  /**
   * Debug mode: `frame.throw(error)` returned, so the coroutine took the CancelledError in a catch
   * or finally clause. If the frame returned, it swallowed it: reported now. A catch that awaits
   * may still re-raise, so it is reported once the task shows it went on (it waits at the await
   * the cancellation was delivered at again, or returns); not if the task fails, and not if a
   * frame below catches it in turn (that catch is watched instead). A finally re-raises when it
   * ends, unless it returns.
   */
  #cancelTaken(frame: Frame, error: CancelledError, returned: boolean, cancelsBefore: number, deliveredAt: AwaitPath): void {
    if (this.#cancelRequests < cancelsBefore || this.#cancelRequests === 0) return; // uncancel()ed
    const register = siteRegister;
    // No catch clause ran: a finally awaits, and re-raises when it ends.
    if (register.caught < 0 && !returned) return;
    // The catching frame: the one whose callees start at the chain index its catch clause wrote
    // (a body that never delegates writes none: it is then the innermost frame).
    const report = this.#swallowReport(this.#catcherInfo(register.caughtAt >= 0 ? register.caughtAt : register.depth, frame), register.caught);
    const suspect: SwallowSuspect = { error, cancelsBefore, deliveredAt, report };
    (this.#rare ??= {}).swallowed = suspect;
    this.#flags |= SWALLOW_SUSPECTED;
    if (returned) this.#settleSwallowed(true);
  }

  /** The report of a CancelledError swallowed by catch clause `catchIndex` (or -1) of `info`'s function. */
  #swallowReport(info: FunctionInfo, catchIndex: number): SwallowSuspect["report"] {
    const where = catchIndex >= 0 && info.catches?.[catchIndex] !== undefined ? info.catches[catchIndex]! : null;
    const position = where ?? info;
    return {
      message:
        `Task ${this.getName()} swallowed a CancelledError in ${info.name} at ${info.file}:${position.line}: ` +
        `the catch carried on without re-raising it or calling uncancel()`,
      task: this.toString(),
      catchSite: `${info.file}:${position.line}:${position.column}`,
    };
  }

  /** The current level's frame whose callees start at chain index `at`: `root` at the level's base. */
  #catcher(at: number, root: Frame): StackEntry {
    const chain = siteRegister.chain;
    return at > this.#levelBase() && chain !== null ? (chain[chainSlot(at - 1)] as StackEntry) : root;
  }

  /** The function of #catcher(at, root). */
  #catcherInfo(at: number, root: Frame): FunctionInfo {
    return entryInfo(this.#catcher(at, root)) ?? frameInfo(root);
  }

  /** Ends the watch on a taken CancelledError; reports it if it was `swallowed` and not uncancel()ed since. */
  #settleSwallowed(swallowed: boolean): void {
    const suspect = this.#rare!.swallowed!;
    this.#rare!.swallowed = undefined;
    this.#flags &= ~SWALLOW_SUSPECTED;
    if (!swallowed || this.#cancelRequests < suspect.cancelsBefore || this.#cancelRequests === 0) return;
    this.waiterLoop.callExceptionHandler(suspect.report);
  }

  /** The task suspends while a taken CancelledError is watched: waiting again where it came in, it went on. */
  #suspendedAfterTakingCancel(): void {
    if (samePath(this.#rare!.swallowed!.deliveredAt, this.#awaitPath())) this.#settleSwallowed(true);
  }

  /** Where the task waits: each frame of its await chain with its await site, outermost first. */
  #awaitPath(): AwaitPath {
    const path: AwaitPath = [];
    for (const { frame, site } of this.#logicalFrames()) path.push(entryInfo(frame), site);
    return path;
  }

  // ---- introspection ----

  /** The Future this task waits on, if any. @internal */
  waitingOn(): Future<unknown> | null {
    return this.#waitingOn;
  }

  /**
   * The stack: for a pending task, one frame per coroutine of its await chain, oldest first;
   * for a task that failed, the traceback frames (oldest first); otherwise `[]`. `limit` keeps
   * the newest frames of a stack and the oldest of a traceback.
   */
  getStack(options?: { limit?: number | null }): StackFrame[] {
    const limit = options?.limit ?? null;
    if (limit !== null && (typeof limit !== "number" || Number.isNaN(limit))) {
      throw new TypeError(`getStack limit must be a number, got ${describe(limit)}`);
    }
    if (this.#frame !== null) {
      const frames: StackFrame[] = [];
      for (const { frame, site } of this.#logicalFrames()) {
        const info = entryInfo(frame);
        if (info !== null) frames.push(toStackFrame(info, site));
      }
      if (limit === null) return frames;
      return limit <= 0 ? [] : frames.slice(-limit);
    }
    const traceback = this.#rare?.traceback;
    if (traceback !== undefined && !this.cancelled()) {
      const frames = traceback.slice().reverse();
      if (limit === null) return frames;
      return limit <= 0 ? [] : frames.slice(0, limit);
    }
    return [];
  }

  /**
   * Writes the stack (or the traceback, then the error) to `file` (anything with
   * `write(string)`, default stderr), in the layout of Python's traceback module.
   */
  printStack(options?: { limit?: number | null; file?: { write(text: string): unknown } }): void {
    const frames = this.getStack({ limit: options?.limit ?? null });
    const failed = this.done() && !this.cancelled() && this.hasException();
    const lines: string[] = [];
    if (frames.length === 0) lines.push(`No stack for ${this.toString()}`);
    else lines.push(`${failed ? "Traceback" : "Stack"} for ${this.toString()} (most recent call last):`);
    for (const f of frames) {
      lines.push(`  File "${f.fileName}", line ${f.lineNumber}, in ${f.functionName}`);
      const source = f.source ?? sourceLine(f.fileName, f.lineNumber);
      if (source !== undefined && source !== "") lines.push(`    ${source}`);
    }
    if (failed) {
      const e = this.peekException();
      lines.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    }
    const text = lines.join("\n") + "\n";
    if (options?.file !== undefined) options.file.write(text);
    else writeStderr(text);
  }

  /** "Task", for string forms and reports (not constructor.name: minifiers mangle it). @internal */
  protected override reprName(): string {
    return "Task";
  }

  /**
   * `<Task pending name='Task-1' coro=<main() running at demo.ts:12> wait_for=<Future pending>>`
   * and the like, as asyncio's repr: `cancelling` between cancel() and the end, `wait_for=` the
   * future it is suspended on.
   */
  override toString(): string {
    const [state, ...rest] = this.describeState().split(" ");
    const parts = [state === "pending" && this.#cancelRequests > 0 ? "cancelling" : state, `name='${this.getName()}'`, `coro=<${this.#describeCoro()}>`];
    const waitingOn = this.#waitingOn;
    if (waitingOn !== null) {
      // Tasks awaiting each other in a cycle would recurse forever: asyncio's recursive_repr.
      if (describing.includes(this)) return "<Task ...>";
      describing.push(this);
      try {
        parts.push(`wait_for=${waitingOn.toString()}`);
      } finally {
        describing.pop();
      }
    }
    return `<Task ${parts.concat(rest).join(" ")}>`;
  }

  #describeCoro(): string {
    const own = this.#ownFrameInfo();
    if (this.done()) return `${own.info.name}() done, defined at ${own.info.file}:${own.info.line}`;
    const line = own.site >= 0 ? (own.info.sites[own.site]?.line ?? own.info.line) : own.info.line;
    return `${own.info.name}() running at ${own.info.file}:${line}`;
  }

  #ownFrameInfo(): { info: FunctionInfo; site: number } {
    const outermost = this.#logicalFrames()[0];
    if (outermost !== undefined) {
      const root = outermost.frame;
      return { info: typeof root === "function" ? entryInfo(root)! : frameInfo(root), site: outermost.site };
    }
    return { info: coroutineInfo(this.#coro), site: -1 };
  }
}

/** `    at NAME (LOCATION:LINE:COLUMN)` or `    at LOCATION:LINE:COLUMN`. */
const STACK_LINE = /^ {4}at (?:(.+?) \()?(.+):(\d+):(\d+)\)?$/;

/**
 * Where `error` was raised in the coroutine of `info`, read off its JavaScript stack: the
 * coroutine's frame at the raising line, then the plain functions it called down to the one that
 * threw, innermost first. Null when the stack does not show that coroutine in its own file at
 * its own lines (an error made elsewhere, or a stack in generated positions: a bundle without
 * source-mapped stacks), where the last await site is the best line there is.
 */
function framesWhereRaised(error: unknown, info: FunctionInfo): StackFrame[] | null {
  if (!(error instanceof Error)) return null;
  const stack = error.stack;
  if (typeof stack !== "string") return null;
  const lines = stack.split("\n");
  const called: StackFrame[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith("    at ")) continue;
    // A coroutine's line is followed by its resumption line: the first is where it raised.
    const isCoroutine = i + 1 < lines.length && RESUMPTION_LINE.test(lines[i + 1]!);
    const match = STACK_LINE.exec(line);
    if (isCoroutine) {
      if (match === null || lastName(match[1] ?? "<anonymous>") !== lastName(info.name)) return null;
      const file = match[2]!.replace(/^file:\/\//, "");
      const lineNumber = Number(match[3]);
      const endLine = info.endLine ?? 0;
      if (!(file === info.file || file.endsWith("/" + info.file)) || lineNumber < info.line || lineNumber > endLine) return null;
      const raisedAt: StackFrame = { functionName: info.name, fileName: info.file, lineNumber, columnNumber: Number(match[4]) };
      const source = info.sites.find((at) => at.line === lineNumber)?.source;
      if (source !== undefined) raisedAt.source = source;
      // The plain functions' files, named as the coroutine's is (relative to the same folder).
      const folder = file.slice(0, file.length - info.file.length);
      for (const frame of called) if (folder !== "" && frame.fileName.startsWith(folder)) frame.fileName = frame.fileName.slice(folder.length);
      called.push(raisedAt);
      return called;
    }
    if (match === null || isRuntimeFrame(line) || match[2]!.startsWith("node:")) continue;
    called.push({ functionName: match[1] ?? "<anonymous>", fileName: match[2]!.replace(/^file:\/\//, ""), lineNumber: Number(match[3]), columnNumber: Number(match[4]) });
  }
  return null;
}

/** A task's await chain: each frame's FunctionInfo (null for a hidden one) and await site, outermost first. */
type AwaitPath = Array<FunctionInfo | null | number>;

/** A CancelledError a catch clause took, in debug mode, not yet known to be swallowed or re-raised. */
interface SwallowSuspect {
  error: CancelledError;
  cancelsBefore: number;
  deliveredAt: AwaitPath;
  report: { message: string; task: string; catchSite: string };
}

function samePath(a: AwaitPath, b: AwaitPath): boolean {
  return a.length === b.length && a.every((entry, i) => entry === b[i]);
}

/** `handle` of `Server.handle` or `Function.handle` (V8 names a static method's frame so). */
function lastName(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

function toStackFrame(info: FunctionInfo, site: number): StackFrame {
  const at = site >= 0 ? info.sites[site] : undefined;
  const frame: StackFrame = {
    functionName: info.name,
    fileName: info.file,
    lineNumber: at?.line ?? info.line,
    columnNumber: at?.column ?? info.column,
  };
  if (at?.source !== undefined) frame.source = at.source;
  return frame;
}

/**
 * An error left delegated frames (`left`, innermost first, ending with the frame it reaches):
 * its stack loses the runtime's lines and gets an `at async` line for each frame but the first.
 * Unless it was thrown into the step from outside, it was made here: the native lines of the
 * delegating frames are dropped, as those `at async` lines stand for them.
 */
function addDelegatedFrames(error: unknown, left: ReadonlyArray<{ frame: StackEntry; site: number }>, thrownIn: boolean): void {
  // Once per error with frames; a runtime CancelledError has none and costs one lookup.
  if (isFramelessCancel(error)) {
    // Struck where it was delivered, or where it left its frame (#unwind). One raised by user code
    // (a cancelled future's result()) and caught in a delegating body gets the frames it left.
    if (cancelStackLines(error as CancelledError) === 0) for (const { frame, site } of left) addCancelLine(error as CancelledError, entryInfo(frame), site);
    return;
  }
  if (error instanceof Error && !asyncFramesAdded.has(error)) {
    const frames = removeRuntimeFrames(error, !thrownIn);
    if (frames >= 0) asyncFramesAdded.set(error, frames);
  }
  for (let i = 1; i < left.length; i++) addAsyncFrame(error, entryInfo(left[i]!.frame), left[i]!.site);
}

/** A stack line of a frame that is not an `at async` line: V8 wrote the stack. */
const OWN_FRAME_LINE = /\n {4}at (?!async )/;

/**
 * A CancelledError with no JavaScript frames of its own (the runtime's, or one made with none):
 * its `at async` lines are the ones written where it struck.
 */
function isFramelessCancel(error: unknown): boolean {
  return error instanceof CancelledError && framelessLines(error) >= 0;
}

/**
 * How many `at async` lines a CancelledError without frames of its own has (the runtime's start
 * with none), or HAS_OWN_FRAMES. A user's CancelledError is looked at once, when first struck.
 */
function framelessLines(error: CancelledError): number {
  const lines = cancelStackLines(error);
  if (lines !== FRAMES_UNCHECKED) return lines;
  const stack = error.stack;
  const found = typeof stack === "string" && !OWN_FRAME_LINE.test(stack) ? countFrameLines(stack) : HAS_OWN_FRAMES;
  setCancelStackLines(error, found);
  return found;
}

/**
 * Appends `    at async NAME (FILE:LINE:COLUMN)` to a CancelledError without frames of its own
 * (see framelessLines), up to Error.stackTraceLimit lines. The first line of a message-less one
 * is a cached string: a cancellation reads and writes the stack once, and allocates nothing.
 */
function addCancelLine(error: CancelledError, info: FunctionInfo | null, site: number): void {
  if (info === null) return;
  const lines = cancelStackLines(error);
  if (lines >= stackLineLimit()) return;
  const stack = error.stack;
  if (typeof stack !== "string") return;
  try {
    error.stack = lines === 0 && stack === CANCELLED_HEADER ? asyncLine(info, site, true) : stack + asyncLine(info, site, false);
    setCancelStackLines(error, lines + 1);
  } catch {
    /* a frozen error keeps its stack */
  }
}

/**
 * Appends `    at async NAME (FILE:LINE:COLUMN)` to an error passing into a parent frame, as V8
 * does. Only to a stack the runtime cleaned (see addDelegatedFrames): one with no frames at all
 * (made under Error.stackTraceLimit 0, or set by hand) is kept as it is, as V8 keeps it.
 */
function addAsyncFrame(error: unknown, info: FunctionInfo | null, site: number): void {
  if (info === null || !(error instanceof Error)) return;
  const frames = asyncFramesAdded.get(error);
  if (frames === undefined) return;
  const stack = error.stack;
  if (typeof stack !== "string") return;
  if (frames >= stackLineLimit()) return;
  try {
    error.stack = stack + asyncLine(info, site, false);
    asyncFramesAdded.set(error, frames + 1);
  } catch {
    /* a frozen error keeps its stack */
  }
}

/** How many frame lines V8 would write on a stack now: none when Error.stackTraceLimit is not a number. */
function stackLineLimit(): number {
  const limit = Error.stackTraceLimit;
  return typeof limit === "number" ? limit : 0;
}

/**
 * `\n    at async NAME (FILE:LINE:COLUMN)` of a frame at an await site, made once per site; with
 * `headed`, CANCELLED_HEADER and that line (the whole stack of a runtime CancelledError struck there).
 */
const asyncLines = new WeakMap<FunctionInfo, string[]>();
function asyncLine(info: FunctionInfo, site: number, headed: boolean): string {
  let lines = asyncLines.get(info);
  if (lines === undefined) asyncLines.set(info, (lines = []));
  // Two slots per site, plain and headed; site -1 (no await reached yet: the definition's
  // position) is kept at the end of the array.
  const slot = 2 * (site >= 0 ? site : info.sites.length) + (headed ? 1 : 0);
  let line = lines[slot];
  if (line === undefined) {
    const at = toStackFrame(info, site);
    const plain = `\n    at async ${at.functionName} (${at.fileName}:${at.lineNumber}:${at.columnNumber})`;
    line = lines[slot] = headed ? CANCELLED_HEADER + plain : plain;
  }
  return line;
}

function countFrameLines(stack: string): number {
  let count = 0;
  for (let at = stack.indexOf("\n    at "); at >= 0; at = stack.indexOf("\n    at ", at + 9)) count++;
  return count;
}

/**
 * Where the runtime's own frames live. Unbundled (this module is runtime/task.{ts,js,...}), its
 * folder: lines there are the runtime's. Bundled with the user's code into one file (esbuild,
 * Rollup, webpack, minified or not), a folder or file says nothing (issue 11), so RUNTIME_DIR is
 * null and frames are told apart by what a bundler keeps: the stack's shape around the step
 * (see {@link stepFrameIndex}) and names the runtime owns (its `corotask.*` symbols).
 */
const RUNTIME_DIR: string | null = (() => {
  const line = new Error().stack?.split("\n")[1]?.trim() ?? "";
  const match = /((?:file:\/\/)?\/[^()]*)\/([^/()]+):\d+:\d+\)?$/.exec(line);
  if (match === null) return null;
  // Only this module's own file marks the runtime's folder; any other name is a bundle.
  return /^task\.(?:[cm]?[jt]s)$/.test(match[2]!) ? match[1]! + "/" : null;
})();

/** The line V8 prints for the resumption of a generator (`at fib.next (<anonymous>)`). */
const RESUMPTION_LINE = / \S+\.(?:next|throw|return) \(<anonymous>\)$/;

/**
 * A frame of a function keyed by one of the runtime's symbols (`at [corotask.run] (...)`, `at
 * Handle.[corotask.run]`): a symbol's description survives every minifier.
 */
const RUNTIME_SYMBOL_FRAME = /^ {4}at (?:\S+\.)?\[corotask\./;

/** Lines of a stack that belong to the runtime or to the host's machinery, not to user code. */
function isRuntimeFrame(line: string): boolean {
  if (!line.startsWith("    at ")) return false;
  if (RUNTIME_DIR !== null && line.includes(RUNTIME_DIR)) return true;
  if (RUNTIME_SYMBOL_FRAME.test(line)) return true;
  return (
    line.includes("node:internal/process/task_queues") ||
    line.includes("node:internal/timers") ||
    line.includes("node:internal/async_hooks") ||
    line.includes("node:async_hooks") ||
    line.includes("at process.processImmediate") ||
    RESUMPTION_LINE.test(line)
  );
}

/**
 * In a bundle, the index of the step's own frame in an error made during this step, or -1: the
 * first frame after a generator's resumption line that is not itself a generator (a frame
 * followed by its resumption line). The step resumed the innermost coroutine, so that frame and
 * everything under it (the loop, the host; for an eager start, the runtime call that started it
 * and its callers, which V8 would show but the bundle gives no way to tell from the runtime's)
 * are not the coroutine's.
 */
function stepFrameIndex(lines: readonly string[]): number {
  let resumed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith("    at ")) continue;
    if (RESUMPTION_LINE.test(line)) {
      resumed = true;
      continue;
    }
    if (resumed && !(i + 1 < lines.length && RESUMPTION_LINE.test(lines[i + 1]!))) return i;
  }
  return -1;
}

/**
 * Removes the stepper's own frames (generator resumption, the loop, async_hooks) from an error
 * raised in a coroutine, so that its stack reads like a native async function's: the user's
 * frames, then one `at async` line per awaiting coroutine. Returns how many frame lines are
 * left, or -1 for a stack with no frames at all (nothing to remember having cleaned).
 */
function removeRuntimeFrames(error: Error, madeInThisStep: boolean): number {
  const stack = error.stack;
  if (typeof stack !== "string" || !stack.includes("\n    at ")) return -1;
  let lines = stack.split("\n");
  const original = lines.length;
  if (RUNTIME_DIR === null && madeInThisStep) {
    const step = stepFrameIndex(lines);
    if (step >= 0) lines = lines.slice(0, step);
  }
  let generatorLines = 0;
  const kept = lines.filter((line, i) => {
    if (isRuntimeFrame(line)) return false;
    // A generator's line is followed by the line of its resumption. In an error made during
    // this step, the first is the frame it was made in and the next ones are its callers that
    // run it by delegation: those give way to `at async` lines, as in a native async stack.
    if (madeInThisStep && i + 1 < lines.length && RESUMPTION_LINE.test(lines[i + 1]!) && ++generatorLines > 1) return false;
    return true;
  });
  const frames = kept.filter((line) => line.startsWith("    at ")).length;
  if (kept.length === original) return frames;
  try {
    error.stack = kept.join("\n");
  } catch {
    /* a frozen error keeps its stack */
  }
  return frames;
}

/** Throws the TypeError for something that is not a coroutine where one was needed. */
function checkFrame<T>(value: unknown, where: string): Frame<T> {
  if (isFrame(value)) return value as Frame<T>;
  throw notACoroutine(value, where);
}

/** The error for a value that should have been a coroutine. @internal */
export function notACoroutine(value: unknown, where: string): TypeError {
  if (value instanceof Promise) {
    return new TypeError(
      `${where} expected a coroutine, got a native Promise: ${NOT_COMPILED_HINT}. ` +
        "A Promise that no coroutine made (a library's) can be awaited inside a compiled async function, or made a Future with ensureFuture(promise)",
    );
  }
  if (typeof value === "function") {
    const isNativeAsync = Object.prototype.toString.call(value) === "[object AsyncFunction]" && !(BODY in value);
    if (isNativeAsync) {
      return new TypeError(`${where} expected a coroutine, got the native async function ${value.name || "<anonymous>"}: ${NOT_COMPILED_HINT}`);
    }
    return new TypeError(`${where} expected a coroutine, got ${describe(value)}; did you mean to call it: ${value.name || "fn"}()?`);
  }
  return new TypeError(`${where} expected a coroutine, got ${describe(value)}`);
}

// ---- module functions ----

/**
 * Wraps a coroutine in a Task scheduled on the running loop (or getEventLoop()) and returns it.
 * Given a Task (what an eager coroutine function returns), returns that Task, renamed if
 * `name` is given.
 * @see asyncio.create_task
 */
export function createTask<T>(coro: Coroutine<T> | PromiseLike<T>, options?: TaskOptions): Task<T> {
  if (coro instanceof Task) {
    if (options?.name !== undefined) coro.setName(options.name);
    return coro;
  }
  if (!(coro instanceof LazyCoroutine) && !isFrame(coro)) throw notACoroutine(coro, "createTask");
  const loop = runningLoopOrNull() ?? getEventLoop();
  return loop.createTask(coro as Coroutine<T>, options) as Task<T>;
}

/** Creates a Task for a frame and runs it at once up to its first suspension. @internal */
export function startEagerTask<T>(frame: Frame<T>): Task<T> {
  const loop = runningLoopOrNull() ?? getEventLoop();
  const factory = loop.getTaskFactory();
  if (factory !== null) return factory(loop, frame) as Task<T>;
  return new Task(frame, { loop, eagerStart: true });
}

/**
 * The Task running on `loop` (default: the running loop), or null outside any task.
 * @see asyncio.current_task
 */
export function currentTask(loop?: EventLoop): Task<unknown> | null {
  const target = loop ?? runningLoopOrNull();
  if (target === null) return null;
  if (steppingTask === null) return null;
  if (steppingTask.waiterLoop === target) return steppingTask;
  for (let i = interruptedSteps.length - 1; i >= 0; i--) {
    if (interruptedSteps[i]!.waiterLoop === target) return interruptedSteps[i]!;
  }
  return null;
}

/**
 * The tasks of `loop` (default: the running loop, else getEventLoop()) that are not done.
 * Finished tasks are never kept.
 * @see asyncio.all_tasks
 */
export function allTasks(loop?: EventLoop): Set<Task<unknown>> {
  const target = loop ?? runningLoopOrNull() ?? getEventLoop();
  return listPending(pendingByLoop.get(target));
}

/**
 * Wraps `value` in a Future: a Future or Task is returned as is, a coroutine becomes a Task,
 * any other thenable a Future that settles with it.
 * @see asyncio.ensure_future
 */
export function ensureFuture<T>(value: Coroutine<T> | PromiseLike<T> | Future<T>, options?: { loop?: EventLoop }): Future<T> {
  if (value instanceof Future) {
    if (options?.loop !== undefined && value.getLoop() !== options.loop) {
      throw new RangeError(
        `The future belongs to a different loop than the one specified as the loop argument: ${value.toString()} is on ${value.getLoop().toString()}, ` +
          `the loop argument is ${options.loop.toString()}; pass the future's own loop, or a coroutine (which binds to the loop it is given)`,
      );
    }
    return value;
  }
  const loop = options?.loop ?? runningLoopOrNull() ?? getEventLoop();
  if (value instanceof LazyCoroutine || isFrame(value)) return loop.createTask(value as Coroutine<T>) as Task<T>;
  if (value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function") {
    return wrapThenable(value as PromiseLike<T>, loop);
  }
  throw new TypeError(`ensureFuture expected a Future, a coroutine or a thenable, got ${describe(value)}`);
}

/** A Future on `loop` that settles as `thenable` does. */
function wrapThenable<T>(thenable: PromiseLike<T>, loop: EventLoop): Future<T> {
  const future = new Future<T>({ loop });
  thenable.then(
    (v) => {
      if (!future.done()) future.setResult(v);
    },
    (e) => {
      if (!future.done()) future.setException(e);
    },
  );
  return future;
}

/** A Task that fails at once with `error` (a parameter initialiser threw). @internal */
export function failedTask<T>(error: unknown, eager: boolean): Task<T> | LazyCoroutine<T> {
  const frame = throwingBody(error) as Frame<T>;
  return eager ? startEagerTask(frame) : new LazyCoroutine(frame);
}
const throwingBody = coroutineBody(function* raise(error: unknown): Generator<never, never, unknown> {
  throw error;
}, { name: "raise", file: "corotask", line: 0, column: 0, sites: [], hidden: true });

/** What {@link returnedAwaitable} gives for a value that is not a thenable. */
const NOT_THENABLE: unique symbol = Symbol("not a thenable");

/**
 * What native await makes of a thenable that is not a plain Promise (ECMA-262 PromiseResolve and
 * NewPromiseResolveThenableJob): a Promise resolved by calling `then` in a later job, with
 * resolving functions that work once; a thenable they are given is adopted in turn, and a throw
 * from `then` after it resolved is ignored. `then`, when given, was read by the caller (it is
 * read exactly once); else the built-in resolve reads it.
 */
function adoptThenable(thenable: object, then?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (then === undefined) {
      resolve(thenable);
      return;
    }
    queueMicrotask(() => {
      try {
        (then as (this: unknown, f: (v: unknown) => void, r: (e: unknown) => void) => unknown).call(thenable, resolve, reject);
      } catch (error) {
        reject(error);
      }
    });
  });
}

/**
 * What a frame's `return value` awaits before the value is its result, or NOT_THENABLE: a
 * Future or a lazy coroutine as it is (a cancel reaches it); any other thenable through a
 * Promise that adopts it as native `return` does (its `then` read once, called a job later), so
 * that the caller resumes after as many jobs as natively.
 */
function returnedAwaitable(value: object): unknown {
  if (value instanceof Future || value instanceof LazyCoroutine) return value;
  let then: unknown;
  try {
    then = (value as { then?: unknown }).then;
  } catch (error) {
    return Promise.reject(error);
  }
  return typeof then === "function" ? adoptThenable(value, then) : NOT_THENABLE;
}

/**
 * The thenable a delegated callee returned, as `_z` found it, and the awaitable that adopts it:
 * the `yield` that follows `_z` yields the value, and the step awaits the adoption instead.
 */
const delegatedReturn: { value: unknown; adoption: unknown } = { value: NOT_THENABLE, adoption: undefined };
function takeDelegatedReturn(): unknown {
  const adoption = delegatedReturn.adoption;
  delegatedReturn.value = NOT_THENABLE;
  delegatedReturn.adoption = undefined;
  return adoption;
}

/**
 * `_z(value, index)`: a callee run by delegation returned `value`; sets the chain depth back to
 * the caller's and says whether the caller must await the value (a thenable) before using it.
 */
export function delegationReturned(value: unknown, index: number): boolean {
  siteRegister.depth = index;
  if ((typeof value !== "object" || value === null) && typeof value !== "function") return false;
  const adopted = returnedAwaitable(value);
  if (adopted === NOT_THENABLE) return false;
  if (adopted !== value) {
    delegatedReturn.value = value;
    delegatedReturn.adoption = adopted;
  }
  return true;
}

/** The hidden frame that finishes a frame which returned a thenable: it awaits the thenable. */
const adoptBody = coroutineBody(function* adopt(thenable: unknown): Generator<unknown, unknown, unknown> {
  return yield thenable;
}, { name: "adopt", file: "corotask", line: 0, column: 0, sites: [], hidden: true });

// Lazy coroutines' then() and the loop's futures/tasks come from here.
setLazyScheduler((coro) => createTask(coro));
installTaskSupport({
  createFuture: (loop) => new Future({ loop }),
  createTask: (loop, coro, options) => new Task(coro as Coroutine<unknown>, { loop, name: options?.name }),
  runUntilComplete(loop, awaitable) {
    const future = ensureFuture(awaitable as Coroutine<unknown>, { loop });
    let settle!: () => void;
    const promise = new Promise<unknown>((resolve, reject) => {
      settle = () => {
        try {
          resolve(future.result());
        } catch (error) {
          reject(error);
        }
      };
    });
    future.addDoneCallback(settle);
    // A rejection nobody awaits (the stop() error won the race) is not an unhandled one.
    promise.catch(() => {});
    return {
      promise,
      onDone: (fn) => future.addDoneCallback(() => fn()),
      // The loop stopped: a future done by then (its callbacks perhaps not yet run) gives its outcome now.
      settleIfDone() {
        if (!future.done()) return false;
        settle();
        return true;
      },
    };
  },
});

