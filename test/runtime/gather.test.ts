import {
  CancelledError,
  Future,
  Task,
  allTasks,
  createTask,
  gather,
  getRunningLoop,
  newEventLoop,
  run,
  shield,
  sleep,
} from "../../runtime/index.js";
import { at, define, now } from "../support/coroutines.js";

/** A coroutine function that sleeps `delay`, logs, and returns `value` (or throws it if it is an Error). */
function worker(log: string[]) {
  return define("worker", 10, function* (name: string, delay: number, value: unknown) {
    try {
      yield at(0, sleep(delay));
    } catch (e) {
      log.push(`${name} caught ${(e as Error).name}${(e as Error).message ? " " + (e as Error).message : ""} at ${now()}`);
      throw e;
    }
    log.push(`${name} done at ${now()}`);
    if (value instanceof Error) throw value;
    return value;
  });
}

describe("gather results", () => {
  test("resolves to the results in argument order, not completion order", async () => {
    const log: string[] = [];
    const w = worker(log);
    const main = define("main", 1, function* () {
      return yield at(0, gather(w("a", 3, "A"), w("b", 1, "B"), w("c", 2, "C")));
    });
    expect(await run(main, { virtualTime: true })).toEqual(["A", "B", "C"]);
    expect(log).toEqual(["b done at 1", "c done at 2", "a done at 3"]);
  });

  test("with no awaitables returns a Future already done with an empty array", async () => {
    const empty = gather();
    expect(empty).toBeInstanceOf(Future);
    expect(empty.done()).toBe(true);
    expect(empty.result()).toEqual([]);
    const onlyOptions = gather({ returnExceptions: true });
    expect(onlyOptions.result()).toEqual([]);
  });

  test("accepts lazy coroutines, frames, Tasks, Futures and native Promises", async () => {
    const lazy = define("lazy", 30, function* () {
      yield at(0, sleep(1));
      return "lazy";
    }, { mode: "lazy" });
    const eager = define("eager", 40, function* () {
      yield at(0, sleep(2));
      return "eager";
    });
    const main = define("main", 1, function* () {
      const future = getRunningLoop().createFuture<string>();
      getRunningLoop().callLater(0.5, () => future.setResult("future"));
      return yield at(0, gather(lazy(), eager.body(), eager(), future, Promise.resolve("promise")));
    });
    expect(await run(main, { virtualTime: true })).toEqual(["lazy", "eager", "eager", "future", "promise"]);
  });

  test("the same awaitable given twice runs once and its result appears twice", async () => {
    let runs = 0;
    const child = define("child", 10, function* () {
      runs++;
      yield at(0, sleep(1));
      return runs;
    });
    const main = define("main", 1, function* () {
      const t = child();
      return yield at(0, gather(t, t, t));
    });
    expect(await run(main, { virtualTime: true })).toEqual([1, 1, 1]);
    expect(runs).toBe(1);
  });

  test("children already done still finish the gather through the loop, one iteration later", async () => {
    const main = define("main", 1, function* () {
      const a = getRunningLoop().createFuture<number>();
      a.setResult(1);
      const g = gather(a, Promise.resolve(2) as PromiseLike<number>);
      const doneAtOnce = g.done();
      const result = yield at(0, g);
      return [doneAtOnce, result];
    });
    expect(await run(main, { virtualTime: true })).toEqual([false, [1, 2]]);
  });

  test("is thenable: plain JavaScript can await it while a loop runs the children", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const a = loop.createFuture<number>();
    const b = loop.createFuture<string>();
    loop.callLater(2, () => a.setResult(1));
    loop.callLater(1, () => b.setResult("one"));
    const g = gather(a, b);
    expect(g.getLoop()).toBe(loop);
    const [viaLoop, viaThen] = await Promise.all([loop.runUntilComplete(g), g.then((r) => r)]);
    expect(viaLoop).toEqual([1, "one"]);
    expect(viaThen).toEqual([1, "one"]);
    loop.close();
  });
});

