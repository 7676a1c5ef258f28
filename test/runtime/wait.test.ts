import {
  ALL_COMPLETED,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  LazyCoroutine,
  Task,
  abi,
  captureCallGraph,
  createTask,
  getRunningLoop,
  run,
  sleep,
  wait,
} from "../../runtime/index.js";
import { at, define, job, now } from "../support/coroutines.js";

/** The names of a set of tasks, sorted. */
const names = (set: Set<Future<unknown>>): string[] => [...set].map((t) => (t as Task<unknown>).getName()).sort();

/** The inline form of `await wait(...)`, as compiled code calls it. */
const inlineWait = (...args: Parameters<typeof wait>) => (wait as unknown as Record<symbol, (...a: unknown[]) => unknown>)[abi.BODY]!(...args);

test("the constants are Python's strings", () => {
  expect([ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION]).toEqual(["ALL_COMPLETED", "FIRST_COMPLETED", "FIRST_EXCEPTION"]);
});

describe("wait returnWhen", () => {
  test("ALL_COMPLETED (the default) returns when every future is done, failures included, without raising", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(1, "A"), { name: "a" });
      const b = createTask(job(2, new Error("boom")), { name: "b" });
      const [done, pending] = (yield at(0, wait([a, b]))) as [Set<Future<unknown>>, Set<Future<unknown>>];
      return [names(done), names(pending), now(), (b.exception() as Error).message];
    });
    expect(await run(main, { virtualTime: true })).toEqual([["a", "b"], [], 2, "boom"]);
  });

  test("FIRST_COMPLETED returns as soon as one future is done", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(3, "A"), { name: "a" });
      const b = createTask(job(1, "B"), { name: "b" });
      const [done, pending] = (yield at(0, wait([a, b], { returnWhen: FIRST_COMPLETED }))) as [Set<Future<unknown>>, Set<Future<unknown>>];
      return [names(done), names(pending), now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([["b"], ["a"], 1]);
  });

  test("FIRST_COMPLETED counts a cancellation as completion", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(3, "A"), { name: "a" });
      const b = createTask(job(5, "B"), { name: "b" });
      getRunningLoop().callLater(1, () => b.cancel());
      const [done] = (yield at(0, wait([a, b], { returnWhen: FIRST_COMPLETED }))) as [Set<Future<unknown>>];
      return [names(done), now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([["b"], 1]);
  });

  test("FIRST_EXCEPTION returns at the first failure", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(1, "A"), { name: "a" });
      const b = createTask(job(2, new Error("boom")), { name: "b" });
      const c = createTask(job(5, "C"), { name: "c" });
      const [done, pending] = (yield at(0, wait([a, b, c], { returnWhen: FIRST_EXCEPTION }))) as [Set<Future<unknown>>, Set<Future<unknown>>];
      return [names(done), names(pending), now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([["a", "b"], ["c"], 2]);
  });

  test("FIRST_EXCEPTION does not count a cancellation as a failure, and waits for all when none fails", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(1, "A"), { name: "a" });
      const b = createTask(job(4, "B"), { name: "b" });
      getRunningLoop().callLater(2, () => a.cancel());
      const [done, pending] = (yield at(0, wait([a, b], { returnWhen: FIRST_EXCEPTION }))) as [Set<Future<unknown>>, Set<Future<unknown>>];
      return [names(done), names(pending), now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([["a", "b"], [], 4]);
  });

  test("FIRST_EXCEPTION returns after one iteration when a future already failed", async () => {
    const main = define("main", 1, function* () {
      const failed = getRunningLoop().createFuture();
      failed.setException(new Error("early"));
      const b = createTask(job(4, "B"), { name: "b" });
      const [done, pending] = (yield at(0, wait([failed, b], { returnWhen: FIRST_EXCEPTION }))) as [Set<Future<unknown>>, Set<Future<unknown>>];
      return [done.has(failed), names(pending), now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, ["b"], 0]);
  });
});

