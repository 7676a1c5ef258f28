import { AsyncLocalStorage } from "node:async_hooks";
import {
  CancelledError,
  RuntimeError,
  Task,
  allTasks,
  createTask,
  currentTask,
  ensureFuture,
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  run,
  sleep,
  type ExceptionContext,
} from "../../runtime/index.js";
import { setNeverAwaitedReporter } from "../../runtime/coroutine.js";
import { at, define, delegating, inline } from "../support/coroutines.js";

const forever = define("forever", 50, function* () {
  yield at(0, sleep(1e9));
});

describe("starting", () => {
  test("an eager call runs the body synchronously up to its first suspension", () => {
    const log: string[] = [];
    const f = define("f", 1, function* () {
      log.push("before await");
      yield at(0, sleep(0));
      log.push("after await");
    });
    const task = f();
    expect(log).toEqual(["before await"]);
    expect(task).toBeInstanceOf(Task);
    task.cancel();
  });

  test("a lazy call runs nothing until it is scheduled", async () => {
    const log: string[] = [];
    const f = define("f", 1, function* () {
      log.push("ran");
      return 1;
    }, { mode: "lazy" });
    await run(define("main", 1, function* () {
      const coro = f();
      yield at(0, sleep(0));
      expect(log).toEqual([]);
      const t = createTask(coro);
      expect(log).toEqual([]);
      return yield at(1, t);
    }));
    expect(log).toEqual(["ran"]);
  });

  test("a lazy coroutine awaited twice raises RuntimeError", async () => {
    const f = define("f", 1, function* () {
      return 1;
    }, { mode: "lazy" });
    const error = await run(define("main", 1, function* () {
      const coro = f();
      yield at(0, coro);
      try {
        yield at(1, coro);
      } catch (e) {
        return e;
      }
    }), { virtualTime: true });
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toBe("cannot reuse already awaited coroutine 'f'");
  });

  test("then() of a lazy coroutine schedules it as a task", async () => {
    const f = define("f", 1, function* () {
      yield at(0, sleep(0));
      return "lazy result";
    }, { mode: "lazy" });
    expect(await f()).toBe("lazy result");
  });

  test("a lazy coroutine collected without running is reported as never awaited", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) {
      console.warn("skipped: run jest under node --expose-gc to test collection reports");
      return;
    }
    const reported: string[] = [];
    setNeverAwaitedReporter((name) => reported.push(name));
    try {
      const f = define("neverRun", 1, function* () {
        return 1;
      }, { mode: "lazy" });
      (() => void f())();
      for (let i = 0; i < 10 && reported.length === 0; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 0));
      }
      expect(reported).toEqual(["neverRun"]);
    } finally {
      setNeverAwaitedReporter((name) => console.warn(`RuntimeWarning: coroutine '${name}' was never awaited`));
    }
  });
});

describe("names and string forms", () => {
  test("default names are Task-N in creation order; setName renames", async () => {
    await run(define("main", 1, function* () {
      const a = forever();
      const b = forever();
      const na = Number(a.getName().slice(5));
      expect(a.getName()).toMatch(/^Task-\d+$/);
      expect(b.getName()).toBe(`Task-${na + 1}`);
      b.setName("worker");
      expect(b.getName()).toBe("worker");
      const c = createTask(forever.body(), { name: "named" });
      expect(c.getName()).toBe("named");
      for (const t of [a, b, c]) t.cancel();
    }));
  });

  test("the string form says where a pending task is suspended and how a done one ended", async () => {
    const child = define("child", 10, function* () {
      yield at(1, sleep(5));
      return 42;
    });
    const failing = define("failing", 20, function* () {
      yield at(0, sleep(1));
      throw new Error("boom");
    });
    await run(define("main", 1, function* () {
      const t = child();
      t.setName("Task-x");
      expect(String(t)).toBe("<Task pending name='Task-x' coro=<child() running at test.ts:12> wait_for=<Future pending>>");
      const awaiter = define("awaiter", 30, function* () {
        return yield at(0, t);
      })();
      awaiter.setName("a");
      expect(String(awaiter)).toBe(
        "<Task pending name='a' coro=<awaiter() running at test.ts:31> wait_for=<Task pending name='Task-x' coro=<child() running at test.ts:12> wait_for=<Future pending>>>",
      );
      yield at(0, t);
      expect(String(t)).toBe("<Task finished name='Task-x' coro=<child() done, defined at test.ts:10> result=42>");
      const f = failing();
      f.setName("f");
      yield at(0, sleep(2));
      expect(String(f)).toBe("<Task finished name='f' coro=<failing() done, defined at test.ts:20> exception=Error('boom')>");
      f.exception();
      const c = forever();
      c.setName("c");
      c.cancel();
      yield at(0, sleep(0));
      expect(String(c)).toBe("<Task cancelled name='c' coro=<forever() done, defined at test.ts:50>>");
    }), { virtualTime: true });
  });

  test("between cancel() and the end the string form says cancelling, as asyncio 3.12+", async () => {
    const stubborn = define("stubborn", 60, function* () {
      try {
        yield at(0, sleep(5));
      } catch {
        yield at(1, sleep(1));
      }
    });
    await run(define("main", 1, function* () {
      const t = stubborn();
      t.setName("s");
      expect(t.cancel()).toBe(true);
      // The awaited future is cancelled at once; the task learns of it at its next step.
      expect(String(t)).toBe("<Task cancelling name='s' coro=<stubborn() running at test.ts:61> wait_for=<Future cancelled>>");
      yield at(0, sleep(0));
      expect(String(t)).toBe("<Task cancelling name='s' coro=<stubborn() running at test.ts:62> wait_for=<Future pending>>");
      t.uncancel();
      expect(String(t)).toBe("<Task pending name='s' coro=<stubborn() running at test.ts:62> wait_for=<Future pending>>");
      yield at(0, t);
      expect(String(t)).toBe("<Task finished name='s' coro=<stubborn() done, defined at test.ts:60> result=undefined>");
    }), { virtualTime: true });
  });

  test("tasks awaiting each other in a cycle print, instead of recursing forever", async () => {
    await run(define("main", 1, function* () {
      const holder: { other?: unknown } = {};
      const first = define("first", 70, function* () {
        yield at(0, sleep(0));
        return yield at(1, holder.other);
      })();
      const second = define("second", 80, function* () {
        return yield at(0, first);
      })();
      holder.other = second;
      yield at(0, sleep(0));
      expect(String(second)).toBe(
        "<Task pending name='" + second.getName() + "' coro=<second() running at test.ts:81> wait_for=<Task pending name='" + first.getName() +
          "' coro=<first() running at test.ts:72> wait_for=<Task ...>>>",
      );
      first.cancel();
      yield at(0, sleep(0));
    }), { virtualTime: true });
  });
});

