/**
 * Behaviours no test checked until issue 11 planted bugs in them (each test here fails under one
 * of those bugs), and promises that rested on a single test.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import {
  CancelledError,
  type Future,
  Timeout,
  allTasks,
  asCompleted,
  captureCallGraph,
  createTask,
  currentTask,
  gather,
  getRunningLoop,
  newEventLoop,
  run,
  shield,
  sleep,
  timeout,
  type ExceptionContext,
  type Task,
} from "../../runtime/index.js";
import { abi } from "../../runtime/index.js";
import { at, define, delegating, inline, job, now } from "../support/coroutines.js";

const gc = (globalThis as { gc?: () => void }).gc;
const SKIP_WITHOUT_GC = "SKIPPED: run jest under node --expose-gc (npm test does) to test collection";

/** Collects garbage and lets the collector's callbacks run: `rounds` times, or until `done()`. */
async function collectGarbage(rounds: number, done: () => boolean = () => false): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** The compiled form of `await fn(...args)`: the inline body when `fn` has one. */
function call(fn: unknown, ...args: unknown[]): unknown {
  const f = fn as { [abi.BODY]?: (...a: unknown[]) => unknown } & ((...a: unknown[]) => unknown);
  return (f[abi.BODY] ?? f)(...args);
}

const lazyJob = define("lazyJob", 40, function* (value: string) {
  yield at(0, sleep(1));
  return value;
}, { mode: "lazy" });