describe("gather exceptions", () => {
  test("the first exception fails the gather at once while the other children keep running", async () => {
    const log: string[] = [];
    const w = worker(log);
    let slow!: Task<unknown>;
    let g!: Future<unknown[]>;
    const main = define("main", 1, function* () {
      slow = w("slow", 5, "S");
      g = gather(w("bad", 1, new Error("boom")), slow);
      try {
        yield at(0, g);
      } catch (e) {
        log.push(`main caught ${(e as Error).message} at ${now()}`);
      }
      expect(g.cancel()).toBe(false);
      return yield at(1, slow);
    });
    expect(await run(main, { virtualTime: true })).toBe("S");
    expect(log).toEqual(["bad done at 1", "main caught boom at 1", "slow done at 5"]);
    expect(g.cancelled()).toBe(false);
    expect((g.exception() as Error).message).toBe("boom");
  });

  test("with returnExceptions, exceptions take their places in the results", async () => {
    const log: string[] = [];
    const w = worker(log);
    const main = define("main", 1, function* () {
      return yield at(0, gather(w("a", 2, "A"), w("b", 1, new TypeError("bad")), { returnExceptions: true }));
    });
    const [a, b] = (await run(main, { virtualTime: true })) as [string, Error];
    expect(a).toBe("A");
    expect(b).toBeInstanceOf(TypeError);
    expect(b.message).toBe("bad");
  });

  test("with returnExceptions, a child cancelled by other means appears as a CancelledError with its message", async () => {
    const log: string[] = [];
    const w = worker(log);
    const main = define("main", 1, function* () {
      const a = w("a", 2, "A");
      const b = w("b", 5, "B");
      const g = gather(a, b, { returnExceptions: true });
      yield at(0, sleep(1));
      b.cancel("not needed");
      const results = (yield at(1, g)) as unknown[];
      return [results, g.cancelled()];
    });
    const [results, cancelled] = (await run(main, { virtualTime: true })) as [unknown[], boolean];
    expect(results[0]).toBe("A");
    expect(results[1]).toBeInstanceOf(CancelledError);
    expect((results[1] as Error).message).toBe("not needed");
    expect(cancelled).toBe(false);
  });

  test("a child cancelled by other means fails the gather with CancelledError without cancelling it or the other children", async () => {
    const log: string[] = [];
    const w = worker(log);
    const main = define("main", 1, function* () {
      const a = w("a", 1, "A");
      const b = w("b", 3, "B");
      const g = gather(a, b);
      a.cancel("just a");
      let caught: unknown;
      try {
        yield at(0, g);
      } catch (e) {
        caught = e;
      }
      log.push(`gather cancelled()=${g.cancelled()} b cancelled()=${b.cancelled()}`);
      yield at(1, b);
      return caught;
    });
    const caught = await run(main, { virtualTime: true });
    expect(caught).toBeInstanceOf(CancelledError);
    expect((caught as Error).message).toBe("just a");
    expect(log).toEqual(["a caught CancelledError just a at 0", "gather cancelled()=false b cancelled()=false", "b done at 3"]);
  });
});