describe("cancellation", () => {
  test("cancel() while waiting on a future cancels that future and throws CancelledError(msg) at the await", async () => {
    const log: string[] = [];
    await run(define("main", 1, function* () {
      const fut = getRunningLoop().createFuture();
      const waiter = define("waiter", 10, function* () {
        try {
          yield at(0, fut);
        } catch (e) {
          log.push(`${(e as Error).name}:${(e as Error).message}`);
          throw e;
        }
      })();
      yield at(0, sleep(0));
      expect(waiter.cancel("stop now")).toBe(true);
      expect(fut.cancelled()).toBe(true);
      expect(waiter.cancelled()).toBe(false); // not until the coroutine ends
      try {
        yield at(1, waiter);
      } catch (e) {
        log.push(`main saw ${(e as Error).message}`);
      }
      expect(waiter.cancelled()).toBe(true);
    }));
    expect(log).toEqual(["CancelledError:stop now", "main saw stop now"]);
  });

  test("cancel() before the first step throws at that step: the body never runs", async () => {
    const log: string[] = [];
    const f = define("f", 1, function* () {
      log.push("body ran");
    }, { mode: "lazy" });
    await run(define("main", 1, function* () {
      const t = createTask(f());
      expect(t.cancel()).toBe(true);
      try {
        yield at(0, t);
      } catch (e) {
        log.push((e as Error).name);
      }
      expect(t.cancelled()).toBe(true);
    }));
    expect(log).toEqual(["CancelledError"]);
  });

  test("cancel() of a done task returns false", async () => {
    const f = define("f", 1, function* () {
      return 1;
    });
    const t = f();
    expect(t.done()).toBe(true);
    expect(t.cancel()).toBe(false);
    expect(t.result()).toBe(1);
  });

  test("a coroutine may catch the CancelledError and deny the cancellation", async () => {
    const stubborn = define("stubborn", 1, function* () {
      try {
        yield at(0, sleep(10));
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
      }
      yield at(1, sleep(1));
      return "finished anyway";
    });
    await run(define("main", 1, function* () {
      const t = stubborn();
      yield at(0, sleep(1));
      t.cancel();
      const result = yield at(1, t);
      expect(result).toBe("finished anyway");
      expect(t.cancelled()).toBe(false);
      expect(t.cancelling()).toBe(1);
    }), { virtualTime: true });
  });

  test("a task that raises CancelledError on its own ends cancelled", async () => {
    const f = define("f", 1, function* () {
      yield at(0, sleep(0));
      throw new CancelledError("self");
    });
    const t = f();
    await expect(t).rejects.toThrow(CancelledError);
    expect(t.cancelled()).toBe(true);
    expect(() => t.result()).toThrow("self");
  });

  test("cancel() while scheduled (after sleep(0)) throws at the next step", async () => {
    const log: string[] = [];
    await run(define("main", 1, function* () {
      const t = define("spinner", 1, function* () {
        for (;;) {
          try {
            yield at(0, sleep(0));
          } catch (e) {
            log.push((e as Error).name);
            throw e;
          }
        }
      })();
      t.cancel();
      yield at(0, sleep(0));
      yield at(0, sleep(0));
      expect(t.cancelled()).toBe(true);
    }));
    expect(log).toEqual(["CancelledError"]);
  });

  test("a task that cancels itself is cancelled at its next await", async () => {
    const t = define("selfish", 1, function* () {
      currentTask()!.cancel("me");
      yield at(0, sleep(0));
      return "not reached";
    })();
    await expect(t).rejects.toThrow("me");
    expect(t.cancelled()).toBe(true);
  });

  test("cancelling() counts requests and uncancel() takes them back", async () => {
    await run(define("main", 1, function* () {
      const t = forever();
      expect(t.cancelling()).toBe(0);
      t.cancel();
      t.cancel();
      expect(t.cancelling()).toBe(2);
      expect(t.uncancel()).toBe(1);
      expect(t.uncancel()).toBe(0);
      expect(t.uncancel()).toBe(0);
      t.cancel();
      yield at(0, sleep(0));
      expect(t.cancelled()).toBe(true);
    }));
  });

  test("cancel() while awaiting a native Promise wakes the task at once; the Promise's later rejection is not unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      let reject!: (e: unknown) => void;
      const promise = new Promise((_, r) => (reject = r));
      const log: string[] = [];
      await run(define("main", 1, function* () {
        const t = define("waiter", 1, function* () {
          try {
            yield at(0, promise);
          } finally {
            log.push("finally");
          }
        })();
        yield at(0, sleep(0));
        t.cancel();
        try {
          yield at(1, t);
        } catch (e) {
          log.push((e as Error).name);
        }
      }));
      expect(log).toEqual(["finally", "CancelledError"]);
      reject(new Error("late"));
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  test("signal aborts when cancellation is requested, with a CancelledError reason", async () => {
    await run(define("main", 1, function* () {
      const t = forever();
      const signal = t.signal;
      expect(signal.aborted).toBe(false);
      t.cancel("bye");
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBeInstanceOf(CancelledError);
      expect((signal.reason as Error).message).toBe("bye");
      const u = forever();
      u.cancel();
      expect(u.signal.aborted).toBe(true);
    }));
  });

  test("in debug mode a swallowed cancellation is reported with the task and the catch site", async () => {
    const reports: ExceptionContext[] = [];
    await run(define("main", 1, function* () {
      getRunningLoop().setExceptionHandler((_l, c) => reports.push(c));
      const swallow = define("swallow", 100, function* () {
        try {
          yield at(0, sleep(10));
        } catch {
          abiCaught(1);
        }
        return "carried on";
      })();
      swallow.setName("swallower");
      yield at(0, sleep(1));
      swallow.cancel();
      expect(yield at(1, swallow)).toBe("carried on");
      const polite = define("polite", 200, function* () {
        try {
          yield at(0, sleep(10));
        } catch {
          abiCaught(0);
          currentTask()!.uncancel();
        }
        return "uncancelled";
      })();
      yield at(0, sleep(1));
      polite.cancel();
      expect(yield at(1, polite)).toBe("uncancelled");
    }), { debug: true, virtualTime: true });
    expect(reports).toHaveLength(1);
    expect(reports[0]!.message).toContain("Task swallower swallowed a CancelledError in swallow at test.ts:121");
    expect(reports[0]!.catchSite).toBe("test.ts:121:5");
  });
});

test("without debug mode a swallowed cancellation is not reported", async () => {
  const reports: ExceptionContext[] = [];
  const result = await run(define("main", 1, function* () {
    getRunningLoop().setExceptionHandler((_l, c) => reports.push(c));
    const swallows = define("swallows", 500, function* () {
      try {
        yield at(0, sleep(10));
      } catch {
        abiCaught(0);
      }
      return "carried on";
    })();
    yield at(0, sleep(1));
    swallows.cancel();
    return yield at(1, swallows);
  }), { virtualTime: true });
  expect(result).toBe("carried on");
  expect(reports).toEqual([]);
});

test("in debug mode a catch that awaits before it calls uncancel() is not reported; one that awaits and carries on is, when the task returns", async () => {
  const reports: ExceptionContext[] = [];
  const results = await run(define("main", 1, function* () {
    getRunningLoop().setExceptionHandler((_l, c) => reports.push(c));
    const politeLater = define("politeLater", 300, function* () {
      try {
        yield at(0, sleep(10));
      } catch {
        abiCaught(0);
        yield at(1, sleep(1));
        currentTask()!.uncancel();
      }
      yield at(2, sleep(1));
      return "uncancelled";
    })();
    const dropsLater = define("dropsLater", 400, function* () {
      try {
        yield at(0, sleep(10));
      } catch {
        abiCaught(1);
        yield at(1, sleep(1));
      }
      yield at(2, sleep(1));
      return "dropped";
    })();
    yield at(0, sleep(1));
    politeLater.cancel();
    dropsLater.cancel();
    yield at(1, sleep(1.5)); // both went on past their catch, and neither has returned
    const reportedBeforeReturn = reports.length;
    return [yield at(2, politeLater), yield at(3, dropsLater), reportedBeforeReturn];
  }), { debug: true, virtualTime: true });
  expect(results).toEqual(["uncancelled", "dropped", 0]);
  expect(reports.map((r) => r.catchSite)).toEqual(["test.ts:421:5"]);
});

test("in debug mode a catch that awaits, then takes back one of two cancels, is not reported: uncancel() was called", async () => {
  const reports: ExceptionContext[] = [];
  const result = await run(define("main", 1, function* () {
    getRunningLoop().setExceptionHandler((_l, c) => reports.push(c));
    const twice = define("twice", 600, function* () {
      try {
        yield at(0, sleep(10));
      } catch {
        abiCaught(0);
        yield at(1, sleep(1));
        return currentTask()!.uncancel(); // one request is still outstanding
      }
    })();
    yield at(0, sleep(1));
    twice.cancel();
    twice.cancel();
    return yield at(1, twice);
  }), { debug: true, virtualTime: true });
  expect(result).toBe(1);
  expect(reports).toEqual([]);
});

test("in debug mode a callee on the trampoline that takes the cancel and returns is reported at once, before its caller goes on", async () => {
  const log: string[] = [];
  const callee = define("callee", 700, function* () {
    try {
      yield at(0, sleep(10));
    } catch {
      abiCaught(0);
    }
    return "callee carried on";
  }, { mode: "lazy" });
  const caller = define("caller", 800, function* () {
    const value = yield at(0, inline(callee));
    log.push(`caller resumed with ${value}`);
    yield at(1, sleep(5));
    return "caller done";
  }, { mode: "lazy" });
  await run(define("main", 1, function* () {
    getRunningLoop().setExceptionHandler((_l, c) => log.push(`report at ${c.catchSite}`));
    const task = createTask(caller());
    yield at(0, sleep(1));
    task.cancel();
    log.push(`main got ${yield at(1, task)}`);
  }), { debug: true, virtualTime: true });
  expect(log).toEqual(["report at test.ts:720:5", "caller resumed with callee carried on", "main got caller done"]);
});

import { abi } from "../../runtime/index.js";
function abiCaught(index: number): void {
  abi.siteRegister.caught = index;
}

describe("awaiting", () => {
  test("await of a plain value resumes in a later iteration with the value", async () => {
    const order: string[] = [];
    await run(define("main", 1, function* () {
      const other = define("other", 1, function* () {
        order.push("other");
      })();
      void other;
      const v = yield at(0, 5);
      order.push(`main got ${v}`);
    }));
    expect(order).toEqual(["other", "main got 5"]);
  });

  test("await of a function with a then method adopts it, and an object whose then is not a function is a plain value", async () => {
    const callable = Object.assign(() => "called", { then: (ok: (v: string) => void) => setTimeout(() => ok("settled"), 1) });
    const notThenable = { then: 42 };
    expect(await run(define("main", 1, function* () {
      return [yield at(0, callable), yield at(1, notThenable)];
    }))).toEqual(["settled", notThenable]);
  });

  test("a cancel() made while the task runs is delivered at its next await of a native Promise, which it lets go of", async () => {
    const log: string[] = [];
    await run(define("main", 1, function* () {
      const t = define("selfCancelling", 1, function* () {
        currentTask()!.cancel("from inside");
        try {
          yield at(0, new Promise(() => undefined)); // never settles
        } catch (e) {
          log.push(`${(e as Error).name}: ${(e as Error).message}`);
          throw e;
        }
      })();
      yield at(0, sleep(1));
      log.push(`cancelled ${t.cancelled()}`);
    }), { virtualTime: true });
    expect(log).toEqual(["CancelledError: from inside", "cancelled true"]);
  });

  test("a cancel() made while the task runs goes to the Future it then awaits, and is delivered once", async () => {
    const log: string[] = [];
    await run(define("main", 1, function* () {
      const awaited = getRunningLoop().createFuture();
      const t = define("selfCancelling", 1, function* () {
        currentTask()!.cancel("from inside");
        try {
          yield at(0, awaited);
        } catch (e) {
          log.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
        yield at(1, sleep(1)); // no second CancelledError here
        return "carried on";
      })();
      yield at(0, sleep(0));
      log.push(`future cancelled ${awaited.cancelled()}`);
      log.push(String(yield at(1, t)));
    }), { virtualTime: true });
    expect(log).toEqual(["CancelledError: from inside", "future cancelled true", "carried on"]);
  });

  test("await of a custom thenable waits for it to settle", async () => {
    const thenable = { then: (ok: (v: number) => void) => setTimeout(() => ok(9), 1) };
    expect(await run(define("main", 1, function* () {
      return yield at(0, thenable);
    }))).toBe(9);
  });

  test("a thenable's then() gets nameless callbacks of length 1, like native await's resolving functions", async () => {
    const seen: Array<[string, number]> = [];
    const thenable = {
      then(ok: (v: unknown) => void, fail: (e: unknown) => void) {
        seen.push([ok.name, ok.length], [fail.name, fail.length]);
        ok(1);
      },
    };
    await run(define("main", 1, function* () {
      yield at(0, thenable);
    }));
    expect(seen).toEqual([["", 1], ["", 1]]);
  });

  describe("a native Promise with a patched then", () => {
    // Native await chains a plain Promise with the built-in then (PerformPromiseThen) and a
    // subclass through its own then (PromiseResolve): each case is checked against a native
    // async function doing the same await.
    const awaitOnce = (promise: Promise<unknown>) =>
      run(define("main", 1, function* () {
        try {
          return `value ${String(yield at(0, promise))}`;
        } catch (e) {
          return `caught ${(e as Error).message}`;
        }
      }));
    const awaitNatively = async (promise: Promise<unknown>) => {
      try {
        return `value ${String(await promise)}`;
      } catch (e) {
        return `caught ${(e as Error).message}`;
      }
    };
    const patchedThens: Record<string, () => Promise<unknown>> = {
      "a patched then that resolves with something else": () => {
        const promise: Promise<unknown> = Promise.resolve(1);
        promise.then = function (this: Promise<unknown>, ok, fail) {
          return Promise.prototype.then.call(Promise.resolve(2), ok, fail);
        } as Promise<unknown>["then"];
        return promise;
      },
      "a patched then that throws": () => {
        const promise: Promise<unknown> = Promise.resolve(1);
        promise.then = () => {
          throw new Error("then threw");
        };
        return promise;
      },
      "a then getter that throws": () => {
        const promise: Promise<unknown> = Promise.resolve(1);
        Object.defineProperty(promise, "then", {
          get() {
            throw new Error("getter threw");
          },
        });
        return promise;
      },
      "a then that is not callable": () => {
        const promise = Promise.resolve("built-in");
        (promise as { then: unknown }).then = 42;
        return promise;
      },
    };
    for (const [name, make] of Object.entries(patchedThens)) {
      test(`${name} is ignored on a plain Promise, as native await ignores it`, async () => {
        const native = await awaitNatively(make());
        expect(await awaitOnce(make())).toBe(native);
        expect(native).toMatch(/^value (1|built-in)$/);
      });
    }

    test("a constructor getter that throws throws at the await, as natively", async () => {
      const make = () => {
        const promise = Promise.resolve(1);
        Object.defineProperty(promise, "constructor", {
          get() {
            throw new Error("constructor threw");
          },
        });
        return promise;
      };
      expect(await awaitOnce(make())).toBe(await awaitNatively(make()));
      expect(await awaitOnce(make())).toBe("caught constructor threw");
    });

    test("a subclass is adopted through its own then, which may settle once and then throw", async () => {
      const calls: string[] = [];
      class Sub extends Promise<unknown> {
        override then(ok?: ((v: unknown) => unknown) | null): Promise<never> {
          calls.push("then");
          ok?.("settled first");
          throw new Error("thrown after");
        }
      }
      const make = () => new Sub((resolve) => resolve(1));
      const native = await awaitNatively(make());
      expect(await awaitOnce(make())).toBe(native);
      expect(native).toBe("value settled first");
      expect(calls).toEqual(["then", "then"]);
    });
  });

  test("a task awaiting itself gets a RuntimeError", async () => {
    const t = define("narcissus", 1, function* () {
      yield at(0, sleep(0));
      yield at(1, currentTask());
    })();
    await expect(t).rejects.toThrow(/Task cannot await on itself/);
  });

  test("await of a done future does not suspend", async () => {
    await run(define("main", 1, function* () {
      const f = getRunningLoop().createFuture();
      f.setResult("now");
      let otherCallbackRan = false;
      getRunningLoop().callSoon(() => (otherCallbackRan = true));
      expect(yield at(0, f)).toBe("now");
      expect(otherCallbackRan).toBe(false);
    }));
  });

  test("await of a future done with an exception raises it at the await without suspending", async () => {
    const failure = new RangeError("already failed");
    const caught = await run(define("main", 1, function* () {
      const f = getRunningLoop().createFuture();
      f.setException(failure);
      let otherCallbackRan = false;
      getRunningLoop().callSoon(() => (otherCallbackRan = true));
      try {
        yield at(0, f);
      } catch (e) {
        return [e, otherCallbackRan];
      }
      return null;
    }));
    expect(caught).toEqual([failure, false]);
  });

  test("each step runs in the AsyncLocalStorage context the task was created in", async () => {
    const als = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    const reader = define("reader", 1, function* () {
      seen.push(als.getStore());
      yield at(0, sleep(0));
      seen.push(als.getStore());
      yield at(1, Promise.resolve());
      seen.push(als.getStore());
    }, { mode: "lazy" });
    await run(define("main", 1, function* () {
      const a = als.run("A", () => createTask(reader()));
      const b = als.run("B", () => createTask(reader()));
      yield at(0, a);
      yield at(1, b);
    }));
    expect(seen).toEqual(["A", "B", "A", "B", "A", "B"]);
  });
});

describe("stacks", () => {
  const leaf = define("leaf", 30, function* () {
    yield at(0, sleep(10));
  }, { sources: ["await sleep(10);"] });
  const middle = define("middle", 20, function* () {
    yield at(0, inline(leaf));
  }, { sources: ["await leaf();"] });
  const top = define("top", 10, function* () {
    yield at(1, inline(middle));
  }, { sources: ["", "await middle();"] });

  test("getStack gives one frame per coroutine of the await chain, oldest first, with source text", async () => {
    await run(define("main", 1, function* () {
      const t = top();
      yield at(0, sleep(1));
      expect(t.getStack()).toEqual([
        { functionName: "top", fileName: "test.ts", lineNumber: 12, columnNumber: 3, source: "await middle();" },
        { functionName: "middle", fileName: "test.ts", lineNumber: 21, columnNumber: 3, source: "await leaf();" },
        { functionName: "leaf", fileName: "test.ts", lineNumber: 31, columnNumber: 3, source: "await sleep(10);" },
      ]);
      expect(t.getStack({ limit: 1 }).map((f) => f.functionName)).toEqual(["leaf"]);
      t.cancel();
    }), { virtualTime: true });
  });

  test("printStack writes the chain in Python's layout", async () => {
    let text = "";
    await run(define("main", 1, function* () {
      const t = top();
      t.setName("Task-9");
      yield at(0, sleep(1));
      t.printStack({ file: { write: (s: string) => (text += s) } });
      t.cancel();
    }), { virtualTime: true });
    expect(text).toBe(
      "Stack for <Task pending name='Task-9' coro=<top() running at test.ts:12> wait_for=<Future pending>> (most recent call last):\n" +
        '  File "test.ts", line 12, in top\n' +
        "    await middle();\n" +
        '  File "test.ts", line 21, in middle\n' +
        "    await leaf();\n" +
        '  File "test.ts", line 31, in leaf\n' +
        "    await sleep(10);\n",
    );
  });

  test("getStack refuses a limit that is not a number; a limit of 0 or less gives no frames, pending or failed", async () => {
    const thrower = define("thrower", 40, function* () {
      yield at(0, sleep(0));
      throw new TypeError("bad thing");
    });
    const failed = define("caller", 50, function* () {
      yield at(0, inline(thrower));
    })();
    await failed.catch(() => undefined);
    await run(define("main", 1, function* () {
      const t = top();
      yield at(0, sleep(1));
      expect(() => t.getStack({ limit: "2" as never })).toThrow(new TypeError('getStack limit must be a number, got string "2"'));
      expect(() => t.getStack({ limit: NaN })).toThrow(new TypeError("getStack limit must be a number, got number NaN"));
      for (const limit of [0, -1]) {
        expect([t.getStack({ limit }), failed.getStack({ limit })]).toEqual([[], []]);
      }
      expect(t.getStack({ limit: 2 }).map((f) => f.functionName)).toEqual(["middle", "leaf"]);
      let text = "";
      t.printStack({ limit: 1, file: { write: (s: string) => (text += s) } });
      expect(text.split("\n").filter((l) => l.startsWith("  File"))).toEqual(['  File "test.ts", line 31, in leaf']);
      t.cancel();
    }), { virtualTime: true });
  });

  test("printStack of a task with no frames says so; of one without source text, lists the frames alone; by default writes to stderr", async () => {
    const plain = define("plain", 60, function* () {
      yield at(0, sleep(0.01));
      return 1;
    }); // no source text, and no file "test.ts" to read it from
    const finished = plain();
    await finished;
    const cancelled = plain();
    cancelled.cancel();
    await cancelled.catch(() => undefined);
    const texts: string[] = [];
    const write = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (texts.push(String(s)), true));
    try {
      finished.printStack();
      cancelled.printStack();
      await run(define("main", 1, function* () {
        const waiting = plain();
        waiting.setName("W");
        const blank = define("blank", 70, function* () {
          yield at(0, sleep(0.01));
        }, { sources: [""] })(); // a blank source line is not printed
        blank.setName("B");
        yield at(0, sleep(0.005));
        waiting.printStack();
        blank.printStack();
        waiting.cancel();
        blank.cancel();
      }), { virtualTime: true });
    } finally {
      write.mockRestore();
    }
    expect(texts).toEqual([
      `No stack for ${finished.toString()}\n`,
      `No stack for ${cancelled.toString()}\n`,
      "Stack for <Task pending name='W' coro=<plain() running at test.ts:61> wait_for=<Future pending>> (most recent call last):\n" +
        '  File "test.ts", line 61, in plain\n',
      "Stack for <Task pending name='B' coro=<blank() running at test.ts:71> wait_for=<Future pending>> (most recent call last):\n" +
        '  File "test.ts", line 71, in blank\n',
    ]);
  });

  test("a failed task's stack is the traceback, and printStack ends with the error", async () => {
    const thrower = define("thrower", 40, function* () {
      yield at(0, sleep(0));
      throw new TypeError("bad thing");
    }, { sources: ["await sleep(0);"] });
    const caller = define("caller", 50, function* () {
      yield at(0, inline(thrower));
    }, { sources: ["await thrower();"] });
    const t = caller();
    t.setName("T");
    await expect(t).rejects.toThrow("bad thing");
    expect(t.getStack().map((f) => `${f.functionName}:${f.lineNumber}`)).toEqual(["caller:51", "thrower:41"]);
    expect(t.getStack({ limit: 1 }).map((f) => f.functionName)).toEqual(["caller"]);
    let text = "";
    t.printStack({ file: { write: (s: string) => (text += s) } });
    expect(text).toBe(
      "Traceback for <Task finished name='T' coro=<caller() done, defined at test.ts:50> exception=TypeError('bad thing')> (most recent call last):\n" +
        '  File "test.ts", line 51, in caller\n' +
        "    await thrower();\n" +
        '  File "test.ts", line 41, in thrower\n' +
        "    await sleep(0);\n" +
        "TypeError: bad thing\n",
    );
  });

  test("an error passing through coroutines carries 'at async' frames in its stack", async () => {
    const thrower = define("thrower", 40, function* () {
      yield at(0, sleep(0));
      throw new Error("deep");
    });
    const caller = define("caller", 50, function* () {
      yield at(0, inline(thrower));
    });
    const error = await caller().catch((e: Error) => e);
    expect((error as Error).stack).toContain("\n    at async caller (test.ts:51:3)");
  });

  test("an error's stack keeps the user's frames and drops the stepper's, as a native async stack reads", async () => {
    const thrower = define("thrower", 40, function* () {
      yield at(0, sleep(0));
      throw new Error("deep");
    });
    const error = (await thrower().catch((e: Error) => e)) as Error;
    const lines = error.stack!.split("\n").slice(1);
    expect(lines[0]).toMatch(/^    at thrower \(.*task\.test\.ts:\d+:\d+\)$/);
    expect(lines.filter((l) => /runtime\/(task|event-loop|context)\.ts|\.next \(<anonymous>\)|node:internal|node:async_hooks/.test(l))).toEqual([]);
  });

  test("a cancelled task's CancelledError: its stack is the await it struck, and it has a native error's own keys", async () => {
    const c = forever();
    await sleep(0);
    c.cancel();
    const error = (await c.catch((e: unknown) => e)) as CancelledError;
    expect(error.stack).toBe("CancelledError\n    at async forever (test.ts:51:3)");
    // The runtime's bookkeeping is a private field: nothing a user can see beyond a user's own.
    expect(Reflect.ownKeys(error)).toEqual(Reflect.ownKeys(new CancelledError()));
    expect(Object.keys(error)).toEqual([]);
  });

  test("a cancelled future's error raised in user code, its message holding a newline, gets the frames it leaves", async () => {
    const reader = define("reader", 60, function* () {
      const fut = getRunningLoop().createFuture();
      fut.cancel("two\nlines");
      yield at(0, sleep(0));
      fut.result();
    });
    const caller = define("caller", 70, function* () {
      yield at(0, inline(reader));
    });
    const error = (await caller().catch((e: unknown) => e)) as CancelledError;
    expect(error.stack).toBe("CancelledError: two\nlines\n    at async reader (test.ts:61:3)\n    at async caller (test.ts:71:3)");
  });

  test("a user's CancelledError made without frames gets the lines of the chain it strikes, up to Error.stackTraceLimit", async () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let made: CancelledError;
    try {
      made = new CancelledError("mine");
    } finally {
      Error.stackTraceLimit = limit;
    }
    const fut = getEventLoop().createFuture();
    const leaf = define("leaf", 80, function* () {
      yield at(0, fut);
    });
    const caller = define("caller", 90, function* () {
      yield at(0, inline(leaf));
    });
    const t = caller();
    await sleep(0);
    fut.setException(made);
    expect(await t.catch((e: unknown) => e)).toBe(made);
    expect(made.stack).toBe("CancelledError: mine\n    at async leaf (test.ts:81:3)\n    at async caller (test.ts:91:3)");
    Error.stackTraceLimit = 1;
    try {
      const shallow = forever();
      const outer = define("outer", 95, function* () {
        yield at(0, shallow);
      })();
      await sleep(0);
      shallow.cancel();
      const error = (await outer.catch((e: unknown) => e)) as Error;
      expect(error.stack).toBe("CancelledError\n    at async forever (test.ts:51:3)");
    } finally {
      Error.stackTraceLimit = limit;
    }
  });

  test("under an Error.stackTraceLimit that is not a number, errors get no `at async` lines, as V8 writes no frames then", async () => {
    const limit = Error.stackTraceLimit;
    const shallow = forever();
    const outer = define("outer", 95, function* () {
      yield at(0, shallow);
    })();
    await sleep(0);
    Error.stackTraceLimit = undefined as unknown as number;
    try {
      shallow.cancel();
      expect(((await outer.catch((e: unknown) => e)) as Error).stack).toBe("CancelledError");
    } finally {
      Error.stackTraceLimit = limit;
    }
    const raises = define("raises", 100, function* (unlimited: boolean) {
      yield at(0, sleep(0));
      const error = new Error("made with frames");
      if (unlimited) Error.stackTraceLimit = undefined as unknown as number;
      throw error;
    }, { mode: "lazy" });
    const catches = define("catches", 110, function* (unlimited: boolean) {
      try {
        yield at(0, inline(raises, unlimited)); // a level of its own: the error passes into this frame
      } catch (e) {
        Error.stackTraceLimit = limit;
        return (e as Error).stack;
      }
    });
    expect(await catches(false)).toContain("\n    at async catches (test.ts:111:3)");
    expect(await catches(true)).not.toContain("at async");
  });

  test("a user's CancelledError whose stack is not a string is raised as it is", async () => {
    const made = new CancelledError("no stack string");
    Object.defineProperty(made, "stack", { value: 42, writable: true });
    const raises = define("raisesIt", 120, function* () {
      yield at(0, sleep(0));
      throw made;
    }, { mode: "lazy" });
    const t = define("awaitsIt", 130, function* () {
      yield at(0, inline(raises));
    })();
    expect(await t.catch((e: unknown) => e)).toBe(made);
    expect(t.cancelled()).toBe(true);
    expect(made.stack).toBe(42);
  });

  test("a function cancelled at one await, then at another, gets each await's line", async () => {
    const twoAwaits = define("twoAwaits", 200, function* (second: boolean) {
      if (!second) return yield at(0, sleep(1e9));
      yield at(0, sleep(0));
      return yield at(1, sleep(1e9));
    });
    const stacks: unknown[] = [];
    for (const second of [false, true]) {
      const task = twoAwaits(second);
      await sleep(0);
      await sleep(0);
      task.cancel();
      stacks.push(((await task.catch((e: unknown) => e)) as Error).stack);
    }
    expect(stacks).toEqual(["CancelledError\n    at async twoAwaits (test.ts:201:3)", "CancelledError\n    at async twoAwaits (test.ts:202:3)"]);
  });

  test("a user's CancelledError with frames of its own keeps its stack as V8 wrote it", async () => {
    const made = new CancelledError("own frames");
    const before = made.stack;
    const fut = getEventLoop().createFuture();
    const t = define("leaf", 80, function* () {
      yield at(0, fut);
    })();
    await sleep(0);
    fut.setException(made);
    await t.catch(() => {});
    expect(made.stack).toBe(before);
  });

  test("a successful or cancelled task has an empty stack", async () => {
    const ok = define("ok", 1, function* () {
      return 1;
    })();
    expect(ok.getStack()).toEqual([]);
    const c = forever();
    c.cancel();
    await c.catch(() => {});
    expect(c.getStack()).toEqual([]);
  });
});

