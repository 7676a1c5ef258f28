/** The Python facade: every name of CONTRACT section 4 exists and behaves, on the runtime's own objects. */
import * as asyncio from "../../runtime/asyncio.js";
import * as corotask from "../../runtime/index.js";
import { abi } from "../../runtime/index.js";
import { at, define } from "../support/coroutines.js";

/** The compiled form of `await fn(...args)`: the inline body when `fn` has one. */
function call(fn: unknown, self: unknown, ...args: unknown[]): unknown {
  const f = fn as { [abi.BODY]?: (...a: unknown[]) => unknown } & ((...a: unknown[]) => unknown);
  return (f[abi.BODY] ?? f).call(self, ...args);
}

async function runMain<T>(body: () => Generator<unknown, T, unknown>, options?: { debug?: boolean }): Promise<T> {
  return asyncio.run(define("main", 1, body), { ...options, virtual_time: true });
}

const now = (): number => asyncio.get_running_loop().time();

const sleeper = define("sleeper", 10, function* (delay: number, value?: unknown) {
  yield at(0, asyncio.sleep(delay));
  return value;
});
const failer = define("failer", 20, function* (delay: number, message: string) {
  yield at(0, asyncio.sleep(delay));
  throw new RangeError(message);
});

describe("the asyncio facade's names", () => {
  test("every name of asyncio.tasks and CONTRACT section 4 is exported with Python's spelling", () => {
    const functions = [
      "create_task", "ensure_future", "gather", "wait", "wait_for", "as_completed", "run_coroutine_threadsafe",
      "shield", "sleep", "current_task", "all_tasks", "run", "get_running_loop", "get_event_loop",
      "new_event_loop", "set_event_loop", "timeout", "timeout_at", "capture_call_graph", "print_call_graph",
      "isfuture", "iscoroutine",
    ];
    for (const name of functions) expect(typeof (asyncio as Record<string, unknown>)[name]).toBe("function");
    for (const name of ["Task", "Future", "EventLoop", "Handle", "TimerHandle", "TaskGroup", "Timeout", "CancelledError", "InvalidStateError", "TimeoutError"]) {
      expect(typeof (asyncio as Record<string, unknown>)[name]).toBe("function");
    }
    expect([asyncio.ALL_COMPLETED, asyncio.FIRST_COMPLETED, asyncio.FIRST_EXCEPTION]).toEqual(["ALL_COMPLETED", "FIRST_COMPLETED", "FIRST_EXCEPTION"]);
  });

  test("exports no camelCase names: Python spellings only", () => {
    const camel = Object.keys(asyncio).filter((name) => /^[a-z]+[A-Z]/.test(name));
    expect(camel).toEqual([]);
  });

  test("classes and errors are the runtime's own", () => {
    expect(asyncio.Task).toBe(corotask.Task);
    expect(asyncio.Future).toBe(corotask.Future);
    expect(asyncio.EventLoop).toBe(corotask.EventLoop);
    expect(asyncio.TaskGroup).toBe(corotask.TaskGroup);
    expect(asyncio.CancelledError).toBe(corotask.CancelledError);
    expect(asyncio.TimeoutError).toBe(corotask.TimeoutError);
    expect(asyncio.InvalidStateError).toBe(corotask.InvalidStateError);
    expect(asyncio.sleep).toBe(corotask.sleep);
    expect(asyncio.wait_for).toBe(corotask.waitFor);
    expect(asyncio.shield).toBe(corotask.shield);
    expect(asyncio.timeout).toBe(corotask.timeout);
    expect(asyncio.timeout_at).toBe(corotask.timeoutAt);
  });
});

