/**
 * The Python facade (`corotask/asyncio`, CONTRACT section 4): the runtime under asyncio's names,
 * argument order and keyword names (keyword arguments as a trailing options object with Python's
 * keys). The objects are the runtime's own: a Task from this module is a Task of `corotask`.
 * Loading this module also gives Future, Task, EventLoop, TaskGroup and the concurrent future
 * their snake_case method names, defined once, below.
 */
import { asCompleted, type AsCompletedIterator, type AwaitableResult, type FutureOf } from "./as-completed.js";
import type { Awaitable } from "./awaitable.js";
import { captureCallGraph, captureCurrentTaskGraph, printCallGraph, type FutureCallGraph } from "./call-graph.js";
import { BODY, isCoroutine, type Coroutine, type LazyCoroutine } from "./coroutine.js";
import { CancelledError, InvalidStateError, TimeoutError, describe } from "./errors.js";
import { EventLoop, getEventLoop, newEventLoop, setEventLoop } from "./event-loop.js";
import { Future, isFuture, type DoneCallback } from "./future.js";
import { gather as gatherJs, type GatherResultsOrErrors } from "./gather.js";
import { Handle, TimerHandle } from "./handle.js";
import { run as runJs } from "./run.js";
import { ConcurrentFuture, runCoroutineThreadsafe } from "./run-coroutine-threadsafe.js";
import { getRunningLoop } from "./running-loop.js";
import { shield as shieldJs } from "./shield.js";
import { sleep as sleepJs } from "./sleep.js";
import { Task, allTasks, createTask, currentTask, ensureFuture, type StackFrame, type TaskOptions } from "./task.js";
import { TaskGroup } from "./task-group.js";
import { Timeout, timeout as timeoutJs, timeoutAt } from "./timeout.js";
import { ALL_COMPLETED as ALL, FIRST_COMPLETED as FIRST, FIRST_EXCEPTION as FIRST_EXC, wait as waitJs, type ReturnWhen, type WaitResult } from "./wait.js";
import { waitFor } from "./wait-for.js";

// ---- keyword arguments ----

/**
 * Renames a Python-keyed options object to the runtime's keys. An unknown key is a TypeError, as
 * an unexpected keyword argument is in Python; a JavaScript spelling gets the Python one as hint.
 */
function pythonOptions(options: unknown, where: string, keys: Record<string, string>): Record<string, unknown> | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object" || !isPlainObject(options)) {
    throw new TypeError(`${where} takes its keyword arguments as an options object, got ${describe(options)}`);
  }
  const renamed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const target = keys[key];
    if (target === undefined) {
      const python = Object.keys(keys).find((k) => keys[k] === key && k !== key);
      const hint = python !== undefined ? `; the Python facade spells it ${python}` : `; expected ${Object.keys(keys).join(", ") || "no options"}`;
      throw new TypeError(`${where} got an unexpected keyword argument '${key}'${hint}`);
    }
    renamed[target] = value;
  }
  return renamed;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True for a trailing `{...}` that is an options object rather than an awaitable. */
function isTrailingOptions(value: unknown): boolean {
  return typeof value === "object" && value !== null && isPlainObject(value) && typeof (value as { then?: unknown }).then !== "function";
}

/**
 * A wrapper of the runtime coroutine function `fn` that converts its arguments first; it keeps
 * the inline form (BODY), so that a compiled `await asyncio.wait(...)` still runs inline.
 */
function converting<A extends unknown[], R>(name: string, fn: (...args: any[]) => R, convert: (args: A) => unknown[]): (...args: A) => R {
  const holder = {
    [name](...args: A): R {
      return fn(...convert(args));
    },
  };
  const wrapper = holder[name]!;
  const inline = (fn as { [BODY]?: (...args: unknown[]) => unknown })[BODY];
  if (typeof inline === "function") {
    Object.defineProperty(wrapper, BODY, { value: (...args: A) => inline(...convert(args)) });
  }
  return wrapper;
}

