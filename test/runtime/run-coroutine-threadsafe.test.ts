import {
  CancelledError,
  ConcurrentFuture,
  InvalidStateError,
  RuntimeError,
  Task,
  currentTask,
  getRunningLoop,
  newEventLoop,
  run,
  runCoroutineThreadsafe,
  sleep,
  type EventLoop,
} from "../../runtime/index.js";
import { at, define } from "../support/coroutines.js";

const lazyJob = define("lazyJob", 10, function* (log: string[], delay: number, value: unknown) {
  log.push(`start on loop ${getRunningLoop().id}`);
  try {
    yield at(0, sleep(delay));
  } catch (e) {
    log.push(`caught ${(e as Error).name}`);
    throw e;
  }
  if (value instanceof Error) throw value;
  return value;
}, { mode: "lazy" });

/** Runs `loop` until `until` settles, then stops it. */
async function runWhile<T>(loop: EventLoop, until: PromiseLike<T>): Promise<T> {
  const stopped = loop.runForever();
  try {
    return await until;
  } finally {
    loop.stop();
    await stopped;
  }
}

let loop: EventLoop;
beforeEach(() => {
  loop = newEventLoop({ virtualTime: true });
});
afterEach(() => {
  if (!loop.isClosed()) loop.close();
});


test("from outside any loop, runs the coroutine on the given loop and resolves to its result", async () => {
  const log: string[] = [];
  const future = runCoroutineThreadsafe(lazyJob(log, 2, "v"), loop);
  expect(future).toBeInstanceOf(ConcurrentFuture);
  expect(future.done()).toBe(false);
  expect(log).toEqual([]);
  expect(await runWhile(loop, future)).toBe("v");
  expect([future.done(), future.cancelled(), future.result(), future.exception()]).toEqual([true, false, "v", null]);
  expect(log).toEqual([`start on loop ${loop.id}`]);
  expect(loop.time()).toBe(2);
});

test("result() and exception() of a pending future throw InvalidStateError, since JavaScript cannot block", () => {
  const coro = lazyJob([], 1, "v");
  const future = runCoroutineThreadsafe(coro, loop);
  expect(() => future.result()).toThrow(InvalidStateError);
  expect(() => future.result()).toThrow("Result is not ready: JavaScript cannot block, so await the concurrent future instead");
  expect(() => future.exception()).toThrow(InvalidStateError);
  future.cancel();
  // The loop is closed before it ever runs the coroutine: drop it rather than have it reported.
  coro.close();
});

test("an exception of the coroutine is the future's exception and rejects an await", async () => {
  const future = runCoroutineThreadsafe(lazyJob([], 1, new Error("boom")), loop);
  await expect(runWhile(loop, future)).rejects.toThrow("boom");
  expect((future.exception() as Error).message).toBe("boom");
  expect(() => future.result()).toThrow("boom");
});

test("a task on another loop can await the concurrent future", async () => {
  const log: string[] = [];
  const worker = newEventLoop({ virtualTime: true });
  const workerStopped = worker.runForever();
  const main = define("main", 1, function* () {
    const value = yield at(0, runCoroutineThreadsafe(lazyJob(log, 3, "from worker"), worker));
    return [value, getRunningLoop() !== worker];
  });
  expect(await run(main, { virtualTime: true })).toEqual(["from worker", true]);
  expect(log).toEqual([`start on loop ${worker.id}`]);
  worker.stop();
  await workerStopped;
  worker.close();
});

test("given a function, calls it on the loop, so that an eager coroutine function starts there", async () => {
  const eager = define("eager", 20, function* () {
    yield at(0, sleep(1));
    return currentTask()!.getLoop();
  });
  const future = runCoroutineThreadsafe(() => eager() as Task<EventLoop>, loop);
  expect(await runWhile(loop, future)).toBe(loop);
});

test("a Task already on the loop is accepted", async () => {
  const task = loop.createTask(lazyJob([], 1, "t") as never) as Task<string>;
  const future = runCoroutineThreadsafe(task, loop);
  expect(await runWhile(loop, future)).toBe("t");
});

