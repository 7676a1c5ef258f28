/**
 * TaskGroup: CPython's test_taskgroups.py, ported in spirit, on hand-written coroutines in
 * virtual time. `yield at(i, call(tg.run, tg, body))` is the compiled `await tg.run(body)`.
 */
import { inspect } from "node:util";
import { CancelledError, RuntimeError, Task, TaskGroup, abi, createTask, currentTask, getRunningLoop, run, sleep } from "../../runtime/index.js";
import { at, define, inline, now } from "../support/coroutines.js";

/** The compiled form of `await self.fn(...args)`: the inline body when `fn` has one. */
function call(fn: unknown, self: unknown, ...args: unknown[]): unknown {
  const f = fn as { [abi.BODY]?: (...a: unknown[]) => unknown } & ((...a: unknown[]) => unknown);
  return (f[abi.BODY] ?? f).call(self, ...args);
}

class MyError extends Error {}
MyError.prototype.name = "MyError";

const sleeper = define("sleeper", 10, function* (delay: number, value?: unknown) {
  yield at(0, sleep(delay));
  return value;
});
const crashAfter = define("crashAfter", 20, function* (delay: number, error: unknown) {
  yield at(0, sleep(delay));
  throw error;
});

function errorNames(e: unknown): string[] {
  expect(e).toBeInstanceOf(AggregateError);
  return (e as AggregateError).errors.map((x: unknown) => (x as Error).name);
}

async function runMain<T>(body: () => Generator<unknown, T, unknown>): Promise<T> {
  return run(define("main", 1, body), { virtualTime: true });
}