// ---- classes, errors, constants ----

export {
  /** A coroutine wrapped in a Future, stepped by the loop. @see asyncio.Task */
  Task,
  /** The eventual result of an operation. @see asyncio.Future */
  Future,
  /** The event loop. @see asyncio.EventLoop */
  EventLoop,
  /** A callback scheduled with call_soon. @see asyncio.Handle */
  Handle,
  /** A callback scheduled with call_later / call_at. @see asyncio.TimerHandle */
  TimerHandle,
  /** Raised at the await of a cancelled task. @see asyncio.CancelledError */
  CancelledError,
  /** An operation not allowed in the Future's state. @see asyncio.InvalidStateError */
  InvalidStateError,
  /** A deadline passed. @see asyncio.TimeoutError */
  TimeoutError,
  /** Structured concurrency: `await new TaskGroup().run(async (tg) => { tg.create_task(...) })`. @see asyncio.TaskGroup */
  TaskGroup,
  /** The context manager of timeout() and timeout_at(): `when()`, `reschedule(when)`, `expired()`. @see asyncio.Timeout */
  Timeout,
};

/** wait() returns as soon as any future finishes or is cancelled. @see asyncio.FIRST_COMPLETED */
export const FIRST_COMPLETED = FIRST;
/** wait() returns when any future finishes by raising, or when all finish. @see asyncio.FIRST_EXCEPTION */
export const FIRST_EXCEPTION = FIRST_EXC;
/** wait() returns when all futures finish or are cancelled. @see asyncio.ALL_COMPLETED */
export const ALL_COMPLETED = ALL;

// ---- tasks ----

/**
 * Schedules `coro` as a Task on the running loop and returns it; given a Task (what an eager
 * compiled call returns), returns it, renamed if `name` is given. Cancel it with `task.cancel()`.
 * @see asyncio.create_task
 */
export function create_task<T>(coro: Coroutine<T> | PromiseLike<T>, options?: { name?: string | null }): Task<T> {
  const kw = pythonOptions(options, "create_task", { name: "name" }) as TaskOptions | undefined;
  return createTask(coro, kw?.name === null ? {} : kw);
}

/**
 * Wraps a coroutine or awaitable in a Future: a Future or Task is returned as is, a coroutine
 * becomes a Task on `loop` (default: the running loop), a thenable a Future that follows it.
 * @see asyncio.ensure_future
 */
export function ensure_future<T>(coro_or_future: Coroutine<T> | PromiseLike<T> | Future<T>, options?: { loop?: EventLoop | null }): Future<T> {
  const kw = pythonOptions(options, "ensure_future", { loop: "loop" }) as { loop?: EventLoop | null } | undefined;
  return ensureFuture(coro_or_future, kw?.loop == null ? undefined : { loop: kw.loop });
}

/**
 * The task running on `loop` (default: the running loop), or null outside any task.
 * @see asyncio.current_task
 */
export function current_task(loop?: EventLoop | null): Task<unknown> | null {
  return currentTask(loop ?? undefined);
}

/**
 * The tasks of `loop` (default: the running loop) that are not done, as a Set.
 * @see asyncio.all_tasks
 */
export function all_tasks(loop?: EventLoop | null): Set<Task<unknown>> {
  return allTasks(loop ?? undefined);
}

/** True for a Future or Task. @see asyncio.isfuture */
export const isfuture: (obj: unknown) => obj is Future<unknown> = isFuture;

/** True for a coroutine object (a lazy call's result or a compiled frame). @see asyncio.iscoroutine */
export const iscoroutine: (obj: unknown) => obj is Coroutine = isCoroutine;

// ---- sleeping and combinators ----

/**
 * Suspends the calling task for `delay` seconds and resolves to `result`; `sleep(0)` yields one
 * loop iteration. Cancelling the task cancels the sleep.
 * @see asyncio.sleep
 */