describe("tasks of a loop", () => {
  test("currentTask is the running task inside a step and null outside", async () => {
    expect(currentTask()).toBeNull();
    let inside: unknown = null;
    const t = define("f", 1, function* () {
      yield at(0, sleep(0));
      inside = currentTask();
    })();
    await t;
    expect(inside).toBe(t);
  });

  test("allTasks holds the pending tasks and drops finished ones", async () => {
    await run(define("main", 1, function* () {
      const t = forever();
      const done = define("quick", 1, function* () {
        return 1;
      })();
      const tasks = allTasks();
      expect(tasks.has(t)).toBe(true);
      expect(tasks.has(currentTask()!)).toBe(true);
      expect(tasks.has(done)).toBe(false);
      t.cancel();
      yield at(0, sleep(0));
      expect(allTasks().has(t)).toBe(false);
    }));
  });

  test("a task's failure nobody retrieved is reported through the exception handler when it is collected", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) {
      console.warn("skipped: run jest under node --expose-gc to test collection reports");
      return;
    }
    const loop = newEventLoop();
    const reports: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, c) => reports.push(c));
    // Lazy, scheduled by createTask: no host rejection (an eager call's failure is also one:
    // host-rejection.test.ts), so that only asyncio's report is left to see.
    const failing = define("failing", 1, function* () {
      throw new Error("lost");
    }, { mode: "lazy" });
    const fut = loop.createFuture();
    loop.callSoon(() => {
      loop.createTask(failing());
      fut.setResult(null);
    });
    await loop.runUntilComplete(fut);
    for (let i = 0; i < 10 && reports.length === 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(reports.map((r) => r.message)).toEqual(["Task exception was never retrieved"]);
    expect((reports[0]!.exception as Error).message).toBe("lost");
    loop.close();
  });
});

