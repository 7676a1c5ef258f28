/**
 * timeout() and timeoutAt(): CPython's test_timeouts.py, ported in spirit, on hand-written
 * coroutines in virtual time. `yield at(i, call(timeout, null, 1, body))` is the compiled
 * `await timeout(1, body)`.
 */
import {
  CancelledError,
  RuntimeError,
  Task,
  TaskGroup,
  Timeout,
  TimeoutError,
  abi,
  createTask,
  currentTask,
  getRunningLoop,
  run,
  sleep,
  timeout,
  timeoutAt,
} from "../../runtime/index.js";
import { inspect } from "node:util";
import { at, define, inline, now } from "../support/coroutines.js";

/** The compiled form of `await self.fn(...args)`: the inline body when `fn` has one. */
function call(fn: unknown, self: unknown, ...args: unknown[]): unknown {
  const f = fn as { [abi.BODY]?: (...a: unknown[]) => unknown } & ((...a: unknown[]) => unknown);
  return (f[abi.BODY] ?? f).call(self, ...args);
}

async function runMain<T>(body: () => Generator<unknown, T, unknown>): Promise<T> {
  return run(define("main", 1, body), { virtualTime: true });
}

/** A compiled `async (cm) => { await sleep(delay); return value; }`. */
function sleepBody(delay: number, value?: unknown, seen?: { cm?: Timeout }) {
  return define("body", 50, function* (cm: Timeout) {
    if (seen !== undefined) seen.cm = cm;
    yield at(0, sleep(delay));
    return value;
  });
}

function outcome(e: unknown): string {
  return e instanceof Error ? `${e.name}${e.message === "" ? "" : ": " + e.message}` : String(e);
}