export const sleep: <T = undefined>(delay: number, result?: T) => LazyCoroutine<T> = sleepJs;

/**
 * Runs the awaitables concurrently and resolves to their results in argument order. The first
 * failure rejects the gather (the others keep running) unless `{return_exceptions: true}` is
 * passed last, which puts errors in the results. Cancelling the gather cancels every child; a
 * cancelled child counts as a CancelledError. Typed as a tuple of the results, in argument order;
 * with `return_exceptions: true` each place is `unknown` (a child may throw any value).
 * @example
 * const [n, s] = await gather(count(), name()); // [number, string]
 * @see asyncio.gather
 */
export function gather<T extends unknown[]>(...coros_or_futures: { [K in keyof T]: Awaitable<T[K]> }): Future<T>;
export function gather<T extends unknown[]>(
  ...args: [...coros_or_futures: { [K in keyof T]: Awaitable<T[K]> }, options: { return_exceptions?: false }]
): Future<T>;
export function gather<T extends unknown[]>(
  ...args: [...coros_or_futures: { [K in keyof T]: Awaitable<T[K]> }, options: { return_exceptions: true }]
): Future<GatherResultsOrErrors<T>>;
export function gather<T extends unknown[]>(
  ...args: [...coros_or_futures: { [K in keyof T]: Awaitable<T[K]> }, options: { return_exceptions?: boolean }]
): Future<T | GatherResultsOrErrors<T>>;
export function gather(...coros_or_futures: unknown[]): Future<unknown[]> {
  const args = coros_or_futures.slice();
  if (args.length > 0 && isTrailingOptions(args[args.length - 1])) {
    const kw = pythonOptions(args.pop(), "gather", { return_exceptions: "returnExceptions" });
    if (kw !== undefined) args.push(kw);
  }
  return (gatherJs as (...a: unknown[]) => Future<unknown[]>)(...args);
}

/**
 * Waits for the futures and coroutines of `fs` (coroutines become Tasks) and resolves to
 * `[done, pending]`, two Sets, when `return_when` says (default ALL_COMPLETED) or when
 * `timeout` seconds have passed; it never raises TimeoutError. Cancelling the wait leaves the
 * futures running.
 * @see asyncio.wait
 */
export const wait: <F extends Future<unknown>>(fs: Iterable<F | Coroutine<unknown>>, options?: { timeout?: number | null; return_when?: ReturnWhen }) => LazyCoroutine<WaitResult<F>> =
  converting("wait", waitJs, (args: [unknown, unknown?]) => {
    const kw = pythonOptions(args[1], "wait", { timeout: "timeout", return_when: "returnWhen" });
    return kw === undefined ? [args[0]] : [args[0], kw];
  }) as never;

/**
 * Waits for `aw` with a time limit (`null`: none): on timeout, cancels it and raises
 * TimeoutError. Cancelling the wait cancels `aw` too; wrap it in shield() to keep it running.
 * @see asyncio.wait_for
 */
export const wait_for: <T>(aw: Awaitable<T>, timeout: number | null) => LazyCoroutine<T> = waitFor;

/**
 * Waits for `aw`, shielding it from cancellation: if the awaiting task is cancelled, `aw` keeps
 * running and only the await raises CancelledError.
 * @see asyncio.shield
 */
export const shield: <T>(aw: Awaitable<T>) => Future<T> = shieldJs;

/**
 * Iterates the awaitables in completion order: each step is awaitable and gives the next result
 * (or raises its error); with `timeout`, the remaining steps raise TimeoutError once it passes.
 * `for await` over it gives the original tasks as they complete (Python 3.13).
 * @see asyncio.as_completed
 */