describe("TaskGroup.run", () => {
  test("resolves once every child is done, to the body's result", async () => {
    let t1!: Task<unknown>, t2!: Task<unknown>;
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      const value = yield at(0, call(tg.run, tg, define("body", 5, function* (g: TaskGroup) {
        t1 = g.createTask(sleeper(0.1, 42));
        t2 = g.createTask(sleeper(0.2, 11));
        return "body done";
      })));
      return [value, now()];
    });
    expect(result).toEqual(["body done", 0.2]);
    expect(t1.result()).toBe(42);
    expect(t2.result()).toBe(11);
  });

  test("children may be added after the body awaited something", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let t1!: Task<unknown>, t2!: Task<unknown>;
      yield at(0, call(tg.run, tg, define("body", 5, function* (g: TaskGroup) {
        t1 = g.createTask(sleeper(0.1, 42));
        yield at(0, sleep(0.15));
        t2 = g.createTask(sleeper(0.2, 11));
      })));
      return [t1.result(), t2.result(), now()];
    });
    expect(result).toEqual([42, 11, 0.35]);
  });

  test("a child cancelled by hand is not a failure of the group", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let t1!: Task<unknown>, t2!: Task<unknown>;
      yield at(0, call(tg.run, tg, define("body", 5, function* (g: TaskGroup) {
        t1 = g.createTask(sleeper(1, 42));
        yield at(0, sleep(0.15));
        t1.cancel();
        t2 = g.createTask(sleeper(0.2, 11));
      })));
      return [t1.cancelled(), t2.result()];
    });
    expect(result).toEqual([true, 11]);
  });

  test("a failing child cancels its siblings and the body, and run rejects with an AggregateError", async () => {
    const log: string[] = [];
    const foo2 = define("foo2", 30, function* () {
      try {
        yield at(0, sleep(5));
      } catch (e) {
        log.push(`foo2 ${(e as Error).name}`);
        throw e;
      }
      log.push("foo2 finished");
    });
    const runner = define("runner", 40, function* () {
      const tg = new TaskGroup();
      yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
        g.createTask(crashAfter(0.1, new RangeError("a")));
        g.createTask(crashAfter(0.1, new RangeError("b")));
        g.createTask(crashAfter(0.1, new RangeError("c")));
        g.createTask(foo2());
        try {
          yield at(0, sleep(10));
        } catch (e) {
          log.push(`body ${(e as Error).name}`);
          throw e;
        }
      })));
      log.push("after run");
    });
    const caught = await runMain(function* () {
      const r = runner() as Task<unknown>;
      try {
        yield at(0, r);
      } catch (e) {
        return [errorNames(e), (e as AggregateError).errors.map((x: Error) => x.message), r.cancelled(), now()];
      }
      return null;
    });
    expect(caught).toEqual([["RangeError", "RangeError", "RangeError"], ["a", "b", "c"], false, 0.1]);
    // The children are cancelled first, then the body (asyncio's order).
    expect(log).toEqual(["foo2 CancelledError", "body CancelledError"]);
  });

  test("cancelling the task that runs the group cancels every child and propagates with its message", async () => {
    let cancelledChildren = 0;
    const foo = define("foo", 30, function* () {
      try {
        yield at(0, sleep(5));
      } catch (e) {
        if (e instanceof CancelledError) cancelledChildren++;
        throw e;
      }
    });
    const runner = define("runner", 40, function* () {
      const tg = new TaskGroup();
      yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
        for (let i = 0; i < 5; i++) g.createTask(foo());
      })));
    });
    const result = await runMain(function* () {
      const r = runner() as Task<unknown>;
      yield at(0, sleep(0.1));
      expect(r.done()).toBe(false);
      r.cancel("test");
      try {
        yield at(1, r);
      } catch (e) {
        return [(e as Error).name, (e as Error).message, r.cancelled()];
      }
      return null;
    });
    expect(result).toEqual(["CancelledError", "test", true]);
    expect(cancelledChildren).toBe(5);
  });

  test("an outer cancellation reaches the body too, and the children are awaited before it propagates", async () => {
    const log: string[] = [];
    const foo = define("foo", 30, function* () {
      try {
        yield at(0, sleep(5));
      } finally {
        log.push(`child finally at ${now()}`);
      }
    });
    const runner = define("runner", 40, function* () {
      const tg = new TaskGroup();
      yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
        g.createTask(foo());
        try {
          yield at(0, sleep(10));
        } catch (e) {
          log.push("body cancelled");
          throw e;
        }
      })));
    });
    await runMain(function* () {
      const r = runner() as Task<unknown>;
      yield at(0, sleep(0.1));
      r.cancel();
      try {
        yield at(1, r);
      } catch (e) {
        log.push(`runner ${(e as Error).name}`);
      }
    });
    expect(log).toEqual(["body cancelled", "child finally at 0.1", "runner CancelledError"]);
  });

  test("an outer cancellation while the group waits for children in its exit propagates", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let t1!: Task<unknown>;
      const runner = define("runner", 40, function* () {
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          t1 = g.createTask(sleeper(1, 42));
          g.createTask(sleeper(2, 11));
        })));
      });
      const r = runner() as Task<unknown>;
      yield at(0, sleep(0.05));
      r.cancel();
      try {
        yield at(1, r);
      } catch (e) {
        return [(e as Error).name, t1.cancelled(), String(tg)];
      }
      return null;
    });
    expect(result).toEqual(["CancelledError", true, "<TaskGroup cancelling>"]);
  });

  test("a body that throws cancels the children and run rejects with an AggregateError of its error", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let t1!: Task<unknown>, t2!: Task<unknown>;
      try {
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          t1 = g.createTask(sleeper(1, 42));
          t2 = g.createTask(sleeper(2, 11));
          yield at(0, sleep(0.1));
          throw new MyError("body failed");
        })));
      } catch (e) {
        return [errorNames(e), t1.cancelled(), t2.cancelled(), currentCancelling()];
      }
      return null;
    });
    expect(result).toEqual([["MyError"], true, true, 0]);
  });

  test("a body that throws before its first await still cancels the children", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let t1!: Task<unknown>;
      try {
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          t1 = g.createTask(sleeper(1, 42));
          throw new MyError("at once");
        })));
      } catch (e) {
        return [errorNames(e), t1.cancelled()];
      }
      return null;
    });
    expect(result).toEqual([["MyError"], true]);
  });

  test("nested groups: a failure in the outer group cancels the inner one, whose cancellation is not an error", async () => {
    const result = await runMain(function* () {
      const outer = new TaskGroup();
      try {
        yield at(0, call(outer.run, outer, define("outerBody", 45, function* (g1: TaskGroup) {
          g1.createTask(crashAfter(0.1, new MyError("outer child")));
          const inner = new TaskGroup();
          yield at(0, call(inner.run, inner, define("innerBody", 50, function* (g2: TaskGroup) {
            g2.createTask(crashAfter(10, new MyError("inner child")));
          })));
        })));
      } catch (e) {
        return [errorNames(e), now()];
      }
      return null;
    });
    expect(result).toEqual([["MyError"], 0.1]);
  });

  test("nested groups: a failure in the inner group reaches the outer one as a nested AggregateError", async () => {
    const result = await runMain(function* () {
      const outer = new TaskGroup();
      try {
        yield at(0, call(outer.run, outer, define("outerBody", 45, function* (g1: TaskGroup) {
          g1.createTask(crashAfter(10, new MyError("outer child")));
          const inner = new TaskGroup();
          yield at(0, call(inner.run, inner, define("innerBody", 50, function* (g2: TaskGroup) {
            g2.createTask(crashAfter(0.1, new MyError("inner child")));
          })));
        })));
      } catch (e) {
        const nested = (e as AggregateError).errors[0];
        return [errorNames(e), errorNames(nested), (nested as AggregateError).errors[0].message];
      }
      return null;
    });
    expect(result).toEqual([["AggregateError"], ["MyError"], "inner child"]);
  });

  test("a child failing while the body handles an outer cancellation ends in an AggregateError (asyncio 3.13)", async () => {
    const result = await runMain(function* () {
      const runner = define("runner", 40, function* () {
        const tg = new TaskGroup();
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          g.createTask(crashAfter(0.3, new MyError("late")));
          try {
            yield at(0, sleep(10));
          } catch (e) {
            yield at(1, sleep(0.5));
            throw e;
          }
        })));
      });
      const r = runner() as Task<unknown>;
      yield at(0, sleep(0.1));
      r.cancel();
      try {
        yield at(1, r);
      } catch (e) {
        return [errorNames(e), now()];
      }
      return null;
    });
    // The outer cancel at 0.1 reaches only the body; the child crashes at 0.3 and cuts the
    // body's 0.5 s clean-up short.
    expect(result).toEqual([["MyError"], expect.closeTo(0.3, 9)]);
  });

  test("a body that answers an outer cancellation with another error ends in an AggregateError of it", async () => {
    const result = await runMain(function* () {
      const runner = define("runner", 40, function* () {
        const tg = new TaskGroup();
        yield at(0, call(tg.run, tg, define("body", 45, function* () {
          try {
            yield at(0, sleep(10));
          } catch {
            throw new MyError("instead");
          }
        })));
      });
      const r = runner() as Task<unknown>;
      yield at(0, sleep(0.1));
      r.cancel();
      try {
        yield at(1, r);
      } catch (e) {
        return errorNames(e);
      }
      return null;
    });
    expect(result).toEqual(["MyError"]);
  });

  test("the errors of the body's finally and of the children are all collected", async () => {
    const nested = define("nested", 30, function* () {
      try {
        yield at(0, sleep(10));
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new MyError("from finally");
      }
    });
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      try {
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          g.createTask(crashAfter(0.1, new RangeError("child")));
          yield at(0, inline(nested));
        })));
      } catch (e) {
        return errorNames(e).sort();
      }
      return null;
    });
    expect(result).toEqual(["MyError", "RangeError"]);
  });

  test("errors take priority over an outer cancellation, which stays requested for the caller", async () => {
    const log: string[] = [];
    const result = await runMain(function* () {
      const runner = define("runner", 40, function* () {
        const tg = new TaskGroup();
        try {
          yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
            g.createTask(crashAfter(0.1, new MyError("child")));
            try {
              yield at(0, sleep(10));
            } catch (e) {
              yield at(1, sleep(0.5));
              throw e;
            }
          })));
        } catch (e) {
          log.push(`runner caught ${errorNames(e)} with cancelling()=${currentCancelling()}`);
        }
        yield at(1, sleep(1));
        log.push("not reached");
      });
      const r = runner() as Task<unknown>;
      yield at(0, sleep(0.2));
      r.cancel();
      try {
        yield at(1, r);
      } catch (e) {
        return (e as Error).name;
      }
      return null;
    });
    expect(result).toBe("CancelledError");
    expect(log).toEqual(["runner caught MyError with cancelling()=1"]);
  });

  test("children may add children to the group while it exits", async () => {
    const result = await runMain(function* () {
      const done: number[] = [];
      const leaf = define("leaf", 30, function* (delay: number) {
        yield at(0, sleep(delay));
        done.push(delay);
      });
      const root = define("root", 35, function* (g: TaskGroup) {
        yield at(0, sleep(0.1));
        g.createTask(leaf(0.1));
        g.createTask(leaf(0.2));
      });
      const tg = new TaskGroup();
      yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
        g.createTask(root(g));
      })));
      return [done, now()];
    });
    expect(result).toEqual([[0.1, 0.2], expect.closeTo(0.3, 9)]);
  });

  test("a hydra of children is stopped by a sibling's failure", async () => {
    let heads = 0;
    const hydra: any = define("hydra", 30, function* (g: TaskGroup) {
      heads++;
      yield at(0, sleep(0.01));
      g.createTask(hydra(g));
      g.createTask(hydra(g));
    });
    const hercules = define("hercules", 35, function* () {
      while (heads < 10) yield at(0, sleep(0.015));
      throw new MyError("cut");
    });
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      try {
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          g.createTask(hydra(g));
          g.createTask(hercules());
        })));
      } catch (e) {
        return errorNames(e);
      }
      return null;
    });
    expect(result).toEqual(["MyError"]);
    expect(heads).toBeGreaterThanOrEqual(10);
  });
});