describe("bad input", () => {
  test("createTask of a non-coroutine is a TypeError naming what came, and the loop goes on", async () => {
    await run(define("main", 1, function* () {
      expect(() => createTask(42 as any)).toThrow(/^createTask expected a coroutine, got number 42$/);
      expect(() => createTask((() => 1) as any)).toThrow(/^createTask expected a coroutine, got function <anonymous>; did you mean to call it: fn\(\)\?$/);
      expect(() => createTask((async () => {}) as any)).toThrow(/^createTask expected a coroutine, got the native async function <anonymous>: /);
      expect(() => createTask(Promise.resolve(1) as any)).toThrow(/got a native Promise: the function that produced it was not compiled by corotask/);
      expect(() => createTask((async function fetchUser() {}) as any)).toThrow(/native async function fetchUser: the function that produced it was not compiled/);
      expect(() => createTask(forever as any)).toThrow(/did you mean to call it: forever\(\)/);
      expect(() => ensureFuture({} as any)).toThrow("ensureFuture expected a Future, a coroutine or a thenable, got an Object");
      yield at(0, sleep(0));
      return "still running";
    }));
  });

  test("run() of an uncompiled async function says the function was not compiled by corotask", async () => {
    await expect(run(async function handler() {} as any)).rejects.toThrow(
      /run expected a coroutine, got a native Promise: the function that produced it was not compiled by corotask/,
    );
  });

  test("run() from inside a running task is a RuntimeError, as asyncio.run's", async () => {
    const error = await run(define("main", 1, function* () {
      try {
        yield at(0, run(define("inner", 1, function* () {
          return 1;
        })));
      } catch (e) {
        return e;
      }
    }));
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toBe("run() cannot be called from a running event loop; await the coroutine instead");
  });

  test("setResult and setException on a task raise RuntimeError", async () => {
    const t = forever();
    expect(() => t.setResult(undefined)).toThrow("Task does not support set_result operation");
    expect(() => t.setException(new Error())).toThrow("Task does not support set_exception operation");
    t.cancel();
    await t.catch(() => {});
  });

  test("a parameter initialiser that throws gives a failed task, not a synchronous throw", async () => {
    const f = abi.asyncFunction(abi.coroutineBody(function* g(x: number = (() => { throw new Error("param"); })()) {
      return x;
    }, { name: "g", file: "t.ts", line: 1, column: 1, sites: [] }), "eager");
    const t = f() as Task<number>;
    await expect(t).rejects.toThrow("param");
  });
});

