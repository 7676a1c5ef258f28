import {
  AsCompletedStep,
  CancelledError,
  Future,
  Task,
  TimeoutError,
  allTasks,
  asCompleted,
  createTask,
  getRunningLoop,
  newEventLoop,
  run,
  sleep,
} from "../../runtime/index.js";
import { at, define, job, now } from "../support/coroutines.js";

describe("asCompleted as an iterable of awaitables", () => {
  test("each step resolves to the next result in completion order", async () => {
    const main = define("main", 1, function* () {
      const seen: unknown[] = [];
      for (const step of asCompleted([job(3, "c"), job(1, "a"), job(2, "b")])) {
        seen.push([yield at(0, step), now()]);
      }
      return seen;
    });
    expect(await run(main, { virtualTime: true })).toEqual([["a", 1], ["b", 2], ["c", 3]]);
  });

  test("the steps are coroutines that also behave as Promises", async () => {
    const main = define("main", 1, function* () {
      const steps = [...asCompleted([job(1, "x")])];
      const step = steps[0]!;
      return [steps.length, step instanceof AsCompletedStep, typeof step.catch, yield at(0, step.then((v) => `${v}!`))];
    });
    expect(await run(main, { virtualTime: true })).toEqual([1, true, "function", "x!"]);
  });

  test("a failure is raised at its own step and the other steps go on", async () => {
    const main = define("main", 1, function* () {
      const seen: string[] = [];
      for (const step of asCompleted([job(2, "ok"), job(1, new Error("boom"))])) {
        try {
          seen.push(String(yield at(0, step)));
        } catch (e) {
          seen.push(`raised ${(e as Error).message}`);
        }
      }
      return seen;
    });
    expect(await run(main, { virtualTime: true })).toEqual(["raised boom", "ok"]);
  });

  test("after the timeout every remaining step raises TimeoutError, and nothing is cancelled", async () => {
    const main = define("main", 1, function* () {
      const slowTask = createTask(job(10, "slow"));
      const seen: string[] = [];
      for (const step of asCompleted([job(1, "fast"), slowTask, job(20, "slower")], { timeout: 5 })) {
        try {
          seen.push(`${yield at(0, step)} at ${now()}`);
        } catch (e) {
          seen.push(`${(e as Error).name} at ${now()}`);
        }
      }
      seen.push(`slow cancelled ${slowTask.cancelled()}`);
      return seen;
    });
    expect(await run(main, { virtualTime: true })).toEqual([
      "fast at 1",
      "TimeoutError at 5",
      "TimeoutError at 5",
      "slow cancelled false",
    ]);
  });

  test("the timer is cancelled once everything is done", async () => {
    const main = define("main", 1, function* () {
      for (const step of asCompleted([job(1, "a")], { timeout: 100 })) yield at(0, step);
      return [now(), getRunningLoop().pendingTimerCount()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([1, 0]);
  });

  test("duplicates count once and an empty iterable gives no steps", async () => {
    const main = define("main", 1, function* () {
      const t = createTask(job(1, "a"));
      const steps = [...asCompleted([t, t, t])];
      const results = [];
      for (const step of steps) results.push(yield at(0, step));
      return [steps.length, results, [...asCompleted([])].length];
    });
    expect(await run(main, { virtualTime: true })).toEqual([1, ["a"], 0]);
  });

  test("a cancelled reader loses no completion: the next step gets it", async () => {
    const main = define("main", 1, function* () {
      const it = asCompleted([job(1, "first"), job(2, "second")])[Symbol.iterator]();
      const reader = createTask(
        define("reader", 30, function* () {
          return yield at(0, it.next().value!);
        }).body(),
      );
      yield at(0, sleep(0.5));
      reader.cancel();
      const readerOutcome = yield at(1, reader.then(() => "resolved", (e) => (e as Error).name));
      // The cancelled reader used up one of the two steps; the one left gets the first completion.
      const a = yield at(2, it.next().value!);
      return [readerOutcome, a, now(), it.next().done];
    });
    expect(await run(main, { virtualTime: true })).toEqual(["CancelledError", "first", 1, true]);
  });

  test("a reader cancelled after it was woken passes the completion on to the next reader", async () => {
    const makeReader = define("reader", 30, function* (step: PromiseLike<unknown>) {
      return yield at(0, step);
    });
    const main = define("main", 1, function* () {
      const loop = getRunningLoop();
      const f = loop.createFuture<string>();
      const g = loop.createFuture<string>();
      const it = asCompleted([f, g])[Symbol.iterator]();
      const first = makeReader(it.next().value!) as Task<unknown>;
      const second = makeReader(it.next().value!) as Task<unknown>;
      yield at(0, sleep(0));
      f.setResult("value");
      // Runs in the iteration that wakes `first`, right after the wake-up: `first` is woken, then cancelled.
      loop.callSoon(() => first.cancel());
      const secondResult = yield at(1, second);
      const firstOutcome = yield at(2, first.then(() => "resolved", (e) => (e as Error).name));
      g.cancel();
      return [firstOutcome, secondResult];
    });
    expect(await run(main, { virtualTime: true })).toEqual(["CancelledError", "value"]);
  });

  test("a reader woken then cancelled, whose completion a third reader took meanwhile, wakes nobody: the line keeps its order", async () => {
    const log: string[] = [];
    const makeReader = define("reader", 30, function* (name: string, step: PromiseLike<unknown>) {
      log.push(`${name} got ${String(yield at(0, step))}`);
    });
    const main = define("main", 1, function* () {
      const loop = getRunningLoop();
      const fs = [0, 1, 2, 3].map(() => loop.createFuture<string>());
      const it = asCompleted(fs)[Symbol.iterator]();
      // A, B and D wait in that order.
      const a = makeReader("A", it.next().value!) as Task<unknown>;
      const b = makeReader("B", it.next().value!) as Task<unknown>;
      const d = makeReader("D", it.next().value!) as Task<unknown>;
      yield at(0, sleep(0));
      fs[0]!.setResult("f0");
      // In the iteration that wakes A, right after: A is cancelled, and C (an eager task, which
      // runs at once) takes the completion A was woken for.
      loop.callSoon(() => {
        a.cancel();
        makeReader("C", it.next().value!);
      });
      yield at(1, sleep(0));
      yield at(2, sleep(0));
      fs[1]!.setResult("f1");
      yield at(3, sleep(0));
      yield at(4, sleep(0));
      fs[2]!.setResult("f2");
      yield at(5, b);
      yield at(6, d);
      return a.cancelled();
    });
    expect(await run(main, { virtualTime: true })).toBe(true);
    // B was first in line after A: it gets the next completion.
    expect(log).toEqual(["C got f0", "B got f1", "D got f2"]);
  });
});

describe("asCompleted as an async iterable", () => {
  test("yields the original Tasks and Futures in completion order", async () => {
    const main = define("main", 1, function* () {
      const a = createTask(job(2, "a"), { name: "a" });
      const b = createTask(job(1, "b"), { name: "b" });
      const f = getRunningLoop().createFuture<string>();
      getRunningLoop().callLater(3, () => f.setResult("f"));
      const it = asCompleted([a, b, f])[Symbol.asyncIterator]();
      const order: unknown[] = [];
      for (;;) {
        const next = (yield at(0, it.next())) as IteratorResult<Future<string>>;
        if (next.done === true) break;
        order.push(next.value === f ? "the future" : (next.value as Task<string>).getName());
        order.push(next.value.done());
      }
      return order;
    });
    expect(await run(main, { virtualTime: true })).toEqual(["b", true, "a", true, "the future", true]);
  });

  test("coroutines appear as the Tasks that wrap them", async () => {
    const lazy = define("lazy", 30, function* () {
      yield at(0, sleep(1));
      return "lazy";
    }, { mode: "lazy" });
    const main = define("main", 1, function* () {
      const it = asCompleted([lazy()])[Symbol.asyncIterator]();
      const first = (yield at(0, it.next())) as IteratorResult<Future<string>>;
      const second = (yield at(1, it.next())) as IteratorResult<Future<string>>;
      return [first.value instanceof Task, first.value!.result(), second.done];
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, "lazy", true]);
  });

  test("a step after the timeout raises TimeoutError", async () => {
    const main = define("main", 1, function* () {
      const it = asCompleted([job(10, "slow")], { timeout: 2 })[Symbol.asyncIterator]();
      try {
        yield at(0, it.next());
      } catch (e) {
        return [(e as Error) instanceof TimeoutError, now()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, 2]);
  });

  test("works with a native for await...of from plain JavaScript", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const a = loop.createFuture<string>();
    const b = loop.createFuture<string>();
    loop.callLater(2, () => a.setResult("a"));
    loop.callLater(1, () => b.setResult("b"));
    const iterator = asCompleted([a, b]);
    const stopped = loop.runForever();
    const seen: string[] = [];
    for await (const f of iterator) seen.push(f.result());
    loop.stop();
    await stopped;
    loop.close();
    expect(seen).toEqual(["b", "a"]);
  });
});

describe("asCompleted bad input", () => {
  test("a single awaitable instead of a collection throws TypeError", () => {
    const f = new Future();
    expect(() => asCompleted(f as never)).toThrow("asCompleted expected an iterable of awaitables, got a Future by itself; pass [it]");
    expect(() => asCompleted(3 as never)).toThrow("asCompleted expected an iterable of awaitables, got number 3");
  });

  test("an element that is not awaitable throws TypeError before anything is scheduled", () => {
    expect(() => asCompleted([new Future(), "x"] as never)).toThrow(
      'asCompleted element 2 must be awaitable (a Task, a Future, a coroutine or a thenable), got string "x"',
    );
  });

  test("a timeout that is not a number throws TypeError", () => {
    expect(() => asCompleted([new Future()], { timeout: "soon" as never })).toThrow(
      'asCompleted timeout must be a number of seconds, or null for no timeout, got string "soon"',
    );
    void CancelledError;
  });
});

describe("asCompleted details (mutation testing found these unchecked)", () => {
  test("options that are not an object are refused with TypeError", () => {
    const f = new Future();
    expect(() => asCompleted([f], 5 as never)).toThrow(new TypeError("asCompleted options must be an object like {timeout}, got number 5"));
    expect(() => asCompleted([f], null as never)).toThrow(new TypeError("asCompleted options must be an object like {timeout}, got null"));
  });

  test("a step's catch, finally and toStringTag, and the Task a plain then() runs it in", async () => {
    const loop = newEventLoop();
    const failing = loop.createFuture<string>();
    const ok = loop.createFuture<string>();
    const [first, second] = [...asCompleted([failing, ok])];
    const seen: unknown[] = [Object.prototype.toString.call(first)];
    const caught = first!.catch((e: Error) => `caught ${e.message}`);
    const settled = second!.finally(() => seen.push("finally"));
    seen.push([...allTasks(loop)].map((t) => /coro=<([^(]*)\(/.exec(String(t))?.[1]));
    loop.callSoon(() => failing.setException(new Error("boom")));
    loop.callSoon(() => ok.setResult("ok"));
    seen.push(await loop.runUntilComplete(Promise.all([caught, settled])));
    loop.close();
    expect(seen).toEqual(["[object AsCompletedStep]", ["asCompleted", "asCompleted"], "finally", ["caught boom", "ok"]]);
  });

  test("the async iterator's steps, run from plain code, are Tasks named asCompleted", async () => {
    const loop = newEventLoop();
    const f = loop.createFuture<string>();
    const iterator = asCompleted([f])[Symbol.asyncIterator]();
    // then() schedules a step as a Task at once; Promise.all would only in a later job.
    const first = iterator.next().then();
    const last = iterator.next().then();
    const names = [...allTasks(loop)].map((t) => /coro=<([^(]*)\(/.exec(String(t))?.[1]);
    loop.callSoon(() => f.setResult("v"));
    const [a, b] = await loop.runUntilComplete(Promise.all([first, last]));
    loop.close();
    expect([names, (a!.value as Future<string>).result(), b]).toEqual([["asCompleted", "asCompleted"], "v", { done: true, value: undefined }]);
  });

  test("the same coroutine given twice is one step", async () => {
    const lazy = define("lazy", 1, function* () {
      yield at(0, sleep(1));
      return "once";
    }, { mode: "lazy" });
    const main = define("main", 1, function* () {
      const coro = lazy();
      const results: unknown[] = [];
      for (const step of asCompleted([coro, coro])) results.push(yield at(0, step));
      return results;
    });
    expect(await run(main, { virtualTime: true })).toEqual([["once"]].flat());
  });

  test("completions before anyone waits, and the last one without a timeout, report nothing", async () => {
    const reports: string[] = [];
    const main = define("main", 1, function* () {
      getRunningLoop().setExceptionHandler((_l, context) => reports.push(context.message));
      const steps = [...asCompleted([job(1, "a"), job(2, "b")])];
      yield at(0, sleep(3));
      return [yield at(1, steps[0]!), yield at(2, steps[1]!)];
    });
    expect(await run(main, { virtualTime: true })).toEqual(["a", "b"]);
    expect(reports).toEqual([]);
  });

  test("a waiter cancelled before any completion does not push the others back in line", async () => {
    const main = define("main", 1, function* () {
      const loop = getRunningLoop();
      const f = loop.createFuture<string>();
      const [s1, s2, s3] = [...asCompleted([f, loop.createFuture(), loop.createFuture()])];
      const got: string[] = [];
      const waiter = (name: string, step: unknown) =>
        createTask(define(name, 30, function* () {
          try {
            yield at(0, step);
            got.push(name);
          } catch (e) {
            got.push(`${name} ${(e as Error).name}`);
          }
        })(), { name });
      const a = waiter("A", s1);
      waiter("B", s2);
      waiter("C", s3);
      yield at(0, sleep(1));
      a.cancel();
      yield at(1, sleep(1));
      f.setResult("first");
      yield at(2, sleep(1));
      return [...got];
    });
    expect(await run(main, { virtualTime: true })).toEqual(["A CancelledError", "B"]);
  });

  test("coroutines run on the loop of the Futures given, even when another loop is current", async () => {
    const loop = newEventLoop();
    const f = loop.createFuture<string>();
    const lazy = define("lazy", 1, function* () {
      return "ran";
    }, { mode: "lazy" });
    const iterator = asCompleted([f, lazy()]);
    const onLoop = allTasks(loop).size;
    loop.callSoon(() => f.setResult("f"));
    const results = await loop.runUntilComplete(Promise.all([...iterator]));
    loop.close();
    expect([onLoop, results.sort()]).toEqual([1, ["f", "ran"]]);
  });
});