export function as_completed<A extends Awaitable<unknown>>(
  fs: Iterable<A>,
  options?: { timeout?: number | null },
): AsCompletedIterator<AwaitableResult<A>, FutureOf<A>>;
export function as_completed(fs: Iterable<Awaitable<unknown>>, options?: { timeout?: number | null }): AsCompletedIterator<unknown> {
  const kw = pythonOptions(options, "as_completed", { timeout: "timeout" }) as { timeout?: number | null } | undefined;
  return asCompleted(fs, kw);
}

/**
 * Submits a coroutine to `loop` and returns a concurrent future (thenable, with `result()`,
 * `exception()`, `done()`, `cancelled()`, `cancel()`, `add_done_callback()`). Cancelling it
 * cancels the task on the loop.
 * @see asyncio.run_coroutine_threadsafe
 */
export const run_coroutine_threadsafe: <T>(coro: Coroutine<T> | Task<T> | (() => Coroutine<T> | Task<T>), loop: EventLoop) => ConcurrentFuture<T> =
  runCoroutineThreadsafe;

/**
 * Runs `body(cm)` in the calling task with a deadline `delay` seconds away (`null`: none) and
 * resolves to its result; when the deadline passes, the body is cancelled and TimeoutError is
 * raised (its `cause` is the CancelledError). Outer cancellations pass through.
 * @see asyncio.timeout
 */
export const timeout: typeof timeoutJs = timeoutJs;

/**
 * As {@link timeout}, with the deadline as loop time (`loop.time()` seconds).
 * @see asyncio.timeout_at
 */
export const timeout_at: typeof timeoutAt = timeoutAt;

// ---- loops ----

/**
 * Runs `main` (a coroutine, or a function returning one: pass the function in eager mode) on a
 * new event loop and resolves to its result; cancels what it left behind and closes the loop.
 * `virtual_time` (a corotask addition) runs the loop on a virtual clock.
 * @see asyncio.run
 */
export function run<T>(
  main: Coroutine<T> | PromiseLike<T> | (() => Coroutine<T> | PromiseLike<T>),
  options?: { debug?: boolean | null; virtual_time?: boolean },
): Promise<T> {
  const kw = pythonOptions(options, "run", { debug: "debug", virtual_time: "virtualTime" }) as { debug?: boolean | null; virtualTime?: boolean } | undefined;
  return runJs(main, { debug: kw?.debug === true, virtualTime: kw?.virtualTime === true });
}

/**
 * The loop running the current callback or task; RuntimeError outside one.
 * @see asyncio.get_running_loop
 */
export const get_running_loop: () => EventLoop = getRunningLoop;

/**
 * The running loop, else the one set with set_event_loop, else the process-wide default loop.
 * @see asyncio.get_event_loop
 */
export const get_event_loop: () => EventLoop = getEventLoop;

/**
 * A new event loop, not running until run_until_complete / run_forever; `virtual_time` (a
 * corotask addition) starts its clock at 0 and jumps it to the next timer.
 * @see asyncio.new_event_loop
 */
export function new_event_loop(options?: { virtual_time?: boolean }): EventLoop {
  const kw = pythonOptions(options, "new_event_loop", { virtual_time: "virtualTime" }) as { virtualTime?: boolean } | undefined;
  return newEventLoop({ virtualTime: kw?.virtualTime === true });
}

/**
 * Makes `loop` what get_event_loop returns outside a running loop (null: the default loop).
 * @see asyncio.set_event_loop
 */
export const set_event_loop: (loop: EventLoop | null) => void = setEventLoop;

// ---- call graphs ----

/** One frame of a call graph's call stack. @see asyncio.FrameCallGraphEntry */
export interface FrameCallGraphEntry {
  readonly frame: StackFrame;
}

/** A future's call graph under Python's keys. @see asyncio.FutureCallGraph */
export interface PyFutureCallGraph {
  readonly future: Future<unknown>;
  /** Newest frame first. */
  readonly call_stack: readonly FrameCallGraphEntry[];
  readonly awaited_by: readonly PyFutureCallGraph[];
}
export type { PyFutureCallGraph as FutureCallGraph };