describe("cancellation", () => {
  test("cancel() cancels the future at once and the task through the loop", async () => {
    const log: string[] = [];
    const future = runCoroutineThreadsafe(lazyJob(log, 10, "v"), loop);
    const calls: string[] = [];
    future.addDoneCallback((f) => calls.push(`callback cancelled=${f.cancelled()}`));
    const stopped = loop.runForever();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual([`start on loop ${loop.id}`]);
    expect(future.cancel()).toBe(true);
    expect(future.cancelled()).toBe(true);
    expect(future.cancel()).toBe(true);
    expect(calls).toEqual(["callback cancelled=true"]);
    await expect(future).rejects.toBeInstanceOf(CancelledError);
    await new Promise((resolve) => setImmediate(resolve));
    loop.stop();
    await stopped;
    expect(log).toEqual([`start on loop ${loop.id}`, "caught CancelledError"]);
    expect(calls).toHaveLength(1);
  });

  test("cancel() before the loop runs cancels the task at its first await, as asyncio's chained cancel does", async () => {
    const log: string[] = [];
    const future = runCoroutineThreadsafe(lazyJob(log, 10, "v"), loop);
    expect(future.cancel()).toBe(true);
    const stopped = loop.runForever();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    loop.stop();
    await stopped;
    // asyncio schedules the task's first step before the cancel() the concurrent future asks for.
    expect(log).toEqual([`start on loop ${loop.id}`, "caught CancelledError"]);
    expect(future.cancelled()).toBe(true);
  });

  test("a task cancelled by other means cancels the future", async () => {
    const eager = define("eager", 20, function* () {
      const me = currentTask()!;
      getRunningLoop().callLater(1, () => me.cancel("from inside"));
      yield at(0, sleep(10));
    });
    const future = runCoroutineThreadsafe(() => eager() as Task<void>, loop);
    await expect(runWhile(loop, future)).rejects.toBeInstanceOf(CancelledError);
    expect(future.cancelled()).toBe(true);
  });

  test("cancel() after the future finished returns false", async () => {
    const future = runCoroutineThreadsafe(lazyJob([], 1, "v"), loop);
    await runWhile(loop, future);
    expect(future.cancel()).toBe(false);
    expect(future.cancelled()).toBe(false);
  });
});

describe("done callbacks", () => {
  test("run synchronously when the task finishes, and at once when added later", async () => {
    const calls: string[] = [];
    const future = runCoroutineThreadsafe(lazyJob([], 1, "v"), loop);
    future.addDoneCallback((f) => calls.push(`first ${f.result()}`));
    await runWhile(loop, future);
    future.addDoneCallback((f) => calls.push(`late ${f.result()}`));
    expect(calls).toEqual(["first v", "late v"]);
  });

  test("an exception in a callback is reported through the loop's exception handler", async () => {
    const reports: string[] = [];
    loop.setExceptionHandler((_l, context) => reports.push(`${context.message}: ${(context.exception as Error).message}`));
    const future = runCoroutineThreadsafe(lazyJob([], 1, "v"), loop);
    future.addDoneCallback(() => {
      throw new Error("bad callback");
    });
    await runWhile(loop, future);
    expect(reports).toEqual(["exception calling callback for <ConcurrentFuture finished>: bad callback"]);
  });
});

describe("bad input", () => {
  test("a loop that is not an EventLoop throws TypeError", () => {
    const coro = lazyJob([], 1, "v");
    expect(() => runCoroutineThreadsafe(coro, {} as never)).toThrow(
      "runCoroutineThreadsafe expected an EventLoop as its second argument, got an Object",
    );
    coro.close();
  });

  test("something that is not a coroutine throws TypeError, with the hint for a native Promise", () => {
    expect(() => runCoroutineThreadsafe(42 as never, loop)).toThrow("runCoroutineThreadsafe expected a coroutine, got number 42");
    expect(() => runCoroutineThreadsafe(Promise.resolve(1) as never, loop)).toThrow(/got a native Promise: the function that produced it was not compiled by corotask/);
  });

  test("a Task of another loop throws RangeError", async () => {
    const main = define("main", 1, function* () {
      const t = getRunningLoop().createTask(lazyJob([], 1, "v") as never);
      expect(() => runCoroutineThreadsafe(t as never, loop)).toThrow(RangeError);
      t.cancel();
    });
    await run(main, { virtualTime: true });
  });

  test("a closed loop throws RuntimeError", () => {
    loop.close();
    const coro = lazyJob([], 1, "v");
    expect(() => runCoroutineThreadsafe(coro, loop)).toThrow(RuntimeError);
    expect(() => runCoroutineThreadsafe(coro, loop)).toThrow("Event loop is closed");
    coro.close();
  });

  test("a function that returns no coroutine fails the future with TypeError, reported once on the loop", async () => {
    const reports: unknown[] = [];
    loop.setExceptionHandler((_l, context) => reports.push(context.exception));
    const future = runCoroutineThreadsafe((() => 5) as never, loop);
    await expect(runWhile(loop, future)).rejects.toThrow("runCoroutineThreadsafe's function expected a coroutine, got number 5");
    expect(reports).toEqual([future.exception()]);
  });

  test("a task factory that throws: its exception is the future's and, once, the loop's exception handler's (asyncio)", async () => {
    const reports: Array<{ message: string; exception: unknown }> = [];
    loop.setExceptionHandler((_l, context) => reports.push({ message: context.message, exception: context.exception }));
    const failure = new Error("factory broke");
    loop.setTaskFactory(() => {
      throw failure;
    });
    const coro = lazyJob([], 1, "v");
    const future = runCoroutineThreadsafe(coro, loop);
    await expect(runWhile(loop, future)).rejects.toBe(failure);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.exception).toBe(failure);
    expect(reports[0]!.message).toMatch(/^Exception in callback/);
    coro.close();
  });
});
