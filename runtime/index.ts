/**
 * corotask: Python asyncio's task model for JavaScript. The runtime with JavaScript names
 * (CONTRACT section 3); the Python names are in `corotask/asyncio`.
 */
export { CancelledError, InvalidStateError, TimeoutError, RuntimeError } from "./errors.js";
export { EventLoop, getEventLoop, setEventLoop, newEventLoop } from "./event-loop.js";
export type { ExceptionContext, ExceptionHandler, EventLoopOptions } from "./event-loop.js";
export { Handle, TimerHandle } from "./handle.js";
export { getRunningLoop } from "./running-loop.js";
export { Future, isFuture } from "./future.js";
export type { FutureState, DoneCallback } from "./future.js";
export { LazyCoroutine } from "./coroutine.js";
export type { Coroutine, FunctionInfo, SiteInfo } from "./coroutine.js";
export { Task, createTask, currentTask, allTasks, ensureFuture } from "./task.js";
export type { StackFrame, TaskOptions } from "./task.js";
export { sleep } from "./sleep.js";
/** For code emitted by the corotask transform only; not a public API. */
export * as abi from "./abi.js";
export { run } from "./run.js";
export type { RunOptions } from "./run.js";