describe("tasks", () => {
  test("create_task names the task and a Task from one API works with the other", async () => {
    const result = await runMain(function* () {
      const t = asyncio.create_task(sleeper(1, "v"), { name: "worker" });
      const same = corotask.createTask(t);
      return [t.get_name(), t.getName(), same === t, asyncio.current_task()!.get_name() === corotask.currentTask()!.getName(), yield at(0, t)];
    });
    expect(result).toEqual(["worker", "worker", true, true, "v"]);
  });

  test("keyword arguments with JavaScript spellings or unknown keys are TypeErrors that name the Python key", async () => {
    expect(() => asyncio.create_task(sleeper(0), { nmae: "x" } as never)).toThrow(
      new TypeError("create_task got an unexpected keyword argument 'nmae'; expected name"),
    );
    expect(() => asyncio.gather(Promise.resolve(1), { returnExceptions: true } as never)).toThrow(
      new TypeError("gather got an unexpected keyword argument 'returnExceptions'; the Python facade spells it return_exceptions"),
    );
    expect(() => asyncio.new_event_loop({ virtualTime: true } as never)).toThrow(/spells it virtual_time/);
    expect(() => asyncio.create_task(sleeper(0), "name" as never)).toThrow(/takes its keyword arguments as an options object, got string "name"/);
  });

  test("ensure_future wraps coroutines and thenables and checks the loop", async () => {
    const result = await runMain(function* () {
      const loop = asyncio.get_running_loop();
      const fromThenable = asyncio.ensure_future(Promise.resolve(3), { loop });
      const lazy = define("lazy", 30, function* () {
        return 4;
      }, { mode: "lazy" });
      const fromCoro = asyncio.ensure_future(lazy());
      const other = asyncio.new_event_loop();
      let message = "";
      try {
        asyncio.ensure_future(fromThenable, { loop: other });
      } catch (e) {
        message = (e as Error).message;
      }
      other.close();
      return [fromThenable instanceof asyncio.Future, fromCoro instanceof asyncio.Task, yield at(0, fromThenable), yield at(1, fromCoro), message];
    });
    expect(result).toEqual([true, true, 3, 4, expect.stringMatching(/^The future belongs to a different loop than the one specified as the loop argument: <Future pending> is on <EventLoop id=\d+ /)]);
  });

  test("current_task and all_tasks", async () => {
    const result = await runMain(function* () {
      const t = asyncio.create_task(sleeper(1));
      const all = asyncio.all_tasks();
      const mine = asyncio.current_task();
      yield at(0, t);
      return [all.has(t), all.has(mine!), asyncio.all_tasks(asyncio.get_running_loop()).has(t), asyncio.current_task(null) === mine];
    });
    expect(result).toEqual([true, true, false, true]);
    expect(asyncio.current_task()).toBeNull();
  });

  test("isfuture and iscoroutine", () => {
    const lazy = define("lazy", 30, function* () {}, { mode: "lazy" });
    const coro = lazy();
    expect([asyncio.isfuture(new asyncio.Future()), asyncio.isfuture(Promise.resolve()), asyncio.iscoroutine(coro), asyncio.iscoroutine({})]).toEqual([true, false, true, false]);
    (coro as unknown as corotask.LazyCoroutine).takeFrame();
  });
});

