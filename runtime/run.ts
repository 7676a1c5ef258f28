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
 * loop is closed.
 * @see asyncio.run
 */
export async function run<T>(main: Coroutine<T> | PromiseLike<T> | (() => Coroutine<T> | PromiseLike<T>), options: RunOptions = {}): Promise<T> {
  if (currentTask() !== null) {
    throw new RuntimeError("run() cannot be called from a running event loop; await the coroutine instead");
  }
  const loop = newEventLoop({ virtualTime: options.virtualTime === true });
  if (options.debug === true) loop.setDebug(true);
  let future: Future<T>;
  const previous = enterLoop(loop);
  try {
    const coro = typeof main === "function" ? main() : main;
    if (!isCoroutine(coro) && !(coro instanceof Task)) throw notACoroutine(coro, "run");
    future = ensureFuture(coro as Coroutine<T>, { loop });
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


