/** run(): the entry point of a program: a new loop, the main coroutine, cleanup, close. */
import { isCoroutine, type Coroutine } from "./coroutine.js";
import { RuntimeError } from "./errors.js";
import { newEventLoop, type EventLoop } from "./event-loop.js";
import { Future } from "./future.js";
import { enterLoop, leaveLoop } from "./running-loop.js";
import { allTasks, currentTask, ensureFuture, notACoroutine, Task } from "./task.js";

/** Options of {@link run}. */
export interface RunOptions {
  /** Debug mode: report swallowed cancellations and other misuse through the exception handler. */
  debug?: boolean;
  /** Virtual time: the clock starts at 0 and jumps to the next timer when nothing is ready. */
  virtualTime?: boolean;
}

/**
 * Runs `main` on a new event loop and resolves to its result. `main` is a coroutine or a function
 * that returns one (or a Task); a function is called on the new loop, so in eager mode pass the
 * function: `run(main)`. When main ends, the tasks it left are cancelled and awaited, and the
 * loop is closed. Given a Task or Future that already runs (`run(main())` in eager mode, where
 * the call started main on the default loop), drives it to completion on its own loop; with the
 * options that need a fresh loop (`virtualTime`, `debug`) that is a TypeError saying to pass
 * the function.
 * @see asyncio.run
 */
export async function run<T>(main: Coroutine<T> | PromiseLike<T> | (() => Coroutine<T> | PromiseLike<T>), options: RunOptions = {}): Promise<T> {
  if (currentTask() !== null) {
    throw new RuntimeError("run() cannot be called from a running event loop; await the coroutine instead");
  }
  if (main instanceof Future) return driveStartedFuture(main, options);
  const loop = newEventLoop({ virtualTime: options.virtualTime === true });
  if (options.debug === true) loop.setDebug(true);
  let future: Future<T>;
  const previous = enterLoop(loop);
  try {
    const coro = typeof main === "function" ? main() : main;
    if (!isCoroutine(coro) && !(coro instanceof Task)) throw notACoroutine(coro, "run");
    future = ensureFuture(coro as Coroutine<T>, { loop });
  } catch (error) {
    loop.close();
    throw error;
  } finally {
    leaveLoop(previous);
  }
  try {
    return await loop.runUntilComplete(future);
  } finally {
    await cancelRemaining(loop);
    loop.close();
  }
}

/**
 * `run(main())` in eager mode: `main()` already started a Task on the loop current at the call
 * (the default loop, outside any run()). It is driven to completion there, and nothing else of
 * that loop is touched: its other tasks are not ours to cancel, and the default loop stays open.
 */
function driveStartedFuture<T>(future: Future<T>, options: RunOptions): Promise<T> {
  const what = future instanceof Task ? `the Task ${future.toString()}` : `the Future ${future.toString()}`;
  const needFreshLoop = (["virtualTime", "debug"] as const).filter((key) => options[key] !== undefined && options[key] !== false);
  if (needFreshLoop.length > 0) {
    throw new TypeError(
      `run() was given ${what}, which already runs on ${future.getLoop().toString()}, but the option ${needFreshLoop.join(" and ")} needs a fresh loop: ` +
        `pass the function instead, run(main, {${needFreshLoop.join(", ")}}), so that it starts on the new loop`,
    );
  }
  const loop = future.getLoop();
  if (loop.isClosed()) {
    throw new RuntimeError(`run() was given ${what}, whose loop ${loop.toString()} is closed; pass the function instead, run(main), so that it starts on a new loop`);
  }
  return loop.runUntilComplete(future);
}

/** Cancels the tasks main left behind and runs the loop until they are done. */
async function cancelRemaining(loop: EventLoop): Promise<void> {
  const remaining = [...allTasks(loop)];
  if (remaining.length === 0) return;
  for (const task of remaining) task.cancel();
  const allDone = new Future<void>({ loop });
  let left = remaining.length;
  for (const task of remaining) {
    task.addDoneCallback(() => {
      if (!task.cancelled() && task.hasException()) {
        loop.callExceptionHandler({
          message: "unhandled exception during run() shutdown",
          exception: task.exception(),
          task: task.toString(),
        });
      }
      if (--left === 0) allDone.setResult();
    });
  }
  await loop.runUntilComplete(allDone);
}