describe("TaskGroup and the cancellation count", () => {
  test("a group that failed leaves its task's cancelling() at 0, so the cancellation does not leak out", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      try {
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          g.createTask(crashAfter(0, new MyError("x")));
        })));
      } catch (e) {
        errorNames(e);
      }
      const level = currentCancelling();
      yield at(1, sleep(0));
      return [level, "still running"];
    });
    expect(result).toEqual([0, "still running"]);
  });

  test("nested groups both failing keep the count right at each level", async () => {
    const levels: number[] = [];
    const result = await runMain(function* () {
      const outer = new TaskGroup();
      try {
        yield at(0, call(outer.run, outer, define("outerBody", 45, function* (outerTg: TaskGroup) {
          const inner = new TaskGroup();
          try {
            yield at(0, call(inner.run, inner, define("innerBody", 50, function* (innerTg: TaskGroup) {
              innerTg.createTask(crashAfter(0, new RangeError("inner")));
              outerTg.createTask(crashAfter(0, new MyError("outer")));
            })));
          } catch (e) {
            levels.push(currentCancelling());
            expect(errorNames(e)).toEqual(["RangeError"]);
          }
          levels.push(currentCancelling());
        })));
      } catch (e) {
        levels.push(currentCancelling());
        return errorNames(e);
      }
      return null;
    });
    expect(result).toEqual(["MyError"]);
    expect(levels).toEqual([1, 1, 0]);
  });

  test("a failure inside a task that is then cancelled from outside: the outer cancellation survives the group", async () => {
    const log: string[] = [];
    const result = await runMain(function* () {
      const raiseError = define("raiseError", 30, function* () {
        yield at(0, sleep(0));
        throw new MyError("boom");
      });
      const inner = define("inner", 35, function* () {
        const tg = new TaskGroup();
        try {
          yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
            g.createTask(raiseError());
            yield at(0, sleep(1));
            log.push("sleep in group not cancelled");
          })));
        } catch (e) {
          errorNames(e);
          log.push(`caught group error, cancelling()=${currentCancelling()}`);
        }
        yield at(1, sleep(1));
        log.push("sleep after group not cancelled");
      });
      const t = inner() as Task<unknown>;
      // One iteration: the child raises (as the Python test's event.wait() lets it).
      yield at(2, sleep(0));
      expect(t.cancelling()).toBe(0);
      t.cancel();
      expect(t.cancelling()).toBe(1);
      try {
        yield at(0, t);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        return [(e as Error).name, t.cancelled()];
      }
      return null;
    });
    expect(result).toEqual(["CancelledError", true]);
    expect(log).toEqual(["caught group error, cancelling()=1"]);
  });

  test("a child that fails at once while a sibling creates it cancels that sibling at its next await", async () => {
    let ran = false;
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      const third = define("third", 30, function* () {
        throw new MyError("third task failed");
      });
      const second = define("second", 35, function* () {
        tg.createTask(third());
        try {
          yield at(0, sleep(0));
          yield at(1, sleep(0));
        } catch (e) {
          if (e instanceof CancelledError) ran = true;
          throw e;
        }
      });
      try {
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          g.createTask(second());
        })));
      } catch (e) {
        return (e as AggregateError).errors.map((x: Error) => x.message);
      }
      return null;
    });
    expect(result).toEqual(["third task failed"]);
    expect(ran).toBe(true);
  });
});