describe("closing a lazy coroutine", () => {
  test("close() drops it unreported; awaiting it later throws RuntimeError; close() again does nothing", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    const reported: string[] = [];
    setNeverAwaitedReporter((name) => reported.push(name));
    let ran = false;
    try {
      const f = define("closedOne", 1, function* () {
        ran = true;
        return 1;
      }, { mode: "lazy" });
      const coro = f();
      expect(coro.started).toBe(false);
      coro.close();
      coro.close();
      expect(coro.started).toBe(true);
      const main = define("main", 1, function* () {
        try {
          yield at(0, coro);
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      });
      expect(await run(main, { virtualTime: true })).toBe("RuntimeError: cannot reuse already awaited coroutine 'closedOne'");
      expect(ran).toBe(false);
      if (gc !== undefined) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      expect(reported).toEqual([]);
    } finally {
      setNeverAwaitedReporter((name) => console.warn(`RuntimeWarning: coroutine '${name}' was never awaited`));
    }
  });
});

describe("the Task constructor and cancel() details", () => {
  const lazyValue = define("lazyValue", 60, function* (value: string) {
    yield at(0, sleep(0));
    return value;
  }, { mode: "lazy" });

  test("new Task(coro) with no options runs on the running loop, named Task-N; a null name is no name", async () => {
    const [plain, nullNamed, result] = await run(define("main", 1, function* () {
      const t = new Task(lazyValue("plain"));
      const n = new Task(lazyValue("null"), { name: null as never });
      return [t, n, [yield at(0, t), yield at(1, n)]] as const;
    }), { virtualTime: true });
    expect(result).toEqual(["plain", "null"]);
    expect(plain.getName()).toMatch(/^Task-\d+$/);
    expect(nullNamed.getName()).toMatch(/^Task-\d+$/);
    expect(() => new Task(42 as never)).toThrow(/^Task expected a coroutine, got number 42/);
  });

  test("the latest cancel() decides the message: cancel(\"first\") then cancel() carries none", async () => {
    const messages = await run(define("main", 1, function* () {
      const seen: string[] = [];
      for (const calls of [["first", undefined], ["first", "second"], [undefined, undefined]]) {
        const t = createTask(lazyValue("never"));
        for (const msg of calls) t.cancel(msg);
        try {
          yield at(0, t);
        } catch (e) {
          seen.push(`${(e as Error).name}:${(e as Error).message}`);
        }
      }
      return seen;
    }), { virtualTime: true });
    expect(messages).toEqual(["CancelledError:", "CancelledError:second", "CancelledError:"]);
  });

  test("cancel() of a task whose awaited Future is done but not yet delivered still cancels it", async () => {
    const outcome = await run(define("main", 1, function* () {
      const fut = getRunningLoop().createFuture<string>();
      const waiter = define("waiter", 70, function* () {
        return yield at(0, fut);
      });
      const t = createTask(waiter());
      yield at(0, sleep(0));
      fut.setResult("the result");
      const accepted = t.cancel("too late for the future");
      try {
        return [accepted, yield at(1, t)];
      } catch (e) {
        return [accepted, (e as Error).name, (e as Error).message, t.cancelled()];
      }
    }), { virtualTime: true });
    expect(outcome).toEqual([true, "CancelledError", "too late for the future", true]);
  });

  test("a task not yet started shows its function's first line as where it stands", () => {
    const loop = newEventLoop();
    const waiter = define("notStarted", 80, function* () {
      yield at(0, sleep(1));
      yield at(1, sleep(2));
    }, { mode: "lazy" });
    const t = loop.createTask(waiter());
    expect(t.getStack().map((f) => `${f.functionName}:${f.lineNumber}`)).toEqual(["notStarted:80"]);
    t.cancel();
    loop.close();
  });
});