describe("combinators under Python names", () => {
  test("gather with return_exceptions puts errors in the results", async () => {
    const result = await runMain(function* () {
      const values = (yield at(0, asyncio.gather(sleeper(1, "a"), failer(2, "b"), { return_exceptions: true }))) as unknown[];
      return values.map((v) => (v instanceof Error ? `${v.name}: ${v.message}` : v));
    });
    expect(result).toEqual(["a", "RangeError: b"]);
  });

  test("gather without options rejects with the first error", async () => {
    const result = await runMain(function* () {
      try {
        yield at(0, asyncio.gather(sleeper(1, "a"), failer(0.5, "first")));
      } catch (e) {
        return (e as Error).message;
      }
      return null;
    });
    expect(result).toBe("first");
  });

  test("wait takes timeout and return_when, inline and as a plain call", async () => {
    const result = await runMain(function* () {
      const a = asyncio.create_task(sleeper(1));
      const b = asyncio.create_task(sleeper(5));
      const [done, pending] = (yield at(0, call(asyncio.wait, null, [a, b], { return_when: asyncio.FIRST_COMPLETED }))) as [Set<unknown>, Set<unknown>];
      const first = [done.has(a), pending.has(b), now()];
      const [done2, pending2] = (yield at(1, asyncio.wait([b], { timeout: 1 }))) as [Set<unknown>, Set<unknown>];
      const second = [done2.size, pending2.has(b), now()];
      yield at(2, b);
      return [first, second];
    });
    expect(result).toEqual([[true, true, 1], [0, true, 2]]);
  });

  test("wait_for raises TimeoutError and cancels the awaitable", async () => {
    const result = await runMain(function* () {
      const t = asyncio.create_task(sleeper(10));
      try {
        yield at(0, call(asyncio.wait_for, null, t, 1));
      } catch (e) {
        return [(e as Error).name, t.cancelled(), now()];
      }
      return null;
    });
    expect(result).toEqual(["TimeoutError", true, 1]);
  });

  test("shield keeps the inner task running when the awaiting task is cancelled", async () => {
    const result = await runMain(function* () {
      const inner = asyncio.create_task(sleeper(2, "inner"));
      const waiter = asyncio.create_task(define("waiter", 30, function* () {
        yield at(0, asyncio.shield(inner));
      })());
      yield at(0, asyncio.sleep(1));
      waiter.cancel();
      try {
        yield at(1, waiter);
      } catch {
        // expected
      }
      return [waiter.cancelled(), yield at(2, inner)];
    });
    expect(result).toEqual([true, "inner"]);
  });

  test("as_completed yields in completion order and honours timeout", async () => {
    const result = await runMain(function* () {
      const order: unknown[] = [];
      for (const step of asyncio.as_completed([sleeper(3, "slow"), sleeper(1, "fast")])) order.push(yield at(0, step));
      const timedOut: string[] = [];
      for (const step of asyncio.as_completed([sleeper(10, "late")], { timeout: 1 })) {
        try {
          yield at(1, step);
        } catch (e) {
          timedOut.push((e as Error).name);
        }
      }
      return [order, timedOut];
    });
    expect(result).toEqual([["fast", "slow"], ["TimeoutError"]]);
  });

  test("run_coroutine_threadsafe returns a concurrent future with add_done_callback", async () => {
    const loop = asyncio.new_event_loop({ virtual_time: true });
    const lazy = define("lazy", 30, function* () {
      yield at(0, asyncio.sleep(2));
      return "on the loop";
    }, { mode: "lazy" });
    const future = asyncio.run_coroutine_threadsafe(lazy(), loop);
    const seen: string[] = [];
    future.add_done_callback((f) => seen.push(String(f.result())));
    const stop = loop.create_future();
    future.add_done_callback(() => loop.call_soon(() => stop.set_result(null)));
    await loop.run_until_complete(stop);
    expect([await future, seen, loop.time()]).toEqual(["on the loop", ["on the loop"], 2]);
    loop.close();
  });

  test("sleep is awaitable inline and as a plain call", async () => {
    const result = await runMain(function* () {
      const a = yield at(0, call(asyncio.sleep, null, 1, "inline"));
      const b = yield at(1, asyncio.sleep(1, "plain"));
      return [a, b, now()];
    });
    expect(result).toEqual(["inline", "plain", 2]);
  });
});

describe("structured concurrency under Python names", () => {
  test("TaskGroup.create_task and run", async () => {
    const result = await runMain(function* () {
      const tg = new asyncio.TaskGroup();
      let t!: corotask.Task<unknown>;
      yield at(0, call(tg.run, tg, define("body", 40, function* (g: corotask.TaskGroup) {
        t = g.create_task(sleeper(1, 7), { name: "child" });
      })));
      return [t.get_name(), t.result(), now()];
    });
    expect(result).toEqual(["child", 7, 1]);
  });

  test("timeout and timeout_at raise TimeoutError whose cause is the CancelledError", async () => {
    const result = await runMain(function* () {
      const outcomes: unknown[] = [];
      for (const [fn, arg] of [[asyncio.timeout, 1], [asyncio.timeout_at, 2]] as const) {
        try {
          yield at(0, call(fn, null, arg, define("body", 40, function* (cm: asyncio.Timeout) {
            outcomes.push(cm.when());
            yield at(0, asyncio.sleep(10));
          })));
        } catch (e) {
          outcomes.push(`${(e as Error).name} ${(e as Error).cause instanceof asyncio.CancelledError} ${now()}`);
        }
      }
      return outcomes;
    });
    expect(result).toEqual([1, "TimeoutError true 1", 2, "TimeoutError true 2"]);
  });
});