describe("TaskGroup.createTask", () => {
  test("names the task", async () => {
    const name = await runMain(function* () {
      const tg = new TaskGroup();
      let t!: Task<unknown>;
      yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
        t = g.createTask(sleeper(0), { name: "yolo" });
      })));
      return t.getName();
    });
    expect(name).toBe("yolo");
  });

  test("adopts the Task an eager compiled call already started", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let started!: Task<unknown>, adopted!: Task<unknown>;
      yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
        started = sleeper(0.1, "x") as Task<unknown>;
        adopted = g.createTask(started);
      })));
      return [adopted === started, started.result(), now()];
    });
    expect(result).toEqual([true, "x", 0.1]);
  });

  test("an adopted eager task that already failed aborts the group", async () => {
    const failAtOnce = define("failAtOnce", 30, function* () {
      throw new MyError("at once");
    });
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let sibling!: Task<unknown>;
      try {
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          sibling = g.createTask(sleeper(10));
          const failed = failAtOnce() as Task<unknown>;
          expect(failed.done()).toBe(true);
          g.createTask(failed);
          yield at(0, sleep(5));
        })));
      } catch (e) {
        return [errorNames(e), sibling.cancelled(), now()];
      }
      return null;
    });
    expect(result).toEqual([["MyError"], true, 0]);
  });

  test("runs lazy coroutines as new tasks", async () => {
    const lazyChild = define("lazyChild", 30, function* (v: number) {
      yield at(0, sleep(0.5));
      return v * 2;
    }, { mode: "lazy" });
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let t!: Task<unknown>;
      yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
        t = g.createTask(lazyChild(21));
      })));
      return [t.result(), now()];
    });
    expect(result).toEqual([42, 0.5]);
  });

  test("throws RuntimeError before run, after the group finished, and while it shuts down", async () => {
    const messages: string[] = [];
    const tg = new TaskGroup();
    expect(() => tg.createTask(sleeper(0) as Task<unknown>)).toThrow(/TaskGroup <TaskGroup> has not been entered/);
    await runMain(function* () {
      try {
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          g.createTask(crashAfter(0.1, new MyError("x")));
          try {
            yield at(0, sleep(1));
          } catch {
            try {
              g.createTask(sleeper(1));
            } catch (e) {
              messages.push(`${(e as Error).name}: ${(e as Error).message}`);
            }
          }
        })));
      } catch (e) {
        messages.push(errorNames(e).join());
      }
    });
    const late = define("late", 60, function* () {
      yield at(0, sleep(1));
    }, { mode: "lazy" });
    const coro = late();
    expect(() => tg.createTask(coro)).toThrow(RuntimeError);
    expect(() => tg.createTask(coro)).toThrow(/is finished/);
    expect(messages).toEqual(["RuntimeError: TaskGroup <TaskGroup errors=1 cancelling> is shutting down", "MyError"]);
  });

  test("runs a Future (a plain sleep() or gather()) in a task that awaits it, and cancelling the task cancels it", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let slept!: Task<unknown>, cancelled!: Task<unknown>;
      const long = sleep(10);
      try {
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          slept = g.createTask(sleep(0.5, "slept"));
          cancelled = g.createTask(long);
          yield at(0, sleep(1));
          throw new MyError("stop");
        })));
      } catch (e) {
        return [errorNames(e), slept.result(), cancelled.cancelled(), cancelled.getCoro() === long, slept.getStack()];
      }
      return null;
    });
    expect(result).toEqual([["MyError"], "slept", true, true, []]);
  });

  test("rejects a native Promise with a hint about the transform", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let message = "";
      yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
        try {
          g.createTask(Promise.resolve(1));
        } catch (e) {
          message = (e as Error).message;
        }
      })));
      return message;
    });
    expect(result).toMatch(/expected a coroutine, got a native Promise: .*not compiled by corotask/);
    // And how to wait for a Promise that no coroutine made.
    expect(result).toMatch(/awaited inside a compiled async function, or made a Future with ensureFuture\(promise\)$/);
  });
});