describe("uncancel() before the cancellation is delivered takes it back (3.13)", () => {
  test("on a scheduled task: it runs to its result, uncancelled", async () => {
    const main = define("main", 1, function* () {
      const t = createTask(lazyJob("done"));
      const cancelled = t.cancel();
      const left = t.uncancel();
      return [cancelled, left, t.cancelling(), yield at(0, t), t.cancelled()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, 0, 0, "done", false]);
  });

  test("without the uncancel() the same scheduled task is cancelled (the control)", async () => {
    const main = define("main", 1, function* () {
      const t = createTask(lazyJob("done"));
      t.cancel();
      try {
        return yield at(0, t);
      } catch (e) {
        return [(e as Error).name, t.cancelled()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["CancelledError", true]);
  });

  test("on the running task itself: its next await is not interrupted", async () => {
    const main = define("main", 1, function* () {
      const me = currentTask()!;
      me.cancel();
      me.uncancel();
      yield at(0, sleep(0));
      yield at(1, sleep(1));
      return [me.cancelling(), now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([0, 1]);
  });

  test.each([
    ["a thenable", () => ({ then() {} })],
    ["a native Promise", () => new Promise(() => {})],
  ])("on a task awaiting %s: the await was let go at the cancel, so CancelledError is delivered, as a cancelled Future's is", async (_kind, awaited) => {
    const main = define("main", 1, function* () {
      const waiter = define("waiter", 30, function* () {
        return ["resumed with", yield at(0, awaited())];
      });
      const t = createTask(waiter());
      yield at(0, sleep(0));
      t.cancel();
      t.uncancel();
      try {
        return yield at(1, t);
      } catch (e) {
        return [(e as Error).name, t.cancelled()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["CancelledError", true]);
  });

  test("two cancels and one uncancel still deliver the cancellation", async () => {
    const main = define("main", 1, function* () {
      const t = createTask(lazyJob("done"));
      t.cancel();
      t.cancel();
      t.uncancel();
      try {
        return yield at(0, t);
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(await run(main, { virtualTime: true })).toBe("CancelledError");
  });
});

describe("timeout(): cm.expired() in the body's catch and finally", () => {
  test("is true after the deadline, while the body handles its cancellation", async () => {
    const seen: unknown[] = [];
    const body = define("body", 50, function* (cm: Timeout) {
      seen.push(["before", cm.expired()]);
      try {
        yield at(0, sleep(10));
      } catch (e) {
        seen.push(["catch", (e as Error).name, cm.expired()]);
        throw e;
      } finally {
        seen.push(["finally", cm.expired()]);
      }
    });
    const main = define("main", 1, function* () {
      try {
        yield at(0, call(timeout, 1, body));
      } catch (e) {
        seen.push([(e as Error).name, now()]);
      }
    });
    await run(main, { virtualTime: true });
    expect(seen).toEqual([["before", false], ["catch", "CancelledError", true], ["finally", true], ["TimeoutError", 1]]);
  });
});

describe("asCompleted steps awaited by two tasks at once", () => {
  test("wake in the order the tasks began to wait: the first waiter gets the first result", async () => {
    const reader = define("reader", 30, function* (label: string, step: unknown, got: string[]) {
      got.push(`${label} ${String(yield at(0, step))} at ${now()}`);
    });
    const main = define("main", 1, function* () {
      const got: string[] = [];
      const steps = [...asCompleted([job(2, "second"), job(1, "first")])];
      // A waits first, on the step object handed out last: results follow the waiters, in order.
      const a = reader("A", steps[1], got);
      const b = reader("B", steps[0], got);
      yield at(0, gather(a, b));
      return got;
    });
    expect(await run(main, { virtualTime: true })).toEqual(["A first at 1", "B second at 2"]);
  });
});

describe("removeDoneCallback", () => {
  for (const [order, adds] of [
    ["other, cb, cb", ["other", "cb", "cb"]],
    ["cb, other, cb", ["cb", "other", "cb"]],
    ["cb, cb", ["cb", "cb"]],
  ] as const) {
    test(`removes every registration of the callback and returns how many (${order})`, async () => {
      const main = define("main", 1, function* () {
        const calls: string[] = [];
        const f = getRunningLoop().createFuture<number>();
        const callbacks = { cb: () => calls.push("cb"), other: () => calls.push("other") };
        for (const name of adds) f.addDoneCallback(callbacks[name]);
        const removed = [f.removeDoneCallback(callbacks.cb), f.removeDoneCallback(callbacks.cb)];
        f.setResult(1);
        yield at(0, sleep(0));
        return [removed, calls];
      });
      const expected = adds.filter((name) => name === "other");
      expect(await run(main, { virtualTime: true })).toEqual([[2, 0], expected]);
    });
  }
});

// `call(sleep, 0)` is what a compiled `await sleep(0)` runs (sleep's inline body).
describe("sleep(0) yields exactly one loop iteration", () => {
  test("a callback queued before it runs first; one that callback queues runs after the resumption", async () => {
    const main = define("main", 1, function* () {
      const loop = getRunningLoop();
      const order: string[] = [];
      loop.callSoon(() => {
        order.push("first callback");
        loop.callSoon(() => order.push("second callback"));
      });
      yield at(0, call(sleep, 0));
      order.push("resumed");
      yield at(1, call(sleep, 0));
      yield at(2, call(sleep, 0));
      return order;
    });
    expect(await run(main, { virtualTime: true })).toEqual(["first callback", "resumed", "second callback"]);
  });

  test("two tasks looping on sleep(0) alternate step by step", async () => {
    const order: string[] = [];
    const spinner = define("spinner", 20, function* (name: string) {
      for (let i = 0; i < 3; i++) {
        order.push(`${name}${i}`);
        yield at(0, call(sleep, 0));
      }
    });
    const main = define("main", 1, function* () {
      yield at(0, gather(spinner("a"), spinner("b")));
      return [order, now()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([["a0", "b0", "a1", "b1", "a2", "b2"], 0]);
  });
});

describe("Task.signal", () => {
  test("read after cancel(), it is already aborted, with the cancel message in its CancelledError reason", async () => {
    const main = define("main", 1, function* () {
      const t = createTask(lazyJob("x"));
      t.cancel("stop now");
      const signal = t.signal;
      const reason = signal.reason as CancelledError;
      try {
        yield at(0, t);
      } catch {
        /* cancelled, as asked */
      }
      return [signal.aborted, reason instanceof CancelledError, reason.message, t.signal === signal];
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, true, "stop now", true]);
  });

  test("aborts once, at the first cancel(), and stays aborted after uncancel()", async () => {
    const main = define("main", 1, function* () {
      const t = createTask(lazyJob("x"));
      const events: string[] = [];
      t.signal.addEventListener("abort", () => events.push(`abort while cancelling=${t.cancelling()}`));
      events.push(`aborted=${t.signal.aborted}`);
      t.cancel("one");
      t.cancel("two");
      t.uncancel();
      t.uncancel();
      events.push(`aborted=${t.signal.aborted} reason=${(t.signal.reason as Error).message}`);
      return [events, yield at(0, t)];
    });
    expect(await run(main, { virtualTime: true })).toEqual([["aborted=false", "abort while cancelling=1", "aborted=true reason=one"], "x"]);
  });
});

describe("gather and cancellation with returnExceptions (bpo-32684)", () => {
  test("a child cancelled on its own takes its place as a CancelledError; the gather is not cancelled", async () => {
    const main = define("main", 1, function* () {
      const a = job(1, "a");
      const b = job(2, "b") as Task<unknown>;
      const g = gather(a, b, { returnExceptions: true });
      b.cancel("only b");
      const [ra, rb] = (yield at(0, g)) as [unknown, Error];
      return [ra, rb.name, rb.message, g.cancelled()];
    });
    expect(await run(main, { virtualTime: true })).toEqual(["a", "CancelledError", "only b", false]);
  });

  test("cancelling the task that awaits a returnExceptions gather raises CancelledError in it and cancels the children", async () => {
    const main = define("main", 1, function* () {
      const a = job(5, "a") as Task<unknown>;
      const waiter = define("waiter", 30, function* () {
        return yield at(0, gather(a, { returnExceptions: true }));
      })();
      yield at(0, sleep(1));
      waiter.cancel();
      try {
        yield at(1, waiter);
        return "no error";
      } catch (e) {
        return [(e as Error).name, a.cancelled(), waiter.cancelled()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["CancelledError", true, true]);
  });
});

describe("exceptions nobody retrieved", () => {
  test("a plain Future's is reported as a Future's when it is collected", async () => {
    if (gc === undefined) return console.warn(SKIP_WITHOUT_GC);
    const loop = newEventLoop();
    const reports: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, c) => reports.push(c));
    (() => {
      loop.createFuture().setException(new RangeError("lost"));
    })();
    await collectGarbage(10, () => reports.length > 0);
    expect(reports.map((r) => r.message)).toEqual(["Future exception was never retrieved"]);
    expect((reports[0]!.exception as Error).message).toBe("lost");
    expect(String(reports[0]!.future)).toBe("<Future finished exception=RangeError('lost')>");
    loop.close();
  });

  test("at exit, a plain Future's and a gather's are reported as Futures', a Task's as a Task's", () => {
    const script = `
      const { Future, createTask, gather, getEventLoop, abi } = require(${JSON.stringify(join(__dirname, "../../dist/cjs/runtime/index.js"))});
      const loop = getEventLoop();
      loop.setExceptionHandler((_l, c) => console.log(c.message + ": " + c.exception.message));
      new Future().setException(new Error("future"));
      // Lazy, through createTask: an eager call's failure would also be a host unhandled rejection.
      const failing = abi.asyncFunction(abi.coroutineBody(function* failing() { throw new Error("task"); }, { name: "failing", file: "x.js", line: 1, column: 1, sites: [] }), "lazy");
      const t = createTask(failing());
      gather(createTask(abi.asyncFunction(abi.coroutineBody(function* g() { throw new Error("gather"); }, { name: "g", file: "x.js", line: 1, column: 1, sites: [] }), "lazy")()));
    `;
    const out = execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }).split("\n").filter(Boolean).sort();
    expect(out).toEqual(["Future exception was never retrieved: future", "Future exception was never retrieved: gather", "Task exception was never retrieved: task"]);
  });
});

describe("gather once it is done (mutation testing found these unchecked)", () => {
  test("after failing with a child's exception, cancel() returns false and leaves the other children running", async () => {
    const main = define("main", 1, function* () {
      const failing = job(1, new RangeError("first"));
      const slow = job(3, "slow") as Task<unknown>;
      const g = gather(failing, slow);
      try {
        yield at(0, g);
      } catch (e) {
        const cancelled = g.cancel();
        yield at(1, slow);
        return [(e as Error).message, cancelled, slow.cancelled(), slow.result(), now()];
      }
      return "no error";
    });
    expect(await run(main, { virtualTime: true })).toEqual(["first", false, false, "slow", 3]);
  });

  test("keeps the first child's exception when a later child fails too", async () => {
    const main = define("main", 1, function* () {
      const first = new RangeError("first");
      const g = gather(job(1, first), job(2, new TypeError("second")));
      try {
        yield at(0, g);
      } catch {
        /* the first failure */
      }
      yield at(1, sleep(5));
      return [g.exception() === first, g.done()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, true]);
  });

  test("children finishing one by one raise nothing in the loop, and the results wait for the last", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const errors: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, c) => errors.push(c));
    const main = define("main", 1, function* () {
      const g = gather(job(1, "a"), job(2, new Error("b")), job(3, "c"), { returnExceptions: true });
      const results = (yield at(0, g)) as unknown[];
      return [results[0], (results[1] as Error).message, results[2], now()];
    }, { mode: "lazy" });
    expect(await loop.runUntilComplete(main())).toEqual(["a", "b", "c", 3]);
    expect(errors).toEqual([]);
    loop.close();
  });
});

describe("gather's arguments (mutation testing found these unchecked)", () => {
  const runGather = (make: () => unknown) =>
    run(
      define("main", 1, function* () {
        try {
          return ["ok", yield at(0, make())];
        } catch (e) {
          return [(e as Error).name, (e as Error).message];
        }
      }),
      { virtualTime: true },
    );

  test("an options object without a prototype is still the options object", async () => {
    const options = Object.assign(Object.create(null) as object, { returnExceptions: true });
    const [status, results] = (await runGather(() => gather(job(1, new RangeError("r")), options))) as [string, Error[]];
    expect([status, results[0]!.message]).toEqual(["ok", "r"]);
  });

  test("a plain object with a then method is an awaitable, not options", async () => {
    const thenable: PromiseLike<number> = { then: ((resolve: (v: number) => void) => resolve(5)) as PromiseLike<number>["then"] };
    expect(await runGather(() => gather(job(1, "a"), thenable))).toEqual(["ok", ["a", 5]]);
  });

  test("an empty options object, and returnExceptions: false, keep the defaults", async () => {
    expect(await runGather(() => gather(job(1, "a"), {}))).toEqual(["ok", ["a"]]);
    expect(await runGather(() => gather(job(1, new RangeError("r")), { returnExceptions: false }))).toEqual(["RangeError", "r"]);
  });

  test("a last argument with unknown keys is refused, naming them", () => {
    expect(() => gather(job(1, "a"), { returnExceptions: true, extra: 1 } as never)).toThrow(
      new TypeError("gather's last argument looks like an options object but has the unknown key extra; the only option is returnExceptions"),
    );
    expect(() => gather(job(1, "a"), { one: 1, two: 2 } as never)).toThrow(
      new TypeError("gather's last argument looks like an options object but has the unknown keys one, two; the only option is returnExceptions"),
    );
  });

  test("a plain object or undefined that is not last is reported as not awaitable, by position", () => {
    expect(() => gather({ x: 1 } as never, job(1, "a"))).toThrow(/^gather argument 1 must be awaitable \(a Task, a Future, a coroutine or a thenable\), got an? Object$/);
    expect(() => gather(job(1, "a"), undefined as never)).toThrow(/^gather argument 2 must be awaitable .*got undefined$/);
  });

  test("a Future of another loop is refused, naming both positions", () => {
    const a = newEventLoop();
    const b = newEventLoop();
    expect(() => gather(a.createFuture(), b.createFuture())).toThrow(
      new RangeError("gather argument 2 belongs to a different event loop than argument 1; all must share one loop"),
    );
    a.close();
    b.close();
  });

  test("a coroutine's Task goes on the loop of the Futures beside it", () => {
    const other = newEventLoop({ virtualTime: true });
    const f = other.createFuture<string>();
    gather(f, lazyJob("x"));
    expect([...allTasks(other)].map((t) => t.getLoop() === other)).toEqual([true]);
    other.close();
  });

  test("the same lazy coroutine given twice runs once and its result appears twice", async () => {
    let runs = 0;
    const once = define("once", 60, function* () {
      runs++;
      yield at(0, sleep(1));
      return "v";
    }, { mode: "lazy" });
    const coro = once();
    expect(await runGather(() => gather(coro, coro))).toEqual(["ok", ["v", "v"]]);
    expect(runs).toBe(1);
  });

  test("a child failing after the gather failed is not reported as never retrieved", async () => {
    if (gc === undefined) return console.warn(SKIP_WITHOUT_GC);
    const loop = newEventLoop({ virtualTime: true });
    const reports: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, c) => reports.push(c));
    const main = define("main", 1, function* () {
      const g = gather(job(1, new RangeError("first")), job(2, new TypeError("later")));
      try {
        yield at(0, g);
      } catch {
        /* the first failure */
      }
      yield at(1, sleep(5));
    }, { mode: "lazy" });
    await loop.runUntilComplete(main());
    await collectGarbage(5);
    expect(reports.map((r) => r.message)).toEqual([]);
    loop.close();
  });
});

describe("sleep and shield at the edges (mutation testing found these unchecked)", () => {
  test("a sleep cancelled in the iteration its timer fires ends cancelled, with nothing reported", async () => {
    const reports: ExceptionContext[] = [];
    let sleeper!: Task<unknown>;
    const main = define("main", 1, function* () {
      getRunningLoop().setExceptionHandler((_l, c) => reports.push(c));
      // Set before the sleep's timer, for the same time: it runs first in that iteration, and the
      // sleep's timer still fires after it (the cancelled future stops its timer one callback later).
      getRunningLoop().callLater(1, () => sleeper.cancel());
      sleeper = createTask(sleep(1, "woke"));
      try {
        yield at(0, sleeper);
      } catch (e) {
        return [(e as Error).name, now()];
      }
    });
    expect(await run(main, { virtualTime: true })).toEqual(["CancelledError", 1]);
    expect(reports).toEqual([]);
  });

  test("shield() called outside a running loop makes its Future on the loop of what it shields", () => {
    const loop = newEventLoop();
    const inner = loop.createFuture<number>();
    const shielded = shield(inner);
    expect(shielded.getLoop()).toBe(loop);
    // No task awaits it: nothing is recorded as awaiting the inner.
    expect(captureCallGraph(inner).awaitedBy).toEqual([]);
    inner.setResult(1);
    loop.close();
  });
});

describe("shield and the call graph (mutation testing found these unchecked)", () => {
  const awaiters = (task: Task<unknown>) => captureCallGraph(task).awaitedBy.map((g) => (g.future as Task<unknown>).getName());

  test("the task awaiting a shield is listed as awaiting what it shields, until that is done", async () => {
    let inner!: Task<unknown>;
    const seen: unknown[] = [];
    const main = define("main", 1, function* () {
      inner = createTask(job(2, "v"), { name: "inner" });
      const waiting = createTask(define("waiter", 20, function* () {
        return yield at(0, shield(inner));
      })(), { name: "waiter" });
      yield at(1, sleep(1));
      seen.push(awaiters(inner));
      return [yield at(2, waiting), awaiters(inner)];
    });
    const [value, after] = (await run(main, { virtualTime: true })) as [string, string[]];
    expect(seen).toEqual([["waiter"]]);
    expect(value).toBe("v");
    expect(after).toEqual([]);
  });

  test("once the awaiting task is cancelled it is no longer listed, and what it shielded keeps running", async () => {
    const main = define("main", 1, function* () {
      const inner = createTask(job(3, "v"), { name: "inner" });
      const waiting = createTask(define("waiter", 20, function* () {
        return yield at(0, shield(inner));
      })(), { name: "waiter" });
      yield at(1, sleep(1));
      const before = awaiters(inner);
      waiting.cancel();
      yield at(2, sleep(1));
      return [before, waiting.cancelled(), awaiters(inner), inner.done(), yield at(3, inner)];
    });
    expect(await run(main, { virtualTime: true })).toEqual([["waiter"], true, [], false, "v"]);
  });

  test("a shielded task that fails after the shield was cancelled is reported once, as never retrieved", async () => {
    if (gc === undefined) return console.warn(SKIP_WITHOUT_GC);
    const reports: string[] = [];
    const main = define("main", 1, function* () {
      getRunningLoop().setExceptionHandler((_l, c) => reports.push(`${c.message}: ${(c.exception as Error).message}`));
      // Lazy: an eager call's failure would also be a host unhandled rejection.
      const lateFailure = define("lateFailure", 41, function* () {
        yield at(0, sleep(2));
        throw new RangeError("late");
      }, { mode: "lazy" });
      let inner: Task<unknown> | null = createTask(lateFailure(), { name: "inner" });
      const waiting = createTask(define("waiter", 20, function* (t: Task<unknown>) {
        return yield at(0, shield(t));
      })(inner), { name: "waiter" });
      inner = null;
      yield at(1, sleep(1));
      waiting.cancel();
      yield at(2, sleep(2));
      return waiting.cancelled();
    });
    expect(await run(main, { virtualTime: true })).toBe(true);
    await collectGarbage(10, () => reports.length > 0);
    expect(reports).toEqual(["Task exception was never retrieved: late"]);
  });
});

describe("shield lets go (mutation testing found these unchecked)", () => {
  const waiterOf = (refs: { outer?: WeakRef<object> }) => define("waiter", 20, function* (inner: Future<unknown>) {
    const outer = shield(inner);
    refs.outer = new WeakRef(outer);
    return yield at(0, outer);
  });

  test("a cancelled task that awaited a shield is not kept alive by what it shielded, nor is the shield's Future", async () => {
    if (gc === undefined) return console.warn(SKIP_WITHOUT_GC);
    const refs: { outer?: WeakRef<object>; waiter?: WeakRef<object> } = {};
    const main = define("main", 1, function* () {
      const inner = getRunningLoop().createFuture<number>();
      let waiting: Task<unknown> | null = createTask(waiterOf(refs)(inner));
      refs.waiter = new WeakRef(waiting);
      yield at(1, sleep(1));
      waiting.cancel();
      yield at(2, sleep(1));
      const cancelled = waiting.cancelled();
      waiting = null;
      return [cancelled, inner];
    });
    const [cancelled, inner] = (await run(main, { virtualTime: true })) as [boolean, Future<number>];
    expect(cancelled).toBe(true);
    await collectGarbage(3);
    expect(inner.done()).toBe(false);
    expect([refs.waiter!.deref(), refs.outer!.deref()]).toEqual([undefined, undefined]);
  });

  test("a shielded Future that is done keeps no reference to the task that awaited it", async () => {
    if (gc === undefined) return console.warn(SKIP_WITHOUT_GC);
    const refs: { outer?: WeakRef<object>; waiter?: WeakRef<object> } = {};
    const main = define("main", 1, function* () {
      const inner = getRunningLoop().createFuture<number>();
      let waiting: Task<unknown> | null = createTask(waiterOf(refs)(inner));
      refs.waiter = new WeakRef(waiting);
      yield at(1, sleep(1));
      inner.setResult(7);
      const value = yield at(2, waiting);
      waiting = null;
      return [value, inner];
    });
    const [value, inner] = (await run(main, { virtualTime: true })) as [number, Future<number>];
    expect(value).toBe(7);
    await collectGarbage(3);
    expect(refs.waiter!.deref()).toBeUndefined();
    expect(inner.result()).toBe(7);
  });

  test("the shielded Future finishing in the iteration the shield is cancelled reports nothing", async () => {
    const reports: string[] = [];
    const main = define("main", 1, function* () {
      getRunningLoop().setExceptionHandler((_l, c) => reports.push(c.message));
      const inner = getRunningLoop().createFuture<number>();
      const waiting = createTask(waiterOf({})(inner));
      yield at(1, sleep(1));
      // Both callbacks are scheduled before either runs: the inner's first.
      inner.setResult(1);
      waiting.cancel();
      yield at(2, sleep(1));
      return [waiting.cancelled(), inner.result()];
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, 1]);
    expect(reports).toEqual([]);
  });
});

/** Starts the frame of a coroutine that sleeps 1 and returns 1, with a WeakRef to it in `refs.callee`. */
function watchedCallee(line: number, refs: { callee?: WeakRef<object> }): () => Generator<unknown, number, unknown> {
  const callee = define("callee", line, function* () {
    yield at(0, sleep(1));
    return 1;
  }, { mode: "lazy" });
  return () => {
    const frame = callee.body();
    refs.callee = new WeakRef(frame);
    return frame as Generator<unknown, number, unknown>;
  };
}

describe("the chain registers of a task that ran callees by delegation", () => {
  test("a finished task keeps none of the frames it ran by delegation", async () => {
    if (gc === undefined) return console.warn(SKIP_WITHOUT_GC);
    const refs: { callee?: WeakRef<object> } = {};
    const started = watchedCallee(500, refs);
    const caller = define("caller", 510, function* () {
      return yield* delegating(started(), abi.siteRegister.depth, 0);
    }, { mode: "lazy" });
    const [task] = await run(define("main", 1, function* () {
      const finished = createTask(caller());
      expect(yield at(0, finished)).toBe(1);
      yield at(1, sleep(1)); // another step loads its own chain
      return [finished]; // in an array: a returned Task would be awaited
    }), { virtualTime: true });
    await collectGarbage(3);
    expect(task.done()).toBe(true); // the task is still held
    expect(refs.callee!.deref()).toBeUndefined();
  });

  test("a cancelled future's error raised in a delegated callee in the task's first step lists both frames", async () => {
    const reader = define("reader", 520, function* () {
      const fut = getRunningLoop().createFuture();
      fut.cancel("read");
      fut.result();
    }, { mode: "lazy" });
    const caller = define("caller", 530, function* () {
      yield* delegating(reader.body(), abi.siteRegister.depth, 0);
    }, { mode: "lazy" });
    const error = await run(define("main", 1, function* () {
      try {
        yield at(0, createTask(caller())); // the task's own frame: no level below it
      } catch (e) {
        return e as CancelledError;
      }
      return null;
    }), { virtualTime: true });
    expect(error).toBeInstanceOf(CancelledError);
    expect(error!.stack).toBe("CancelledError: read\n    at async reader (test.ts:520:1)\n    at async caller (test.ts:531:3)\n    at async main (test.ts:2:3)");
  });

  test("in debug mode a finally that returns drops the CancelledError: reported at the function, no catch clause named", async () => {
    const reports: ExceptionContext[] = [];
    const drops = define("drops", 540, function* () {
      try {
        yield at(0, sleep(10));
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        return "dropped";
      }
    });
    const result = await run(define("main", 1, function* () {
      getRunningLoop().setExceptionHandler((_l, c) => reports.push(c));
      const task = drops();
      yield at(0, sleep(1));
      task.cancel();
      return yield at(1, task);
    }), { debug: true, virtualTime: true });
    expect(result).toBe("dropped");
    expect(reports.map((r) => r.catchSite)).toEqual(["test.ts:540:1"]);
  });
});

test("allTasks() after a task in the middle of the list ends holds every pending task, and those made later", async () => {
  await run(define("main", 1, function* () {
    const main = currentTask()!;
    const quick = createTask(job(0, "quick"));
    const slowA = createTask(job(5, "a"));
    const slowB = createTask(job(5, "b"));
    yield at(0, quick); // quick leaves the list from between main and slowA
    const later = createTask(job(5, "later"));
    expect(new Set(allTasks())).toEqual(new Set([main, slowA, slowB, later]));
    yield at(1, gather(slowA, slowB, later));
    expect(new Set(allTasks())).toEqual(new Set([main]));
  }), { virtualTime: true });
});

describe("a failed task's traceback across trampoline levels and delegation", () => {
  const frames = (task: Task<unknown>): string[] => task.getStack().map((f) => `${f.functionName}:${f.lineNumber}`);

  test("after a level was pushed and popped, a callee run by delegation that fails is in the traceback", async () => {
    const helper = define("helper", 700, function* () {
      yield at(0, sleep(0));
      return 1;
    }, { mode: "lazy" });
    const leaf = define("leaf", 710, function* () {
      yield at(0, sleep(0));
      throw new Error("leaf failed");
    }, { mode: "lazy" });
    const root = define("root", 720, function* () {
      yield at(0, inline(helper)); // a level of its own, gone when helper returns
      yield* delegating(leaf.body(), abi.siteRegister.depth, 1);
    }, { mode: "lazy" });
    const task = createTask(root());
    await task.catch(() => undefined);
    expect(frames(task)).toEqual(["root:722", "leaf:711"]);
  });

  test("in a level that starts inside a delegation chain, the frames the error left are that level's", async () => {
    const inner = define("inner", 730, function* () {
      yield at(0, sleep(0));
      throw new Error("inner failed");
    }, { mode: "lazy" });
    const mid = define("mid", 740, function* () {
      yield* delegating(inner.body(), abi.siteRegister.depth, 0);
    }, { mode: "lazy" });
    const low = define("low", 750, function* () {
      yield at(0, inline(mid)); // a level whose chain starts at depth 1
    }, { mode: "lazy" });
    const top = define("top", 760, function* () {
      yield* delegating(low.body(), abi.siteRegister.depth, 0);
    }, { mode: "lazy" });
    const task = createTask(top());
    await task.catch(() => undefined);
    expect(frames(task)).toEqual(["top:761", "low:751", "mid:741", "inner:731"]);
  });

  test("a level that ends lets go of the frames its callees ran by delegation, while the task goes on", async () => {
    if (gc === undefined) return console.warn(SKIP_WITHOUT_GC);
    const refs: { callee?: WeakRef<object> } = {};
    const started = watchedCallee(770, refs);
    const level = define("level", 780, function* () {
      return yield* delegating(started(), abi.siteRegister.depth, 0);
    }, { mode: "lazy" });
    const root = define("root", 790, function* () {
      yield at(0, inline(level));
      yield at(1, new Promise(() => undefined)); // still running, its chain kept
    }, { mode: "lazy" });
    await run(define("main", 1, function* () {
      const task = createTask(root());
      yield at(0, sleep(2));
      yield at(1, collectGarbage(3));
      expect(task.done()).toBe(false);
      expect(refs.callee!.deref()).toBeUndefined();
      task.cancel();
    }), { virtualTime: true });
  });
});

test("caught() leaves alone the stack of an error that left no frame (raised in the try block of the frame that catches it)", async () => {
  const callee = define("callee", 10, function* () {
    yield at(0, sleep(0));
  }, { mode: "lazy" });
  const [before, after] = (await run(define("main", 1, function* () {
    const k = abi.siteRegister.depth;
    yield* delegating(callee.body(), k, 0); // the task has a chain now
    try {
      throw new Error("raised here");
    } catch (e) {
      const stack = (e as Error).stack;
      abi.caught(e, 0, k);
      return [stack, (e as Error).stack];
    }
  }), { virtualTime: true })) as [string, string];
  expect(before).toMatch(/\n {4}at /);
  expect(after).toBe(before);
});

test("an error caught two delegations up gets an 'at async' line at the await of each frame it left", async () => {
  const leaf = define("leaf", 10, function* () {
    yield at(2, sleep(0));
    throw new Error("leaf failed");
  }, { mode: "lazy" });
  const middle = define("middle", 20, function* () {
    yield* delegating(leaf.body(), abi.siteRegister.depth, 1);
  }, { mode: "lazy" });
  const stack = (await run(define("top", 30, function* () {
    const k = abi.siteRegister.depth;
    try {
      yield* delegating(middle.body(), k, 0);
    } catch (e) {
      abi.caught(e, 0, k);
      return (e as Error).stack;
    }
    return null;
  }), { virtualTime: true })) as string;
  expect(stack.split("\n").filter((line) => line.includes("at async"))).toEqual(["    at async middle (test.ts:22:3)", "    at async top (test.ts:31:3)"]);
});

test("a cancelled future's error raised two delegations down and caught gets a cancel line for each frame, the catching callee's last", async () => {
  const leaf = define("leaf", 10, function* () {
    const fut = getRunningLoop().createFuture();
    fut.cancel("gone");
    yield at(2, sleep(0));
    fut.result();
  }, { mode: "lazy" });
  const middle = define("middle", 20, function* () {
    const k = abi.siteRegister.depth;
    try {
      yield* delegating(leaf.body(), k, 1);
    } catch (e) {
      abi.caught(e, 0, k);
      return (e as Error).stack;
    }
    return null;
  }, { mode: "lazy" });
  const stack = await run(define("top", 30, function* () {
    return yield* delegating(middle.body(), abi.siteRegister.depth, 0);
  }), { virtualTime: true });
  expect(stack).toBe("CancelledError: gone\n    at async leaf (test.ts:13:3)\n    at async middle (test.ts:22:3)");
});
