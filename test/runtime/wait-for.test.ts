import {
  CancelledError,
  LazyCoroutine,
  Task,
  TimeoutError,
  abi,
  allTasks,
  createTask,
  currentTask,
  getEventLoop,
  getRunningLoop,
  run,
  shield,
  sleep,
  waitFor,
} from "../../runtime/index.js";
import { at, define, inline, now } from "../support/coroutines.js";

/** The inline form of `await waitFor(...)`, as compiled code calls it. */
const inlineWaitFor = (...args: Parameters<typeof waitFor>) =>
  (waitFor as unknown as Record<symbol, (...a: unknown[]) => unknown>)[abi.BODY]!(...args);

function slow(log: string[], options: { cleanup?: number; onCancel?: "return" | "throw" } = {}) {
  return define("slow", 10, function* (delay: number, value: unknown) {
    try {
      yield at(0, sleep(delay));
    } catch (e) {
      log.push(`slow caught ${(e as Error).name} at ${now()}`);
      if (options.cleanup !== undefined) yield at(1, sleep(options.cleanup));
      if (options.onCancel === "return") return "returned anyway";
      if (options.onCancel === "throw") throw new RangeError("failed while cancelling");
      throw e;
    }
    return value;
  });
}

describe("waitFor before the timeout", () => {
  test("resolves to the result and leaves no timer behind", async () => {
    const log: string[] = [];
    const s = slow(log);
    const main = define("main", 1, function* () {
      const value = yield at(0, inlineWaitFor(s(1, "v"), 5));
      return [value, now(), getRunningLoop().pendingTimerCount(), currentTask()!.cancelling()];
    });
    expect(await run(main, { virtualTime: true })).toEqual(["v", 1, 0, 0]);
  });

  test("an exception of the awaitable propagates unchanged", async () => {
    const failing = define("failing", 10, function* () {
      yield at(0, sleep(1));
      throw new SyntaxError("bad");
    });
    const main = define("main", 1, function* () {
      try {
        yield at(0, inlineWaitFor(failing(), 5));
      } catch (e) {
        return [(e as Error).name, now()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["SyntaxError", 1]);
  });

  test("a null timeout waits forever", async () => {
    const log: string[] = [];
    const s = slow(log);
    const main = define("main", 1, function* () {
      const value = yield at(0, inlineWaitFor(s(1000, "late"), null));
      return [value, now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual(["late", 1000]);
  });
});

describe("waitFor timing out", () => {
  test("cancels the awaitable and raises TimeoutError whose cause is the CancelledError", async () => {
    const log: string[] = [];
    const s = slow(log);
    let inner!: Task<unknown>;
    const main = define("main", 1, function* () {
      inner = s(10, "never");
      try {
        yield at(0, inlineWaitFor(inner, 2));
      } catch (e) {
        return [e, now(), currentTask()!.cancelling()];
      }
    });
    const [error, time, cancelling] = (await run(main, { virtualTime: true })) as [Error, number, number];
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.name).toBe("TimeoutError");
    // asyncio's TimeoutError() carries no message.
    expect(error.message).toBe("");
    expect(error.cause).toBeInstanceOf(CancelledError);
    expect(time).toBe(2);
    expect(cancelling).toBe(0);
    expect(inner.cancelled()).toBe(true);
    expect(log).toEqual(["slow caught CancelledError at 2"]);
  });

  test("waits for the awaitable to finish cancelling before raising", async () => {
    const log: string[] = [];
    const s = slow(log, { cleanup: 3 });
    const main = define("main", 1, function* () {
      try {
        yield at(0, inlineWaitFor(s(10, "never"), 1));
      } catch (e) {
        return [(e as Error).name, now()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["TimeoutError", 4]);
  });

  test("returns the value when the awaitable catches the cancellation and returns (GH-86296)", async () => {
    const log: string[] = [];
    const s = slow(log, { onCancel: "return" });
    const main = define("main", 1, function* () {
      const value = yield at(0, inlineWaitFor(s(10, "never"), 1));
      return [value, currentTask()!.cancelling()];
    });
    expect(await run(main, { virtualTime: true })).toEqual(["returned anyway", 0]);
  });

  test("an exception raised while cancelling propagates instead of TimeoutError", async () => {
    const log: string[] = [];
    const s = slow(log, { onCancel: "throw" });
    const main = define("main", 1, function* () {
      try {
        yield at(0, inlineWaitFor(s(10, "never"), 1));
      } catch (e) {
        return [(e as Error).name, (e as Error).message];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["RangeError", "failed while cancelling"]);
  });

  test("a coroutine is awaited inline in the calling task, with no Task of its own (Python 3.12+)", async () => {
    const log: string[] = [];
    const s = slow(log);
    const main = define("main", 1, function* () {
      const before = allTasks().size;
      const timer = getRunningLoop().callLater(1, () => log.push(`tasks while waiting: ${allTasks().size - before}`));
      void timer;
      try {
        yield at(0, inlineWaitFor(inline(s, 10, "never"), 2));
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(await run(main, { virtualTime: true })).toBe("TimeoutError");
    expect(log).toEqual(["tasks while waiting: 0", "slow caught CancelledError at 2"]);
  });

  test("a native Promise that never settles times out too", async () => {
    const main = define("main", 1, function* () {
      try {
        yield at(0, inlineWaitFor(new Promise(() => {}), 3));
      } catch (e) {
        return [(e as Error).name, now()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["TimeoutError", 3]);
  });

  test("a shielded awaitable keeps running after the timeout", async () => {
    const log: string[] = [];
    const s = slow(log);
    const main = define("main", 1, function* () {
      const inner = s(5, "done later");
      try {
        yield at(0, inlineWaitFor(shield(inner), 1));
      } catch (e) {
        log.push(`${(e as Error).name} at ${now()}`);
      }
      return yield at(1, inner);
    });
    expect(await run(main, { virtualTime: true })).toBe("done later");
    expect(log).toEqual(["TimeoutError at 1"]);
  });

  test("nested: the inner timeout raises TimeoutError and the outer one is untouched", async () => {
    const log: string[] = [];
    const s = slow(log);
    const middle = define("middle", 20, function* () {
      try {
        yield at(0, inlineWaitFor(inline(s, 10, "never"), 1));
      } catch (e) {
        log.push(`middle caught ${(e as Error).name} at ${now()}`);
      }
      yield at(1, sleep(1));
      return "middle done";
    });
    const main = define("main", 1, function* () {
      return [yield at(0, inlineWaitFor(inline(middle), 5)), now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual(["middle done", 2]);
    expect(log).toEqual(["slow caught CancelledError at 1", "middle caught TimeoutError at 1"]);
  });

  test("nested: when the outer timeout passes first, only the outer raises TimeoutError", async () => {
    const log: string[] = [];
    const s = slow(log);
    const middle = define("middle", 20, function* () {
      try {
        return yield at(0, inlineWaitFor(inline(s, 10, "never"), 5));
      } catch (e) {
        log.push(`middle caught ${(e as Error).name} at ${now()}`);
        throw e;
      }
    });
    const main = define("main", 1, function* () {
      try {
        yield at(0, inlineWaitFor(inline(middle), 1));
      } catch (e) {
        return [(e as Error).name, now()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["TimeoutError", 1]);
    expect(log).toEqual(["slow caught CancelledError at 1", "middle caught CancelledError at 1"]);
  });
});

describe("waitFor with timeout <= 0", () => {
  test("returns the result of an awaitable already done", async () => {
    const main = define("main", 1, function* () {
      const f = getRunningLoop().createFuture<string>();
      f.setResult("ready");
      return [yield at(0, inlineWaitFor(f, 0)), yield at(1, inlineWaitFor(f, -1))];
    });
    expect(await run(main, { virtualTime: true })).toEqual(["ready", "ready"]);
  });

  test("cancels at once an awaitable not done, and a coroutine never starts", async () => {
    let started = false;
    const lazy = define("lazy", 10, function* () {
      started = true;
      yield at(0, sleep(1));
      return 1;
    }, { mode: "lazy" });
    const main = define("main", 1, function* () {
      try {
        yield at(0, inlineWaitFor(lazy(), 0));
      } catch (e) {
        return [(e as Error).name, (e as Error).cause instanceof CancelledError, now()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["TimeoutError", true, 0]);
    expect(started).toBe(false);
  });

  test("a Future of another running loop is cancelled and waited for on the caller's loop (asyncio's _cancel_and_wait)", async () => {
    // The default loop runs on its own; the waiting task runs on run()'s loop.
    const foreign = getEventLoop().createFuture<string>();
    const main = define("main", 1, function* () {
      try {
        yield at(0, inlineWaitFor(foreign, 0));
        return "no timeout";
      } catch (e) {
        return [(e as Error).name, (e as Error).cause instanceof CancelledError];
      }
    });
    expect(await run(main)).toEqual(["TimeoutError", true]);
    expect(foreign.cancelled()).toBe(true);
  });

  test("an awaitable already done is returned without a loop iteration", async () => {
    const main = define("main", 1, function* () {
      const f = getRunningLoop().createFuture<string>();
      f.setResult("ready");
      const order: string[] = [];
      getRunningLoop().callSoon(() => order.push("next iteration"));
      order.push(String(yield at(0, inlineWaitFor(f, 0))));
      yield at(1, sleep(0));
      return order;
    });
    expect(await run(main, { virtualTime: true })).toEqual(["ready", "next iteration"]);
  });

  test("an exception raised while cancelling at once propagates instead of TimeoutError", async () => {
    const log: string[] = [];
    const s = slow(log, { onCancel: "throw" });
    const main = define("main", 1, function* () {
      try {
        yield at(0, inlineWaitFor(s(10, "never"), 0));
      } catch (e) {
        return [(e as Error).name, (e as Error).message];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["RangeError", "failed while cancelling"]);
  });

  test("returns the value of a task that catches the immediate cancellation and returns", async () => {
    const log: string[] = [];
    const s = slow(log, { onCancel: "return" });
    const main = define("main", 1, function* () {
      return yield at(0, inlineWaitFor(s(10, "never"), 0));
    });
    expect(await run(main, { virtualTime: true })).toBe("returned anyway");
  });
});

describe("waitFor and the task's cancellation count", () => {
  test("a waitFor that ends before its deadline leaves cancelling() as it found it", async () => {
    const main = define("main", 1, function* () {
      const task = currentTask()!;
      task.cancel();
      try {
        yield at(0, sleep(1));
      } catch {
        // Caught, not uncancelled: cancelling() stays 1, as asyncio counts it.
      }
      const before = task.cancelling();
      const value = yield at(1, inlineWaitFor(sleep(1, "v"), 5));
      return [before, value, task.cancelling()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([1, "v", 1]);
  });
});

describe("waitFor cancellation", () => {
  test("cancelling the waiting task cancels the awaitable and raises CancelledError, not TimeoutError", async () => {
    const log: string[] = [];
    const s = slow(log);
    let inner!: Task<unknown>;
    const waiter = define("waiter", 20, function* () {
      inner = s(10, "never");
      return yield at(0, inlineWaitFor(inner, 5));
    });
    const main = define("main", 1, function* () {
      const t = waiter() as Task<unknown>;
      yield at(0, sleep(1));
      t.cancel("outer");
      try {
        yield at(1, t);
      } catch (e) {
        return [(e as Error).name, (e as Error).message, t.cancelled(), inner.cancelled(), getRunningLoop().pendingTimerCount()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["CancelledError", "outer", true, true, 0]);
  });

  test("a cancellation arriving with the timeout wins: CancelledError, not TimeoutError", async () => {
    const log: string[] = [];
    const s = slow(log);
    const waiter = define("waiter", 20, function* () {
      return yield at(0, inlineWaitFor(inline(s, 10, "never"), 1));
    });
    const main = define("main", 1, function* () {
      const t = waiter() as Task<unknown>;
      // Scheduled after waitFor's timer, for the same loop time.
      getRunningLoop().callLater(1, () => t.cancel());
      try {
        yield at(0, t);
      } catch (e) {
        return [(e as Error).name, t.cancelled(), now()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["CancelledError", true, 1]);
  });

  test("a cancellation requested before waitFor is still delivered", async () => {
    const main = define("main", 1, function* () {
      const me = currentTask()!;
      me.cancel();
      try {
        yield at(0, inlineWaitFor(sleep(10), 5));
      } catch (e) {
        me.uncancel();
        return [(e as Error).name, now()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["CancelledError", 0]);
  });
});

describe("waitFor forms and bad input", () => {
  test("called as a plain function it returns a coroutine, which runs when a Task is made of it", async () => {
    const main = define("main", 1, function* () {
      const coro = waitFor(sleep(1, "x"), 5);
      const t = createTask(coro);
      return [coro instanceof LazyCoroutine, t instanceof Task, t.getCoro() === coro, yield at(0, t)];
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, true, true, "x"]);
  });

  test("the inline form adds no stack frame between the caller and the awaited coroutine", async () => {
    let stack: string[] = [];
    const inner = define("inner", 30, function* () {
      yield at(0, sleep(10));
    });
    const outer = define("outer", 20, function* () {
      yield at(0, inlineWaitFor(inline(inner), 5));
    });
    const main = define("main", 1, function* () {
      const t = outer() as Task<unknown>;
      yield at(0, sleep(1));
      stack = t.getStack().map((f) => `${f.functionName}:${f.lineNumber}`);
      t.cancel();
      try {
        yield at(1, t);
      } catch {
        /* expected */
      }
    });
    await run(main, { virtualTime: true });
    expect(stack).toEqual(["outer:21", "inner:31"]);
  });

  test("a non-awaitable or a bad timeout throws TypeError at the call", () => {
    expect(() => waitFor(1 as never, 1)).toThrow(
      "waitFor's first argument must be awaitable (a Task, a Future, a coroutine or a thenable), got number 1",
    );
    const slept = sleep(0);
    expect(() => waitFor(slept, "1" as never)).toThrow(
      'waitFor timeout must be a number of seconds, or null for no timeout, got string "1"',
    );
    slept.close();
    expect(() => inlineWaitFor(1 as never, 1)).toThrow(TypeError);
  });
});

describe("waitFor with timeout <= 0, cancelled while the awaitable finishes cancelling", () => {
  test("the awaitable ending in the iteration the waiting task is cancelled reports nothing", async () => {
    const reports: string[] = [];
    const main = define("main", 1, function* () {
      getRunningLoop().setExceptionHandler((_l, c) => reports.push(c.message));
      const release = getRunningLoop().createFuture<string>();
      // Catches the cancellation, then waits for `release` before it returns.
      const stubborn = define("stubborn", 30, function* () {
        try {
          yield at(0, sleep(10));
        } catch {
          return yield at(1, release);
        }
      });
      const waiting = createTask(define("waiter", 40, function* () {
        return yield at(0, inlineWaitFor(stubborn(), 0));
      })());
      yield at(1, sleep(1));
      // The awaitable's wake-up is scheduled before the waiting task's cancellation.
      release.setResult("released");
      waiting.cancel();
      yield at(2, sleep(1));
      return waiting.cancelled();
    });
    expect(await run(main, { virtualTime: true })).toBe(true);
    expect(reports).toEqual([]);
  });
});