describe("TaskGroup bodies and call forms", () => {
  test("a group runs once", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      const body = define("body", 45, function* () {});
      yield at(0, call(tg.run, tg, body));
      try {
        yield at(1, call(tg.run, tg, body));
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
      return null;
    });
    expect(result).toBe("RuntimeError: TaskGroup <TaskGroup entered> has already been entered");
  });

  test("a body that is not a function is a TypeError at the call", () => {
    expect(() => new TaskGroup().run(42 as never)).toThrow(new TypeError("TaskGroup.run expects an async function as its body, got number 42"));
  });

  test("a compiled body runs inline: the task running run() is the one the body runs in", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      const inBody = yield at(0, call(tg.run, tg, define("body", 45, function* () {
        return currentTaskName();
      })));
      return [inBody, currentTaskName()];
    });
    expect(result[0]).toBe(result[1]);
  });

  test("a lazy compiled body works", async () => {
    const body = define("lazyBody", 45, function* (g: TaskGroup) {
      const t = g.createTask(sleeper(0.2, 5));
      yield at(0, sleep(0.1));
      return { t };
    }, { mode: "lazy" });
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      const { t } = (yield at(0, call(tg.run, tg, body))) as { t: Task<number> };
      return [t.result(), now()];
    });
    expect(result).toEqual([5, 0.2]);
  });

  test("a body without an inline form that returns an eager Task is awaited, and cancelled through it", async () => {
    const compiled = define("compiledBody", 45, function* (g: TaskGroup) {
      g.createTask(crashAfter(0.1, new MyError("child")));
      yield at(0, sleep(10));
    });
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let bodyTask!: Task<unknown>;
      try {
        yield at(0, call(tg.run, tg, (g: TaskGroup) => (bodyTask = compiled(g) as Task<unknown>)));
      } catch (e) {
        return [errorNames(e), bodyTask.cancelled(), now()];
      }
      return null;
    });
    expect(result).toEqual([["MyError"], true, 0.1]);
  });

  test("a body that returns a native Promise is awaited", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let child!: Task<unknown>;
      const value = yield at(0, call(tg.run, tg, async (g: TaskGroup) => {
        child = g.createTask(sleeper(0.3, "c"));
        return "native";
      }));
      return [value, child.result(), now()];
    });
    expect(result).toEqual(["native", "c", 0.3]);
  });

  test("called from plain code, run() returns a Task of its own that plain code can await", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      const task = tg.run(define("body", 45, function* (g: TaskGroup) {
        g.createTask(sleeper(0.25));
        return 7;
      }));
      expect(task).toBeInstanceOf(Task);
      const value = yield at(0, task);
      return [value, now()];
    });
    expect(result).toEqual([7, 0.25]);
  });

  test("called from plain code outside any loop, run() runs on the default loop", async () => {
    const tg = new TaskGroup();
    const value = await tg.run(async (g) => {
      g.createTask(sleeper(0, 1));
      return "default loop";
    });
    expect(value).toBe("default loop");
  });

  test("the string form counts tasks and errors", async () => {
    const forms: string[] = [];
    const tg = new TaskGroup();
    forms.push(String(tg));
    await runMain(function* () {
      yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
        g.createTask(sleeper(1));
        g.createTask(sleeper(2));
        forms.push(String(tg));
      })));
      forms.push(String(tg));
    });
    expect(forms).toEqual(["<TaskGroup>", "<TaskGroup tasks=2 entered>", "<TaskGroup entered>"]);
  });
});