describe("timeout", () => {
  test("resolves to the body's result when the body ends in time", async () => {
    const seen: { cm?: Timeout } = {};
    const result = await runMain(function* () {
      const value = yield at(0, call(timeout, null, 10, sleepBody(0.01, "done", seen)));
      return [value, now(), seen.cm!.expired(), seen.cm!.when()];
    });
    expect(result).toEqual(["done", 0.01, false, 10]);
  });

  test("raises TimeoutError when the deadline passes, and the manager says it expired", async () => {
    const seen: { cm?: Timeout } = {};
    const result = await runMain(function* () {
      try {
        yield at(0, call(timeout, null, 0.01, sleepBody(10, "late", seen)));
      } catch (e) {
        return [outcome(e), now(), seen.cm!.expired()];
      }
      return null;
    });
    expect(result).toEqual(["TimeoutError", 0.01, true]);
  });

  test("the TimeoutError's cause is the CancelledError that cancelled the body", async () => {
    const error = await runMain(function* () {
      try {
        yield at(0, call(timeout, null, 0, sleepBody(1)));
      } catch (e) {
        return e;
      }
      return null;
    });
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).cause).toBeInstanceOf(CancelledError);
  });

  test("the body sees the CancelledError at its await, and its finally runs", async () => {
    const log: string[] = [];
    const body = define("body", 50, function* () {
      try {
        yield at(0, sleep(10));
      } catch (e) {
        log.push(`body caught ${(e as Error).name}`);
        throw e;
      } finally {
        log.push("body finally");
      }
    });
    const result = await runMain(function* () {
      try {
        yield at(0, call(timeout, null, 0.01, body));
      } catch (e) {
        return outcome(e);
      }
      return null;
    });
    expect(result).toBe("TimeoutError");
    expect(log).toEqual(["body caught CancelledError", "body finally"]);
  });

  test("a null delay means no deadline", async () => {
    const seen: { cm?: Timeout } = {};
    const result = await runMain(function* () {
      const value = yield at(0, call(timeout, null, null, sleepBody(1000, "slow", seen)));
      return [value, now(), seen.cm!.when(), seen.cm!.expired()];
    });
    expect(result).toEqual(["slow", 1000, null, false]);
  });

  test("a zero delay expires at the body's first await, even sleep(0)", async () => {
    for (const delay of [0, -11]) {
      const result = await runMain(function* () {
        const seen: { cm?: Timeout } = {};
        try {
          yield at(0, call(timeout, null, delay, sleepBody(0, "x", seen)));
        } catch (e) {
          return [outcome(e), seen.cm!.expired(), seen.cm!.when()];
        }
        return null;
      });
      expect(result).toEqual(["TimeoutError", true, delay]);
    }
  });

  test("a foreign exception passes through and the manager did not expire", async () => {
    const seen: { cm?: Timeout } = {};
    const result = await runMain(function* () {
      try {
        yield at(0, call(timeout, null, 0.01, define("body", 50, function* (cm: Timeout) {
          seen.cm = cm;
          throw new RangeError("key");
        })));
      } catch (e) {
        return [outcome(e), seen.cm!.expired()];
      }
      return null;
    });
    expect(result).toEqual(["RangeError: key", false]);
  });

  test("an exception raised while the body is being cancelled by the deadline passes through", async () => {
    const crash = define("crash", 40, function* () {
      try {
        yield at(0, sleep(1));
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new RangeError("division by zero");
      }
    });
    const result = await runMain(function* () {
      try {
        yield at(0, call(timeout, null, 0.01, define("body", 50, function* () {
          yield at(0, inline(crash));
        })));
      } catch (e) {
        return outcome(e);
      }
      return null;
    });
    expect(result).toBe("RangeError: division by zero");
  });

  test("a cancellation from outside passes through as CancelledError when the deadline did not pass", async () => {
    const seen: { cm?: Timeout } = {};
    const result = await runMain(function* () {
      try {
        yield at(0, call(timeout, null, 10, define("body", 50, function* (cm: Timeout) {
          seen.cm = cm;
          currentTask()!.cancel();
          yield at(0, sleep(10));
        })));
      } catch (e) {
        return [outcome(e), seen.cm!.expired(), currentTask()!.uncancel()];
      }
      return null;
    });
    expect(result).toEqual(["CancelledError", false, 0]);
  });

  test("a cancellation from outside at the same time as the deadline stays a CancelledError", async () => {
    const result = await runMain(function* () {
      const inner = define("inner", 30, function* () {
        try {
          yield at(0, call(timeout, null, 1, sleepBody(10)));
        } catch (e) {
          return outcome(e);
        }
        return null;
      });
      const t = inner() as Task<unknown>;
      // Cancel from outside in the iteration where the deadline fires, after it fired.
      getRunningLoop().callAt(1, () => t.cancel("outside"));
      try {
        yield at(0, t);
      } catch (e) {
        return ["task", outcome(e)];
      }
      return ["returned", t.result()];
    });
    expect(result).toEqual(["returned", "CancelledError: outside"]);
  });

  test("the task that ran the timeout is not left cancelled", async () => {
    const result = await runMain(function* () {
      const outer = define("outer", 30, function* () {
        try {
          yield at(0, call(timeout, null, 0.001, sleepBody(10)));
        } catch (e) {
          return [outcome(e), currentTask()!.cancelling()];
        }
        return null;
      });
      const t = createTask(outer());
      const value = yield at(0, t);
      return [value, t.cancelled(), t.done()];
    });
    expect(result).toEqual([["TimeoutError", 0], false, true]);
  });

  test("nested timeouts with one deadline: only the outer one raises TimeoutError; the inner sees CancelledError", async () => {
    const seen: Timeout[] = [];
    let innerSaw = "";
    const result = await runMain(function* () {
      const deadline = now() + 0.01;
      try {
        yield at(0, call(timeoutAt, null, deadline, define("outerBody", 50, function* (cm1: Timeout) {
          seen.push(cm1);
          try {
            yield at(0, call(timeoutAt, null, deadline, define("innerBody", 60, function* (cm2: Timeout) {
              seen.push(cm2);
              yield at(0, sleep(10));
            })));
          } catch (e) {
            innerSaw = outcome(e);
            throw e;
          }
        })));
      } catch (e) {
        return outcome(e);
      }
      return null;
    });
    expect(result).toBe("TimeoutError");
    expect(innerSaw).toBe("CancelledError");
    expect(seen.map((cm) => cm.expired())).toEqual([true, true]);
  });

  test("nested timeouts: the inner deadline raises inside, and the outer one later interrupts the rest", async () => {
    const result = await runMain(function* () {
      const log: string[] = [];
      try {
        yield at(0, call(timeout, null, 0.1, define("outerBody", 50, function* () {
          try {
            yield at(0, call(timeout, null, 0.01, sleepBody(1)));
          } catch (e) {
            log.push(`inner ${outcome(e)} at ${now()}`);
          }
          yield at(1, sleep(10));
        })));
      } catch (e) {
        log.push(`outer ${outcome(e)} at ${now()}`);
      }
      return log;
    });
    expect(result).toEqual(["inner TimeoutError at 0.01", "outer TimeoutError at 0.1"]);
  });

  test("a timeout in a finally after a swallowed cancellation still times out", async () => {
    const result = await runMain(function* () {
      try {
        currentTask()!.cancel();
        yield at(0, sleep(1));
      } catch {
        // swallowed, as the Python test does
      } finally {
        try {
          yield at(1, call(timeout, null, 0, sleepBody(1)));
        } catch (e) {
          // eslint-disable-next-line no-unsafe-finally
          return outcome(e);
        }
      }
      return null;
    });
    expect(result).toBe("TimeoutError");
  });

  test("a cancel inside a timeout after a swallowed cancellation is a CancelledError", async () => {
    const result = await runMain(function* () {
      try {
        currentTask()!.cancel();
        yield at(0, sleep(1));
      } catch {
        // swallowed
      } finally {
        try {
          yield at(1, call(timeout, null, 1, define("body", 50, function* () {
            currentTask()!.cancel();
            yield at(0, sleep(2));
          })));
        } catch (e) {
          currentTask()!.uncancel();
          currentTask()!.uncancel();
          // eslint-disable-next-line no-unsafe-finally
          return outcome(e);
        }
      }
      return null;
    });
    expect(result).toBe("CancelledError");
  });

  test("a timeout around a TaskGroup cancels the group and raises TimeoutError", async () => {
    const result = await runMain(function* () {
      let child!: Task<unknown>;
      try {
        yield at(0, call(timeout, null, 0.5, define("body", 50, function* () {
          const tg = new TaskGroup();
          yield at(0, call(tg.run, tg, define("groupBody", 60, function* (g: TaskGroup) {
            child = g.createTask(sleepBody(10)(null as never));
            yield at(0, sleep(0));
          })));
        })));
      } catch (e) {
        return [outcome(e), child.cancelled(), now()];
      }
      return null;
    });
    expect(result).toEqual(["TimeoutError", true, 0.5]);
  });
});