describe("thenables a task has let go of, and thenables that call back twice", () => {
  test("after a Promise or a thenable settled, sleep(0) (a plain yield to the loop) resumes the task", async () => {
    const out = await run(define("main", 1, function* () {
      const a = yield at(0, Promise.resolve("promise"));
      yield at(1, sleep(0));
      const b = yield at(2, { then(ok: (v: string) => void) { ok("thenable"); } });
      yield at(3, sleep(0));
      return [a, b];
    }));
    expect(out).toEqual(["promise", "thenable"]);
  });

  test("a thenable that calls its callback twice resumes the task once", async () => {
    const seen = await run(define("main", 1, function* () {
      const log: string[] = [];
      const twice = { then(ok: (v: string) => void) { setTimeout(() => { ok("first"); ok("second"); }, 0); } };
      const waiter = define("waiter", 90, function* () {
        log.push(`resumed with ${yield at(0, twice)}`);
        // The second call comes while the task sleeps: it must not end the sleep.
        log.push(`slept: ${yield at(1, sleep(0.05, "sleep's value"))}`);
        return log;
      });
      return yield at(0, waiter());
    }));
    expect(seen).toEqual(["resumed with first", "slept: sleep's value"]);
  });

  test("a thenable settling after a cancel let go of it does not resume the task, waiting on another by then", async () => {
    const seen = await run(define("main", 1, function* () {
      let settleFirst!: (v: string) => void;
      let settleSecond!: (v: string) => void;
      const first = { then(ok: (v: string) => void) { settleFirst = ok; } };
      const second = new Promise<string>((ok) => (settleSecond = ok));
      const waiter = define("waiter", 100, function* () {
        try {
          yield at(0, first);
        } catch (e) {
          return `caught ${(e as Error).name}, then ${yield at(1, second)}`;
        }
        return "not cancelled";
      });
      const t = createTask(waiter());
      yield at(0, sleep(0));
      t.cancel();
      yield at(1, sleep(0));
      settleFirst("the first thenable's value");
      yield at(2, sleep(0));
      const doneEarly = t.done();
      settleSecond("the second's value");
      return [doneEarly, yield at(3, t)];
    }));
    expect(seen).toEqual([false, "caught CancelledError, then the second's value"]);
  });
});