function currentCancelling(): number {
  return currentTaskObject().cancelling();
}
function currentTaskName(): string {
  return currentTaskObject().getName();
}
function currentTaskObject(): Task<unknown> {
  return currentTask()!;
}

describe("TaskGroup details (mutation testing found these unchecked)", () => {
  test("createTask of a Future runs a task that awaits it; a native Promise is refused naming TaskGroup.createTask", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      const seen: unknown[] = [];
      yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
        const future = getRunningLoop().createFuture<string>();
        const task = g.createTask(future);
        seen.push(task instanceof Task, task === (future as unknown), /coro=<([^(]*)\(/.exec(String(task))?.[1]);
        future.setResult("set");
        seen.push(yield at(0, task));
        try {
          g.createTask(Promise.resolve(1));
        } catch (e) {
          seen.push(`${(e as Error).name}: ${(e as Error).message.slice(0, 63)}`);
        }
      })));
      return seen;
    });
    expect(result).toEqual([true, false, "awaitFuture", "set", "TypeError: TaskGroup.createTask expected a coroutine, got a native Promise"]);
  });

  test("cancelled from outside with no failure, the caller still sees its task cancelling() once", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      const runner = createTask(define("runner", 20, function* () {
        try {
          yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
            g.createTask(sleeper(5));
            yield at(0, sleep(10));
          })));
        } catch (e) {
          return [(e as Error).name, currentTask()!.cancelling()];
        }
        return null;
      })(), { name: "runner" });
      yield at(0, sleep(1));
      runner.cancel();
      return yield at(1, runner);
    });
    expect(result).toEqual(["CancelledError", 1]);
  });

  test("util.inspect shows the string form", () => {
    expect(inspect(new TaskGroup())).toBe("<TaskGroup>");
  });

  test("run in a loop callback, outside any task, is a RuntimeError", async () => {
    const error = await runMain(function* () {
      const loop = getRunningLoop();
      const outcome = loop.createFuture<unknown>();
      // The inline form stepped by hand in a callback: a loop runs, no task does.
      loop.callSoon(() => {
        try {
          (call(TaskGroup.prototype.run, new TaskGroup(), () => 1) as Generator).next();
          outcome.setResult(null);
        } catch (e) {
          outcome.setResult(e);
        }
      });
      return yield at(0, outcome);
    });
    expect(error).toEqual(new RuntimeError("TaskGroup <TaskGroup> cannot determine the parent task"));
  });

  test("a child cancelled by hand reports nothing", async () => {
    const reports: string[] = [];
    const result = await runMain(function* () {
      getRunningLoop().setExceptionHandler((_l, context) => reports.push(context.message));
      const tg = new TaskGroup();
      return yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
        const child = g.createTask(sleeper(5));
        yield at(0, sleep(1));
        child.cancel();
        yield at(1, sleep(1));
        return child.cancelled();
      })));
    });
    expect(result).toBe(true);
    expect(reports).toEqual([]);
  });

  test("two children failing in one iteration: one AggregateError of both, and the task is not left cancelled", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      let error: unknown;
      try {
        yield at(0, call(tg.run, tg, define("body", 45, function* (g: TaskGroup) {
          g.createTask(crashAfter(1, new MyError("one")));
          g.createTask(crashAfter(1, new TypeError("two")));
          yield at(0, sleep(5));
        })));
      } catch (e) {
        error = e;
      }
      const task = currentTask()!;
      const cancelling = task.cancelling();
      yield at(1, sleep(2));
      return [errorNames(error), (error as AggregateError).message, cancelling, now()];
    });
    expect(result).toEqual([["MyError", "TypeError"], "unhandled errors in a TaskGroup", 0, 3]);
  });

  test("what a group refuses never runs: a coroutine frame is closed, an eager Task cancelled", async () => {
    const result = await runMain(function* () {
      const tg = new TaskGroup();
      const frame = inline(sleeper, 1) as unknown as Generator;
      const eager = sleeper(1) as Task<unknown>;
      for (const refused of [frame, eager]) {
        try {
          tg.createTask(refused as never);
        } catch (e) {
          expect(e).toBeInstanceOf(RuntimeError);
        }
      }
      yield at(0, sleep(0));
      return [frame.next(), eager.cancelled()];
    });
    expect(result).toEqual([{ value: undefined, done: true }, true]);
  });
});