function toPython(graph: FutureCallGraph): PyFutureCallGraph {
  return {
    future: graph.future,
    call_stack: graph.callStack.map((frame) => ({ frame })),
    awaited_by: graph.awaitedBy.map(toPython),
  };
}

/**
 * The call graph of `future` (default: the current task; null in a loop outside any task): its
 * await chain, newest frame first, and the graphs of the tasks and futures awaiting it. `depth`
 * is accepted for compatibility; corotask's stacks hold no frames of its own to skip.
 * @see asyncio.capture_call_graph
 */
export function capture_call_graph(future?: Future<unknown> | null, options?: { depth?: number }): PyFutureCallGraph | null {
  pythonOptions(options, "capture_call_graph", { depth: "depth" });
  if (future !== undefined && future !== null) return toPython(captureCallGraph(future));
  const graph = captureCurrentTaskGraph();
  return graph === null ? null : toPython(graph);
}

/**
 * Prints the call graph of `future` (default: the current task) to `file` (default stdout) in
 * asyncio's layout. Outside any task it prints every task of the loop as a forest (a corotask
 * addition: the deadlock dump).
 * @see asyncio.print_call_graph
 */
export function print_call_graph(future?: Future<unknown> | null, options?: { file?: { write(text: string): unknown } | null; depth?: number }): void {
  const kw = pythonOptions(options, "print_call_graph", { file: "file", depth: "depth" }) as { file?: { write(text: string): unknown } | null } | undefined;
  const target = future ?? current_task();
  printCallGraph(target, { file: kw?.file ?? null });
}

// ---- snake_case methods, defined once ----

declare module "./future.js" {
  interface Future<T> {
    /** @see asyncio.Future.add_done_callback */
    add_done_callback(fn: DoneCallback<this>): void;
    /** @see asyncio.Future.remove_done_callback */
    remove_done_callback(fn: DoneCallback<this>): number;
    /** @see asyncio.Future.set_result */
    set_result(result: T): void;
    /** @see asyncio.Future.set_exception */
    set_exception(exception: unknown): void;
    /** @see asyncio.Future.get_loop */
    get_loop(): EventLoop;
  }
}
declare module "./task.js" {
  interface Task<T> {
    /** @see asyncio.Task.get_coro */
    get_coro(): Coroutine<T>;
    /** @see asyncio.Task.get_name */
    get_name(): string;
    /** @see asyncio.Task.set_name */
    set_name(value: unknown): void;
    /** @see asyncio.Task.get_stack */
    get_stack(options?: { limit?: number | null }): StackFrame[];
    /** @see asyncio.Task.print_stack */
    print_stack(options?: { limit?: number | null; file?: { write(text: string): unknown } }): void;
  }
}
declare module "./event-loop.js" {
  interface EventLoop {
    /** @see asyncio.loop.call_soon */
    call_soon<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Handle;
    /** @see asyncio.loop.call_soon_threadsafe */
    call_soon_threadsafe<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Handle;
    /** @see asyncio.loop.call_later */
    call_later<A extends unknown[]>(delay: number, callback: (...args: A) => void, ...args: A): TimerHandle;
    /** @see asyncio.loop.call_at */
    call_at<A extends unknown[]>(when: number, callback: (...args: A) => void, ...args: A): TimerHandle;
    /** @see asyncio.loop.create_future */
    create_future<T = unknown>(): Future<T>;
    /** @see asyncio.loop.create_task */
    create_task<T>(coro: PromiseLike<T> | Generator<unknown, T, unknown>, options?: { name?: string }): Task<T>;
    /** @see asyncio.loop.run_until_complete */
    run_until_complete<T>(future: PromiseLike<T> | Generator<unknown, T, unknown>): Promise<T>;
    /** @see asyncio.loop.run_forever */
    run_forever(): Promise<void>;
    /** @see asyncio.loop.is_running */
    is_running(): boolean;
    /** @see asyncio.loop.is_closed */
    is_closed(): boolean;
    /** @see asyncio.loop.set_exception_handler */
    set_exception_handler(handler: Parameters<EventLoop["setExceptionHandler"]>[0]): void;
    /** @see asyncio.loop.get_exception_handler */
    get_exception_handler(): ReturnType<EventLoop["getExceptionHandler"]>;
    /** @see asyncio.loop.call_exception_handler */
    call_exception_handler(context: Parameters<EventLoop["callExceptionHandler"]>[0]): void;
    /** @see asyncio.loop.default_exception_handler */
    default_exception_handler(context: Parameters<EventLoop["defaultExceptionHandler"]>[0]): void;
    /** @see asyncio.loop.set_debug */
    set_debug(enabled: boolean): void;
    /** @see asyncio.loop.get_debug */
    get_debug(): boolean;
    /** @see asyncio.loop.set_task_factory */
    set_task_factory(factory: Parameters<EventLoop["setTaskFactory"]>[0]): void;
    /** @see asyncio.loop.get_task_factory */
    get_task_factory(): ReturnType<EventLoop["getTaskFactory"]>;
  }
}
declare module "./task-group.js" {
  interface TaskGroup {
    /** @see asyncio.TaskGroup.create_task */
    create_task<T>(coro: Coroutine<T> | PromiseLike<T>, options?: { name?: string }): Task<T>;
  }
}
declare module "./run-coroutine-threadsafe.js" {
  interface ConcurrentFuture<T> {
    /** @see concurrent.futures.Future.add_done_callback */
    add_done_callback(fn: (future: ConcurrentFuture<T>) => void): void;
  }
}