describe("what the emitted code and the module functions hand on", () => {
  test("a call whose parameters fail to initialise is a failed task whose traceback shows no runtime frame", async () => {
    const init = new Error("parameter default threw");
    const fails = define("fails", 140, (() => {
      throw init;
    }) as unknown as () => Generator<unknown, never, unknown>);
    const task = fails();
    expect(await task.catch((e: unknown) => e)).toBe(init);
    expect(task.getStack()).toEqual([]);
  });

  test("a coroutine returning an object whose then getter throws fails with that error, directly or by delegation", async () => {
    const boom = new Error("then getter");
    const hostile = { get then(): never { throw boom; } };
    const returnsIt = define("returnsIt", 150, function* () {
      yield at(0, sleep(0));
      return hostile;
    });
    expect(await returnsIt().catch((e: unknown) => e)).toBe(boom);
    const caller = define("caller", 160, function* () {
      const k = abi.siteRegister.depth;
      try {
        return yield* delegating(returnsIt.body(), k, 0);
      } catch (e) {
        return e;
      }
    });
    expect(await caller()).toBe(boom);
  });

  test("a callee run by delegation that returns null, a function, or a callable thenable gives its caller what native await would", async () => {
    const plain = (): string => "a function";
    const callable = Object.assign(() => "not called", { then: (ok: (v: string) => void) => ok("adopted") });
    const returns = define("returns", 170, function* (value: unknown) {
      yield at(0, sleep(0));
      return value;
    });
    // The caller uses the value (returning it would have its own return adopt a thenable).
    const caller = define("caller", 180, function* (value: unknown) {
      const k = abi.siteRegister.depth;
      return [yield* delegating(returns.body(value), k, 0)];
    });
    expect(await caller(null)).toEqual([null]);
    expect(await caller(plain)).toEqual([plain]);
    expect(await caller(callable)).toEqual(["adopted"]);
  });

  test("currentTask(loop) of another loop than the stepping task's is null", async () => {
    const other = newEventLoop();
    const seen = await run(define("main", 1, function* () {
      yield at(0, sleep(0));
      return [currentTask() === null, currentTask(getRunningLoop()) === null, currentTask(other)];
    }));
    expect(seen).toEqual([false, false, null]);
    other.close();
  });

  test("in the eager first step of another loop's task, currentTask(loop) is the task it interrupted on that loop", async () => {
    const second = newEventLoop();
    const third = newEventLoop();
    const children: Task<unknown>[] = [];
    const seen = await run(define("main", 1, function* () {
      const main = currentTask();
      const loop = getRunningLoop();
      let inside: unknown[] = [];
      // main (this loop) starts child (second loop) eagerly, which starts grandchild (third loop).
      const grandchild = define("grandchild", 20, function* () {
        inside = [currentTask(loop) === main, currentTask(second)?.getName(), currentTask(third)?.getName()];
        yield at(0, sleep(0));
      }, { mode: "lazy" });
      const child = define("child", 10, function* () {
        children.push(new Task(grandchild(), { loop: third, eagerStart: true, name: "grandchild" }));
        yield at(0, sleep(0));
      }, { mode: "lazy" });
      children.push(new Task(child(), { loop: second, eagerStart: true, name: "child" }));
      return inside;
    }));
    expect(seen).toEqual([true, "child", "grandchild"]);
    for (const [task, loop] of [[children[0]!, third], [children[1]!, second]] as const) {
      task.cancel();
      await loop.runUntilComplete(task).catch(() => undefined);
      loop.close();
    }
  });

  test("an eager coroutine function's call goes through the loop's task factory", async () => {
    const made: string[] = [];
    const seen = await run(define("main", 1, function* () {
      const loop = getRunningLoop();
      loop.setTaskFactory((l, coro, options) => {
        made.push("factory");
        return new Task(coro as any, { ...options, loop: l });
      });
      const child = define("child", 190, function* () {
        return "ran";
      });
      const result = yield at(0, child());
      loop.setTaskFactory(null);
      return result;
    }));
    expect(seen).toBe("ran");
    expect(made).toEqual(["factory"]);
  });

  test("ensureFuture refuses a primitive even when its prototype has a then method, as native await does", () => {
    const proto = Number.prototype as unknown as { then?: unknown };
    proto.then = (ok: (v: unknown) => void) => ok("adopted");
    try {
      expect(() => ensureFuture(42 as any)).toThrow("ensureFuture expected a Future, a coroutine or a thenable, got number 42");
    } finally {
      delete proto.then;
    }
  });
});