describe("gather cancellation", () => {
  test("cancelling the gather cancels every child not yet done and then fails it with CancelledError", async () => {
    const log: string[] = [];
    const w = worker(log);
    const main = define("main", 1, function* () {
      const a = w("a", 1, "A");
      const b = w("b", 5, "B");
      const c = w("c", 5, "C");
      const g = gather(a, b, c);
      yield at(0, sleep(2));
      expect(g.cancel("enough")).toBe(true);
      expect(g.done()).toBe(false);
      try {
        yield at(1, g);
      } catch (e) {
        log.push(`main caught ${(e as Error).name} ${(e as Error).message}`);
      }
      return [a.cancelled(), b.cancelled(), c.cancelled(), g.cancelled()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([false, true, true, false]);
    expect(log).toEqual([
      "a done at 1",
      "b caught CancelledError enough at 2",
      "c caught CancelledError enough at 2",
      "main caught CancelledError enough",
    ]);
  });

  test("cancelling the task awaiting a gather cancels the children and the task ends cancelled with the message", async () => {
    const log: string[] = [];
    const w = worker(log);
    let a!: Task<unknown>;
    const child = define("child", 20, function* () {
      a = w("a", 10, "A");
      return yield at(0, gather(a, sleep(10)));
    });
    const main = define("main", 1, function* () {
      const t = child();
      yield at(0, sleep(1));
      t.cancel("stop");
      try {
        yield at(1, t);
      } catch (e) {
        log.push(`main caught ${(e as Error).message}`);
      }
      return [t.cancelled(), a.cancelled()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, true]);
    expect(log).toEqual(["a caught CancelledError stop at 1", "main caught stop"]);
  });

  test("a cancelled gather fails with CancelledError even with returnExceptions (bpo-32684)", async () => {
    const stubborn = define("stubborn", 20, function* () {
      try {
        yield at(0, sleep(10));
      } catch {
        return "ignored the cancellation";
      }
      return "finished";
    });
    const main = define("main", 1, function* () {
      const g = gather(stubborn(), { returnExceptions: true });
      yield at(0, sleep(1));
      expect(g.cancel()).toBe(true);
      try {
        yield at(1, g);
        return "no error";
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(await run(main, { virtualTime: true })).toBe("CancelledError");
  });

  test("cancel() returns false when every child is already done, even before the gather finishes", async () => {
    const main = define("main", 1, function* () {
      const f = getRunningLoop().createFuture<number>();
      f.setResult(1);
      const g = gather(f);
      const accepted = g.cancel();
      const result = yield at(0, g);
      return [accepted, result];
    });
    expect(await run(main, { virtualTime: true })).toEqual([false, [1]]);
  });

  test("cancel() after the gather is done cancels nothing", async () => {
    const log: string[] = [];
    const w = worker(log);
    const main = define("main", 1, function* () {
      const g = gather(w("a", 1, "A"), { returnExceptions: true });
      yield at(0, g);
      return g.cancel();
    });
    expect(await run(main, { virtualTime: true })).toBe(false);
  });

  test("a shielded child survives the cancellation of the gather", async () => {
    const log: string[] = [];
    const w = worker(log);
    const main = define("main", 1, function* () {
      const inner = w("inner", 3, "I");
      const g = gather(shield(inner));
      yield at(0, sleep(1));
      g.cancel();
      try {
        yield at(1, g);
      } catch (e) {
        log.push(`gather raised ${(e as Error).name}`);
      }
      return yield at(2, inner);
    });
    expect(await run(main, { virtualTime: true })).toBe("I");
    expect(log).toEqual(["gather raised CancelledError", "inner done at 3"]);
  });
});

describe("gather bad input", () => {
  test("a non-awaitable argument throws TypeError naming its position, what was expected and what came", () => {
    expect(() => gather(1 as never)).toThrow(TypeError);
    expect(() => gather(1 as never)).toThrow(
      "gather argument 1 must be awaitable (a Task, a Future, a coroutine or a thenable), got number 1",
    );
    expect(() => gather(new Future(), null as never)).toThrow("gather argument 2 must be awaitable (a Task, a Future, a coroutine or a thenable), got null");
  });

  test("a coroutine function passed uncalled suggests calling it", () => {
    const child = define("child", 1, function* () {
      return 1;
    });
    expect(() => gather(child as never)).toThrow("got function child; did you mean to call it: child()?");
  });

  test("an array argument suggests spreading it", () => {
    expect(() => gather([new Future()] as never)).toThrow("got an Array; spread the array into separate arguments");
  });

  test("a misspelt options object is named as such", () => {
    expect(() => gather(new Future(), { returnException: true } as never)).toThrow(
      "gather's last argument looks like an options object but has the unknown key returnException; the only option is returnExceptions",
    );
    expect(() => gather(new Future(), { returnExceptions: "yes" } as never)).toThrow(
      'gather option returnExceptions must be a boolean, got string "yes"',
    );
  });

  test("a bad argument leaves no Task behind for the arguments before it", async () => {
    const lazy = define("lazy", 1, function* () {
      return 1;
    }, { mode: "lazy" });
    const main = define("main", 1, function* () {
      const before = allTasks().size;
      const coro = lazy();
      expect(() => gather(coro, 42 as never)).toThrow(TypeError);
      const after = allTasks().size;
      // The coroutine was not taken: it can still be awaited.
      const value = yield at(0, coro);
      return [before, after, value];
    });
    expect(await run(main, { virtualTime: true })).toEqual([1, 1, 1]);
  });

  test("an already awaited coroutine is refused before anything runs", async () => {
    const lazy = define("lazy", 1, function* () {
      return 1;
    }, { mode: "lazy" });
    const main = define("main", 1, function* () {
      const coro = lazy();
      yield at(0, coro);
      expect(() => gather(coro)).toThrow("gather argument 1 is the coroutine 'lazy', which was already awaited");
    });
    await run(main, { virtualTime: true });
  });

  test("futures of different loops are refused with RangeError", async () => {
    const other = newEventLoop();
    const main = define("main", 1, function* () {
      expect(() => gather(getRunningLoop().createFuture(), other.createFuture())).toThrow(RangeError);
    });
    await run(main, { virtualTime: true });
    other.close();
  });
});

test("gather's type is a tuple of the awaited types", () => {
  const typed = (a: Task<number>, b: Future<string>, c: Promise<boolean>) => {
    const plain: Future<[number, string, boolean]> = gather(a, b, c);
    const withErrors: Future<[unknown, unknown]> = gather(a, b, { returnExceptions: true });
    return [plain, withErrors];
  };
  expect(typeof typed).toBe("function");
  void createTask;
});