describe("call graphs under Python names", () => {
  test("capture_call_graph uses Python's keys and the current task by default", async () => {
    const result = await runMain(function* () {
      asyncio.current_task()!.set_name("main");
      const t = asyncio.create_task(sleeper(5), { name: "worker" });
      const observer = asyncio.create_task(define("observer", 30, function* () {
        yield at(0, asyncio.sleep(1));
        const graph = asyncio.capture_call_graph(t)!;
        const own = asyncio.capture_call_graph()!;
        return [
          graph.call_stack.map((e) => `${e.frame.functionName}:${e.frame.lineNumber}`),
          graph.awaited_by.map((g) => (g.future as corotask.Task<unknown>).get_name()),
          (own.future as corotask.Task<unknown>).get_name(),
        ];
      })(), { name: "observer" });
      yield at(0, t);
      return observer.result();
    });
    expect(result).toEqual([["sleeper:11"], ["main"], "observer"]);
  });

  test("capture_call_graph outside a task is null in a loop callback and a RuntimeError outside any loop", async () => {
    const loop = asyncio.new_event_loop();
    const f = loop.create_future<unknown>();
    loop.call_soon(() => f.set_result(asyncio.capture_call_graph()));
    expect(await loop.run_until_complete(f)).toBeNull();
    loop.close();
    expect(() => asyncio.capture_call_graph()).toThrow(/no running event loop/);
  });

  test("print_call_graph writes the graph to file", async () => {
    const text = await runMain(function* () {
      const file = { text: "", write(s: string) { this.text += s; } };
      asyncio.current_task()!.set_name("main");
      asyncio.print_call_graph(null, { file });
      return file.text;
    });
    expect(text.replace(/id=0x[0-9a-f]+/, "id=ID")).toBe("* Task(name='main', id=ID)\n  + Call stack:\n  |   File 'test.ts', line 1, in async main()\n");
  });
});

describe("loops under Python names", () => {
  test("new_event_loop with virtual_time, call_soon / call_later / call_at and run_until_complete", async () => {
    const loop = asyncio.new_event_loop({ virtual_time: true });
    const log: string[] = [];
    loop.call_later(2, (x: string) => log.push(`later ${x} ${loop.time()}`), "b");
    loop.call_at(1, () => log.push(`at ${loop.time()}`));
    loop.call_soon(() => log.push(`soon ${loop.time()}`));
    loop.call_soon_threadsafe(() => log.push("threadsafe"));
    const f = loop.create_future<string>();
    loop.call_later(3, () => f.set_result("done"));
    expect(loop.is_running()).toBe(false);
    expect(await loop.run_until_complete(f)).toBe("done");
    expect(log).toEqual(["soon 0", "threadsafe", "at 1", "later b 2"]);
    expect(loop.is_closed()).toBe(false);
    loop.close();
    expect(loop.is_closed()).toBe(true);
  });

  test("run_forever, stop, debug, exception handler and task factory through snake_case names", async () => {
    const loop = asyncio.new_event_loop({ virtual_time: true });
    loop.set_debug(true);
    const contexts: string[] = [];
    loop.set_exception_handler((_l, context) => contexts.push(context.message));
    expect(typeof loop.get_exception_handler()).toBe("function");
    loop.call_exception_handler({ message: "reported" });
    const made: string[] = [];
    loop.set_task_factory((l, coro, options) => {
      made.push("factory");
      return new asyncio.Task(coro as corotask.Coroutine, { loop: l, ...options });
    });
    expect(typeof loop.get_task_factory()).toBe("function");
    const lazy = define("lazy", 30, function* () {
      yield at(0, asyncio.sleep(1));
      loop.stop();
    }, { mode: "lazy" });
    const task = loop.create_task(lazy() as never, { name: "stopper" });
    await loop.run_forever();
    expect([loop.get_debug(), contexts, made, task.done(), task.get_loop() === loop]).toEqual([true, ["reported"], ["factory"], true, true]);
    loop.set_task_factory(null);
    loop.close();
  });

  test("get_event_loop, set_event_loop and get_running_loop", async () => {
    const loop = asyncio.new_event_loop();
    asyncio.set_event_loop(loop);
    try {
      expect(asyncio.get_event_loop()).toBe(loop);
    } finally {
      asyncio.set_event_loop(null);
      loop.close();
    }
    expect(() => asyncio.get_running_loop()).toThrow(/no running event loop/);
    const running = await runMain(function* () {
      return asyncio.get_running_loop() === asyncio.get_event_loop();
    });
    expect(running).toBe(true);
  });

  test("run passes debug to the new loop", async () => {
    const debug = await runMain(function* () {
      return asyncio.get_running_loop().get_debug();
    }, { debug: true });
    expect(debug).toBe(true);
  });
});

