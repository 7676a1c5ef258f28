/**
 * corotask: Python asyncio's task model for JavaScript. The runtime with JavaScript names
 * (CONTRACT section 3); the Python names are in `corotask/asyncio`.
 */
export { CancelledError, InvalidStateError, TimeoutError, RuntimeError } from "./errors.js";
export { EventLoop, getEventLoop, setEventLoop, newEventLoop } from "./event-loop.js";
export type { ExceptionContext, ExceptionHandler, EventLoopOptions } from "./event-loop.js";
export { Handle, TimerHandle } from "./handle.js";
export { getRunningLoop } from "./running-loop.js";
export { allLoops } from "./loops.js";
export { Future, isFuture } from "./future.js";
export type { FutureState, DoneCallback } from "./future.js";
export { LazyCoroutine } from "./coroutine.js";
export type { Coroutine, FunctionInfo, SiteInfo } from "./coroutine.js";
export { Task, createTask, currentTask, allTasks, ensureFuture } from "./task.js";
export type { StackFrame, TaskOptions } from "./task.js";
export type { HostAbortSignal, MinimalAbortSignal } from "./host-types.js";
export { sleep } from "./sleep.js";
/**
 * For code emitted by the corotask transform only; not a public API, so hidden from the
 * published declarations (stripInternal). @internal
 */
export * as abi from "./abi.js";
export { run } from "./run.js";
export type { RunOptions } from "./run.js";
export { TaskGroup } from "./task-group.js";
export type { TaskGroupBody } from "./task-group.js";
export { Timeout, timeout, timeoutAt } from "./timeout.js";
export type { TimeoutBody, TimeoutState } from "./timeout.js";
export { captureCallGraph, printCallGraph, formatCallGraph } from "./call-graph.js";
export type { FutureCallGraph, PrintCallGraphOptions } from "./call-graph.js";
export type { Awaitable } from "./awaitable.js";
export { gather } from "./gather.js";
export type { GatherOptions, GatherResultsOrErrors } from "./gather.js";
export { wait, ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION } from "./wait.js";
export type { WaitOptions, WaitResult, ReturnWhen } from "./wait.js";
export { waitFor } from "./wait-for.js";
export { shield } from "./shield.js";
export { asCompleted, AsCompletedIterator, AsCompletedStep } from "./as-completed.js";
export type { AsCompletedOptions, AwaitableResult, Completed, FutureOf } from "./as-completed.js";
export { runCoroutineThreadsafe, ConcurrentFuture } from "./run-coroutine-threadsafe.js";
export type { ConcurrentFutureState } from "./run-coroutine-threadsafe.js";