describe("wait's bookkeeping (mutation testing found these unchecked)", () => {
  test("ALL_COMPLETED does not return at a failure while others still run", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(1, new Error("early")), { name: "a" });
      const b = createTask(job(3, "B"), { name: "b" });
      const [done, pending] = (yield at(0, wait([a, b]))) as [Set<Future<unknown>>, Set<Future<unknown>>];
      return [names(done), names(pending), now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([["a", "b"], [], 3]);
  });

  test("FIRST_COMPLETED with two futures done in the same iteration returns both, reporting nothing", async () => {
    const reports: string[] = [];
    const main = define("main", 1, function* () {
      const loop = getRunningLoop();
      loop.setExceptionHandler((_l, context) => reports.push(context.message));
      const a = loop.createFuture<string>();
      const b = loop.createFuture<string>();
      loop.callLater(1, () => {
        a.setResult("A");
        b.setResult("B");
      });
      const [done, pending] = (yield at(0, wait([a, b], { returnWhen: FIRST_COMPLETED }))) as [Set<Future<unknown>>, Set<Future<unknown>>];
      yield at(1, sleep(0));
      return [done.size, pending.size, now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([2, 0, 1]);
    expect(reports).toEqual([]);
  });

  test("the same coroutine given twice is one Task in the result", async () => {
    const lazy = define("lazy", 1, function* () {
      yield at(0, sleep(1));
      return "once";
    }, { mode: "lazy" });
    const main = define("main", 1, function* () {
      const coro = lazy();
      const [done, pending] = (yield at(0, wait([coro, coro]))) as [Set<Future<unknown>>, Set<Future<unknown>>];
      return [[...done].map((t) => t.result()), pending.size];
    });
    expect(await run(main, { virtualTime: true })).toEqual([["once"], 0]);
  });

  test("once wait returns, the futures still pending no longer list the task as awaiting them", async () => {
    const main = define("main", 1, function* () {
      const slow = createTask(job(5, "slow"), { name: "slow" });
      const listed = [] as string[][];
      // The waiter lives on after its wait returns, so only the unregistration can drop it.
      const waiting = createTask(define("waiter", 20, function* () {
        yield at(0, wait([slow], { timeout: 1 }));
        yield at(1, sleep(2));
      })(), { name: "waiter" });
      yield at(0, sleep(0.5));
      listed.push(captureCallGraph(slow).awaitedBy.map((g) => (g.future as Task<unknown>).getName()));
      yield at(1, sleep(1));
      listed.push(captureCallGraph(slow).awaitedBy.map((g) => (g.future as Task<unknown>).getName()));
      yield at(2, waiting);
      yield at(2, slow);
      return listed;
    });
    expect(await run(main, { virtualTime: true })).toEqual([["waiter"], []]);
  });
});

describe("wait timeout", () => {
  test("returns when the timeout passes, with the unfinished futures pending and still running", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(1, "A"), { name: "a" });
      const b = createTask(job(10, "B"), { name: "b" });
      const [done, pending] = (yield at(0, wait([a, b], { timeout: 3 }))) as [Set<Future<unknown>>, Set<Future<unknown>>];
      const at3 = [names(done), names(pending), now(), b.cancelled()];
      yield at(1, b);
      return at3;
    });
    expect(await run(main, { virtualTime: true })).toEqual([["a"], ["b"], 3, false]);
  });

  test("the timer is cancelled when the futures finish first", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(1, "A"));
      yield at(0, wait([a], { timeout: 100 }));
      return [now(), getRunningLoop().pendingTimerCount()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([1, 0]);
  });

  test("a timeout of 0 with every future done returns them all done", async () => {
    const main = define("main", 1, function* () {
      const f = getRunningLoop().createFuture();
      f.setResult(1);
      const [done, pending] = (yield at(0, wait([f], { timeout: 0 }))) as [Set<Future<unknown>>, Set<Future<unknown>>];
      return [done.size, pending.size];
    });
    expect(await run(main, { virtualTime: true })).toEqual([1, 0]);
  });

  test("a null timeout waits without limit", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(50, "A"));
      yield at(0, wait([a], { timeout: null }));
      return now();
    });
    expect(await run(main, { virtualTime: true })).toBe(50);
  });
});