describe("snake_case methods on the runtime's objects", () => {
  test("Future answers to add_done_callback, remove_done_callback, set_result, set_exception, get_loop", async () => {
    const loop = asyncio.new_event_loop({ virtual_time: true });
    const f = loop.create_future<number>();
    const calls: number[] = [];
    const cb = (fut: corotask.Future<number>) => calls.push(fut.result());
    f.add_done_callback(cb);
    f.add_done_callback(cb);
    expect(f.remove_done_callback(cb)).toBe(2);
    f.add_done_callback(cb);
    f.set_result(5);
    await loop.run_until_complete(f);
    const g = loop.create_future();
    g.set_exception(new RangeError("x"));
    expect([calls, f.get_loop() === loop, g.exception()]).toEqual([[5], true, new RangeError("x")]);
    loop.close();
  });

  test("Task answers to get_coro, get_name, set_name, get_stack({limit}), print_stack({limit, file}); set_result still throws", async () => {
    const result = await runMain(function* () {
      const inner = define("inner", 30, function* () {
        yield at(0, asyncio.sleep(5));
      });
      const outer = define("outer", 40, function* () {
        yield at(0, (inner as unknown as { body: () => Generator }).body());
      });
      const t = asyncio.create_task(outer());
      yield at(0, asyncio.sleep(1));
      t.set_name("renamed");
      const file = { text: "", write(s: string) { this.text += s; } };
      t.print_stack({ limit: 1, file });
      let setResult = "";
      try {
        t.set_result(1 as never);
      } catch (e) {
        setResult = (e as Error).message;
      }
      t.cancel();
      return [
        t.get_name(),
        t.get_coro() === t.getCoro(),
        t.get_stack().map((f) => f.functionName),
        t.get_stack({ limit: 1 }).map((f) => f.functionName),
        file.text.split("\n")[1],
        setResult,
      ];
    });
    expect(result).toEqual(["renamed", true, ["outer", "inner"], ["inner"], '  File "test.ts", line 31, in inner', "Task does not support set_result operation"]);
  });

  test("the aliases are non-enumerable and call the runtime methods, overrides included", () => {
    for (const proto of [asyncio.Future.prototype, asyncio.Task.prototype, asyncio.EventLoop.prototype, asyncio.TaskGroup.prototype]) {
      expect(Object.keys(proto).filter((k) => k.includes("_"))).toEqual([]);
    }
    expect(Object.getOwnPropertyDescriptor(asyncio.Future.prototype, "add_done_callback")!.enumerable).toBe(false);
    expect(asyncio.Future.prototype.set_result.name).toBe("set_result");
    const f = new asyncio.Future();
    f.set_result(1);
    expect(() => f.set_result(2)).toThrow(asyncio.InvalidStateError);
  });
});