describe("ensureFuture of a thenable", () => {
  type Then = (ok: (v: unknown) => void, fail: (e: unknown) => void) => void;
  const thenable = <T extends object>(value: T): PromiseLike<unknown> => value as unknown as PromiseLike<unknown>;
  const outcome = (future: { done(): boolean; cancelled(): boolean; exception(): unknown; result(): unknown }): unknown =>
    !future.done() ? "pending" : future.cancelled() ? "cancelled" : future.exception() !== null ? future.exception() : future.result();

  test("settles with the thenable's first outcome; a second call is ignored, not thrown at its caller", async () => {
    const loop = newEventLoop();
    const failure = new Error("failed");
    const futures = ([
      (ok) => ok("value"),
      (_ok, fail) => fail(failure),
      (ok, fail) => { ok("first"); fail(new Error("second")); },
      (ok, fail) => { fail(failure); ok("second"); },
    ] as Then[]).map((then) => ensureFuture(thenable({ then }), { loop }));
    // A function with a then method is a thenable too.
    futures.push(ensureFuture(thenable(Object.assign(() => {}, { then: ((ok) => ok("callable")) as Then })), { loop }));
    await loop.runUntilComplete(sleep(0));
    expect(futures.map(outcome)).toEqual(["value", failure, "first", failure, "callable"]);
    expect(futures.every((f) => f.getLoop() === loop)).toBe(true);
    loop.close();
  });

  test("a future cancelled before its thenable settles stays cancelled", async () => {
    const loop = newEventLoop();
    const settle: Array<(v: unknown) => void> = [];
    const futures = [0, 1].map(() => ensureFuture(thenable({ then: ((ok, fail) => settle.push(ok, fail)) as Then }), { loop }));
    futures.forEach((f) => f.cancel());
    settle[0]!("late");
    settle[3]!(new Error("late"));
    await loop.runUntilComplete(sleep(0));
    expect(futures.map(outcome)).toEqual(["cancelled", "cancelled"]);
    loop.close();
  });

  test("a Future of the given loop is returned as it is; a coroutine becomes a Task of that loop", async () => {
    const loop = newEventLoop();
    const future = loop.createFuture();
    expect(ensureFuture(future, { loop })).toBe(future);
    expect(ensureFuture(future)).toBe(future);
    const task = ensureFuture(define("child", 70, function* () { return "done"; }, { mode: "lazy" })(), { loop });
    expect(task).toBeInstanceOf(Task);
    expect(task.getLoop()).toBe(loop);
    expect(await loop.runUntilComplete(task)).toBe("done");
    expect(() => ensureFuture(null as any)).toThrow("ensureFuture expected a Future, a coroutine or a thenable, got null");
    expect(() => ensureFuture({ then: 1 } as any)).toThrow(/^ensureFuture expected a Future, a coroutine or a thenable, got/);
    loop.close();
  });
});

describe("what a step hands on", () => {
  test("a coroutine returning a thenable, a Promise or a callable thenable resolves to its outcome; null and functions are values", async () => {
    const callableThenable = Object.assign(() => "not called", { then(ok: (v: string) => void) { ok("callable thenable's value"); } });
    const plainFunction = (): string => "a function";
    const returns = define("returns", 110, function* (value: unknown) {
      yield at(0, sleep(0));
      return value;
    });
    const out = await run(define("main", 1, function* () {
      const seen: unknown[] = [];
      for (const value of [Promise.resolve("promise's value"), { then(ok: (v: string) => void) { ok("thenable's value"); } }, callableThenable, null, plainFunction]) {
        seen.push(yield at(0, returns(value)));
      }
      return seen;
    }));
    expect(out).toEqual(["promise's value", "thenable's value", "callable thenable's value", null, plainFunction]);
  });

  test("a CancelledError thrown in at an await lists the coroutine and the await it interrupted, as the coroutine catches it", async () => {
    const asyncLines = (e: unknown): string => (e as Error).stack!.split("\n").filter((l) => l.includes("at async")).join("|");
    const sleeper = define("sleeper", 120, function* () {
      try {
        yield at(0, sleep(10));
      } catch (e) {
        return asyncLines(e);
      }
      return "not cancelled";
    });
    const awaitsCancelled = define("awaitsCancelled", 130, function* () {
      const fut = getRunningLoop().createFuture();
      fut.cancel();
      try {
        yield at(0, fut);
      } catch (e) {
        return asyncLines(e);
      }
      return "not cancelled";
    });
    const stacks = await run(define("main", 1, function* () {
      const t = createTask(sleeper());
      yield at(0, sleep(1));
      t.cancel();
      return [yield at(1, t), yield at(2, awaitsCancelled())];
    }), { virtualTime: true });
    // Delivered by the loop (the sleep's Future cancelled), and at once (the Future was cancelled).
    expect(stacks[0]).toMatch(/^ {4}at async sleeper \(test\.ts:121:\d+\)$/);
    expect(stacks[1]).toMatch(/^ {4}at async awaitsCancelled \(test\.ts:131:\d+\)$/);
  });
});

test("a CancelledError that is a value (a Future's result) passes through an await unchanged", async () => {
  const [before, after] = await run(define("main", 1, function* () {
    const loop = getRunningLoop();
    // The runtime's own CancelledErrors (no frames of their own), taken from cancelled Futures.
    const values = ["a value", "another"].map((msg) => {
      const cancelled = loop.createFuture();
      cancelled.cancel(msg);
      try {
        cancelled.result();
      } catch (e) {
        return e as CancelledError;
      }
      throw new Error("result() of a cancelled Future did not throw");
    });
    const before = values.map((v) => v.stack);
    const done = loop.createFuture<CancelledError>();
    done.setResult(values[0]!);
    const later = loop.createFuture<CancelledError>();
    loop.callSoon(() => later.setResult(values[1]!));
    const got = [yield at(0, done), yield at(1, later)] as CancelledError[];
    return [before, got.map((v) => v.stack)];
  }), { virtualTime: true });
  expect(after).toEqual(before);
});

test("read before its first await, the stack shows a called coroutine at its first line", async () => {
  const inner = define("inner", 140, function* () {
    const stack = currentTask()!.getStack().map((f) => `${f.functionName}:${f.lineNumber}`);
    yield at(0, sleep(0));
    yield at(1, sleep(0));
    return stack;
  }, { mode: "lazy" });
  const outer = define("outer", 150, function* () {
    return yield at(0, inner());
  });
  expect(await run(outer, { virtualTime: true })).toEqual(["outer:151", "inner:140"]);
});