describe("wait arguments and forms", () => {
  test("accepts any iterable, counts duplicates once, and returns the same Future objects", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(1, "A"));
      const [done, pending] = (yield at(0, wait(new Set([a, a])))) as [Set<Future<unknown>>, Set<Future<unknown>>];
      const [done2] = (yield at(1, wait([a, a]))) as [Set<Future<unknown>>];
      return [done.size, pending.size, [...done][0] === a, done2.size];
    });
    expect(await run(main, { virtualTime: true })).toEqual([1, 0, true, 1]);
  });

  test("in eager mode a call of a compiled async function is a Task, so it can be passed directly", async () => {
    const main = define("main", 1, function* () {
      const [done] = (yield at(0, wait([job(1, "A"), job(2, "B")]))) as [Set<Future<unknown>>];
      return [...done].map((t) => t.result()).sort();
    });
    expect(await run(main, { virtualTime: true })).toEqual(["A", "B"]);
  });

  test("called as a plain function it returns a coroutine, bound to no loop until it runs", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(1, "A"));
      const waiting = wait([a]);
      const isCoroutine = waiting instanceof LazyCoroutine && !(waiting instanceof Task);
      const [done] = (yield at(0, waiting)) as [Set<Future<unknown>>];
      return [isCoroutine, done.size];
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, 1]);
  });

  test("coroutines are wrapped in Tasks on the loop where wait starts (CONTRACT: wait([sleep(1)]))", async () => {
    const lazy = define("lazy", 1, function* () {
      yield at(0, sleep(1));
      return "lazy done";
    }, { mode: "lazy" });
    // Made before run(), so bound to no loop yet.
    const made = wait([sleep(0.5, "slept"), lazy()], { returnWhen: FIRST_COMPLETED });
    const main = define("main", 1, function* () {
      const [done, pending] = (yield at(0, made)) as [Set<Task<unknown>>, Set<Task<unknown>>];
      const loop = getRunningLoop();
      const all = [...done, ...pending];
      return [done.size, pending.size, all.every((t) => t instanceof Task && t.getLoop() === loop), [...done][0]!.result(), now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([1, 1, true, "slept", 0.5]);
  });

  test("the inline form adds no stack frame to the awaiting task", async () => {
    let stack: string[] = [];
    const waiter = define("waiter", 20, function* (a: Task<unknown>) {
      return yield at(0, inlineWait([a]));
    });
    const main = define("main", 1, function* () {
      const a = createTask(job(5, "A"));
      const t = waiter(a) as Task<unknown>;
      yield at(0, sleep(1));
      stack = t.getStack().map((f) => `${f.functionName}:${f.lineNumber}`);
      yield at(1, t);
    });
    await run(main, { virtualTime: true });
    expect(stack).toEqual(["waiter:21"]);
  });

  test("cancelling the awaiting task raises CancelledError there and cancels none of the futures", async () => {
    const log: string[] = [];
    const main = define("main", 1, function* () {
      const a = createTask(job(5, "A"));
      const waiter = createTask(
        define("waiter", 20, function* () {
          try {
            yield at(0, wait([a], { timeout: 10 }));
          } catch (e) {
            log.push(`waiter caught ${(e as Error).name}`);
            throw e;
          }
        }).body(),
      );
      yield at(0, sleep(1));
      waiter.cancel();
      try {
        yield at(1, waiter);
      } catch (e) {
        log.push(`main caught ${e instanceof CancelledError}`);
      }
      log.push(`a cancelled ${a.cancelled()}, timers ${getRunningLoop().pendingTimerCount()}`);
      return yield at(2, a);
    });
    expect(await run(main, { virtualTime: true })).toBe("A");
    expect(log).toEqual(["waiter caught CancelledError", "main caught true", "a cancelled false, timers 1"]);
  });
});

describe("wait bad input", () => {
  test("an empty collection throws RangeError at the call", () => {
    expect(() => wait([])).toThrow(RangeError);
    expect(() => wait([])).toThrow("wait expected at least one Task, Future or coroutine, got an empty collection");
    expect(() => inlineWait([])).toThrow(RangeError);
  });

  test("an unknown returnWhen throws RangeError", () => {
    const f = new Future();
    expect(() => wait([f], { returnWhen: "FIRST" as never })).toThrow(
      'wait returnWhen must be ALL_COMPLETED, FIRST_COMPLETED or FIRST_EXCEPTION, got string "FIRST"',
    );
    expect(() => wait([f], { returnWhen: "FIRST" as never })).toThrow(RangeError);
  });

  test("a coroutine that was already awaited is refused with RuntimeError", async () => {
    const lazy = define("lazy", 1, function* () {
      return 1;
    }, { mode: "lazy" });
    const coro = lazy();
    await run(coro);
    expect(() => wait([coro] as never)).toThrow(
      "wait element 1 is the coroutine 'lazy', which was already awaited; call the function again for a new one",
    );
  });

  test("a thenable or a plain value is refused with TypeError; only a thenable gets the ensureFuture hint", () => {
    const hint = "; wrap a thenable with ensureFuture() and keep that Future to find it in the result";
    const refusal = (what: string) => new TypeError(`wait element ${what}`);
    expect(() => wait([Promise.resolve(1)] as never)).toThrow(refusal(`1 must be a Task, a Future or a coroutine, got a native Promise${hint}`));
    expect(() => wait([new Future(), 3] as never)).toThrow(refusal("2 must be a Task, a Future or a coroutine, got number 3"));
    expect(() => wait([null] as never)).toThrow(refusal("1 must be a Task, a Future or a coroutine, got null"));
    expect(() => wait([{}] as never)).toThrow(refusal("1 must be a Task, a Future or a coroutine, got an Object"));
    const messageOf = (item: unknown): string => {
      try {
        wait([item] as never);
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
      return "(nothing thrown)";
    };
    // A function with a `then` method is a thenable too.
    expect(messageOf(Object.assign(() => 1, { then: () => undefined }))).toMatch(/^TypeError: wait element 1 must be a Task, a Future or a coroutine, got .*; wrap a thenable with ensureFuture\(\)/);
    // A `then` getter that throws makes no thenable, and its error does not escape.
    const throwing = Object.defineProperty({}, "then", {
      get: () => {
        throw new Error("getter");
      },
    });
    expect(messageOf(throwing)).toBe("TypeError: wait element 1 must be a Task, a Future or a coroutine, got an Object");
  });

  test("options that are not an object are refused with TypeError", () => {
    const f = new Future();
    expect(() => wait([f], 5 as never)).toThrow(new TypeError("wait options must be an object like {timeout, returnWhen}, got number 5"));
    expect(() => wait([f], null as never)).toThrow(new TypeError("wait options must be an object like {timeout, returnWhen}, got null"));
    expect(() => inlineWait([f], "x" as never)).toThrow(new TypeError('wait options must be an object like {timeout, returnWhen}, got string "x"'));
  });

  test("a single Future instead of a collection is refused with TypeError", () => {
    const f = new Future();
    expect(() => wait(f as never)).toThrow("wait expected an iterable of Tasks, Futures or coroutines, got a Future by itself; pass [it]");
    expect(() => wait(42 as never)).toThrow("wait expected an iterable of Tasks, Futures or coroutines, got number 42");
  });

  test("a timeout that is not a number is refused with TypeError", () => {
    expect(() => wait([new Future()], { timeout: "1" as never })).toThrow(
      'wait timeout must be a number of seconds, or null for no timeout, got string "1"',
    );
    expect(() => wait([new Future()], { timeout: NaN })).toThrow(TypeError);
  });
});