/** Python name → the runtime method it calls, per prototype. */
const SNAKE_CASE_METHODS: ReadonlyArray<readonly [object, Readonly<Record<string, string>>]> = [
  [
    Future.prototype,
    {
      add_done_callback: "addDoneCallback",
      remove_done_callback: "removeDoneCallback",
      set_result: "setResult",
      set_exception: "setException",
      get_loop: "getLoop",
    },
  ],
  [
    Task.prototype,
    { get_coro: "getCoro", get_name: "getName", set_name: "setName", get_stack: "getStack", print_stack: "printStack" },
  ],
  [
    EventLoop.prototype,
    {
      call_soon: "callSoon",
      call_soon_threadsafe: "callSoonThreadsafe",
      call_later: "callLater",
      call_at: "callAt",
      create_future: "createFuture",
      create_task: "createTask",
      run_until_complete: "runUntilComplete",
      run_forever: "runForever",
      is_running: "isRunning",
      is_closed: "isClosed",
      set_exception_handler: "setExceptionHandler",
      get_exception_handler: "getExceptionHandler",
      call_exception_handler: "callExceptionHandler",
      default_exception_handler: "defaultExceptionHandler",
      set_debug: "setDebug",
      get_debug: "getDebug",
      set_task_factory: "setTaskFactory",
      get_task_factory: "getTaskFactory",
    },
  ],
  [TaskGroup.prototype, { create_task: "createTask" }],
  [ConcurrentFuture.prototype, { add_done_callback: "addDoneCallback" }],
];

// Each alias calls the runtime method by name, so that overrides apply (Task's setResult throws)
// and the aliases never drift from the methods. Non-enumerable, like class methods.
for (const [proto, names] of SNAKE_CASE_METHODS) {
  for (const [python, js] of Object.entries(names)) {
    if (Object.prototype.hasOwnProperty.call(proto, python)) continue;
    const holder = {
      [python](this: Record<string, (...args: unknown[]) => unknown>, ...args: unknown[]): unknown {
        return this[js]!(...args);
      },
    };
    Object.defineProperty(proto, python, { value: holder[python], writable: true, configurable: true, enumerable: false });
  }
}