describe("Timeout", () => {
  test("reschedule moves the deadline while the block runs, and null removes it", async () => {
    const result = await runMain(function* () {
      const loop = getRunningLoop();
      const ready = loop.createFuture<Timeout>();
      const deadline1 = loop.time() + 10;
      const deadline2 = deadline1 + 20;
      const f = define("f", 30, function* () {
        yield at(0, call(timeoutAt, null, deadline1, define("body", 50, function* (cm: Timeout) {
          ready.setResult(cm);
          yield at(0, sleep(50));
        })));
      });
      const task = createTask(f());
      const cm = (yield at(0, ready)) as Timeout;
      const whens = [cm.when()];
      cm.reschedule(deadline2);
      whens.push(cm.when());
      cm.reschedule(null);
      whens.push(cm.when());
      task.cancel();
      try {
        yield at(1, task);
      } catch (e) {
        return [whens, outcome(e), cm.expired()];
      }
      return null;
    });
    expect(result).toEqual([[10, 30, null], "CancelledError", false]);
  });

  test("reschedule to an earlier deadline fires then; to a past one, in the next iteration", async () => {
    const result = await runMain(function* () {
      const times: number[] = [];
      for (const target of [2, -1]) {
        try {
          yield at(0, call(timeout, null, 100, define("body", 50, function* (cm: Timeout) {
            cm.reschedule(target);
            yield at(0, sleep(50));
          })));
        } catch (e) {
          times.push(now());
          expect(e).toBeInstanceOf(TimeoutError);
        }
      }
      return times;
    });
    expect(result).toEqual([2, 2]);
  });

  test("the string form shows the state and, while active, the deadline", async () => {
    const forms: string[] = [];
    const cms: Timeout[] = [];
    await runMain(function* () {
      yield at(0, call(timeout, null, 10, define("body", 50, function* (cm: Timeout) {
        forms.push(String(cm));
      })));
      yield at(1, call(timeout, null, null, define("body", 50, function* (cm: Timeout) {
        forms.push(String(cm));
        cms.push(cm);
      })));
      try {
        yield at(2, call(timeout, null, 0.01, define("body", 50, function* (cm: Timeout) {
          cms.push(cm);
          yield at(0, sleep(10));
        })));
      } catch {
        // expected
      }
    });
    forms.push(...cms.map(String));
    expect(forms).toEqual(["<Timeout [active] when=10>", "<Timeout [active] when=None>", "<Timeout [finished]>", "<Timeout [expired]>"]);
    expect(String(new Timeout(5))).toBe("<Timeout [created]>");
  });

  test("a Timeout runs once", async () => {
    const result = await runMain(function* () {
      const cm = new Timeout(null);
      yield at(0, call(cm.run, cm, define("body", 50, function* () {})));
      try {
        yield at(1, call(cm.run, cm, define("body", 50, function* () {})));
      } catch (e) {
        return outcome(e);
      }
      return null;
    });
    expect(result).toBe("RuntimeError: Timeout has already been entered");
  });

  test("entering a Timeout inside its own block is refused", async () => {
    const result = await runMain(function* () {
      let message = "";
      yield at(0, call(timeout, null, 1, define("body", 50, function* (cm: Timeout) {
        try {
          yield at(0, call(cm.run, cm, define("inner", 60, function* () {})));
        } catch (e) {
          message = outcome(e);
        }
      })));
      return message;
    });
    expect(result).toBe("RuntimeError: Timeout has already been entered");
  });

  test("reschedule before run and after the block ended is a RuntimeError", async () => {
    const cm = new Timeout(1);
    expect(() => cm.reschedule(2)).toThrow(new RuntimeError("Timeout has not been entered"));
    await runMain(function* () {
      yield at(0, call(cm.run, cm, define("body", 50, function* () {})));
    });
    expect(() => cm.reschedule(2)).toThrow(/Cannot change state of finished Timeout/);
  });

  test("run outside any task is a RuntimeError", () => {
    const cm = new Timeout(1);
    // The inline form stepped by hand, outside any task (asyncio's await_without_task).
    const frame = call(cm.run, cm, () => 1) as Generator;
    expect(() => frame.next()).toThrow(new RuntimeError("Timeout should be used inside a task"));
    expect(() => cm.reschedule(1)).toThrow(/has not been entered/);
  });

  test("bad arguments are TypeErrors at the call", () => {
    expect(() => timeout("1" as never, () => 1)).toThrow(new TypeError('timeout delay must be a loop time in seconds or null, got string "1"'));
    expect(() => timeout(1, null as never)).toThrow(new TypeError("timeout expects an async function as its body, got null"));
    expect(() => new Timeout(Number.NaN)).toThrow(new TypeError("Timeout when must be a loop time in seconds or null, got number NaN"));
    expect(() => new Timeout(null).run(42 as never)).toThrow(new TypeError("Timeout.run expects an async function as its body, got number 42"));
    expect(() => timeoutAt("1" as never, () => 1)).toThrow(new TypeError('timeoutAt when must be a loop time in seconds or null, got string "1"'));
    expect(() => timeoutAt(1, null as never)).toThrow(new TypeError("timeoutAt expects an async function as its body, got null"));
  });

  test("bad arguments of the forms a compiled await runs inline, and of reschedule, are the same TypeErrors", async () => {
    const errors = await runMain(function* () {
      const seen: string[] = [];
      const attempts: Array<() => unknown> = [
        () => call(timeout, null, "1", () => 1),
        () => call(timeoutAt, null, Number.NaN, () => 1),
        () => call(timeoutAt, null, 1, 42),
        () =>
          call(timeout, null, 5, define("body", 50, function* (cm: Timeout) {
            cm.reschedule("later" as never);
          })),
      ];
      for (const attempt of attempts) {
        try {
          yield at(0, attempt());
          seen.push("(nothing)");
        } catch (e) {
          seen.push(outcome(e));
        }
      }
      return seen;
    });
    expect(errors).toEqual([
      'TypeError: timeout delay must be a loop time in seconds or null, got string "1"',
      "TypeError: timeoutAt when must be a loop time in seconds or null, got number NaN",
      "TypeError: Timeout.run expects an async function as its body, got number 42",
      'TypeError: Timeout when must be a loop time in seconds or null, got string "later"',
    ]);
  });

  test("an undefined deadline is no deadline, as null is", async () => {
    expect(new Timeout(undefined as never).when()).toBeNull();
    const result = await runMain(function* () {
      const a = yield at(0, call(timeout, null, undefined, sleepBody(100, "a")));
      const b = yield at(0, call(timeoutAt, null, undefined, sleepBody(100, "b")));
      return [a, b, now()];
    });
    expect(result).toEqual(["a", "b", 200]);
  });

  test("util.inspect shows the string form, and a plain call's Task names the function called", async () => {
    expect(inspect(new Timeout(5))).toBe("<Timeout [created]>");
    const names = await runMain(function* () {
      const tasks = [timeout(1, sleepBody(0)), timeoutAt(getRunningLoop().time() + 1, sleepBody(0)), new Timeout(null).run(sleepBody(0))];
      const forms = tasks.map((task) => /coro=<([^(]*)\(\)/.exec(String(task))?.[1]);
      for (const task of tasks) yield at(0, task);
      return forms;
    });
    expect(names).toEqual(["timeout", "timeoutAt", "Timeout.run"]);
  });
});

describe("timeout call forms", () => {
  test("a lazy compiled body works", async () => {
    const body = define("lazyBody", 50, function* () {
      yield at(0, sleep(5));
      return "lazy";
    }, { mode: "lazy" });
    const result = await runMain(function* () {
      try {
        yield at(0, call(timeout, null, 1, body));
      } catch (e) {
        return [outcome(e), now()];
      }
      return null;
    });
    expect(result).toEqual(["TimeoutError", 1]);
  });

  test("a body without an inline form that returns an eager Task is cancelled through it", async () => {
    const compiled = sleepBody(5, "x");
    const result = await runMain(function* () {
      let bodyTask!: Task<unknown>;
      try {
        yield at(0, call(timeout, null, 1, (cm: Timeout) => (bodyTask = compiled(cm) as Task<unknown>)));
      } catch (e) {
        return [outcome(e), bodyTask.cancelled(), now()];
      }
      return null;
    });
    expect(result).toEqual(["TimeoutError", true, 1]);
  });

  test("a native Promise body times out at its await (the Promise itself keeps running)", async () => {
    const result = await runMain(function* () {
      try {
        yield at(0, call(timeout, null, 1, () => new Promise(() => undefined)));
      } catch (e) {
        return [outcome(e), now()];
      }
      return null;
    });
    expect(result).toEqual(["TimeoutError", 1]);
  });

  test("called from plain code, timeout() returns a Task that plain code can await", async () => {
    const result = await runMain(function* () {
      const task = timeout(3, sleepBody(1, "plain"));
      expect(task).toBeInstanceOf(Task);
      return [yield at(0, task), now()];
    });
    expect(result).toEqual(["plain", 1]);
  });

  test("called from plain code outside any loop, timeout rejects with TimeoutError on the default loop", async () => {
    await expect(timeout(0, () => new Promise(() => undefined))).rejects.toThrow(TimeoutError);
    await expect(timeoutAt(null, async () => 5)).resolves.toBe(5);
  });
});
