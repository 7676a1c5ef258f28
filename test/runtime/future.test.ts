import { inspect } from "node:util";
import { CancelledError, Future, InvalidStateError, newEventLoop, EventLoop, type ExceptionContext } from "../../runtime/index.js";

/** Runs the loop until `future` is done. */
function settle(loop: EventLoop, future: Future<unknown>): Promise<unknown> {
  return loop.runUntilComplete(future).catch((e) => e);
}

describe("Future states", () => {
  test("a new future is pending: result() and exception() raise InvalidStateError", () => {
    const loop = newEventLoop();
    const f = loop.createFuture();
    expect(f.done()).toBe(false);
    expect(f.cancelled()).toBe(false);
    expect(() => f.result()).toThrow(InvalidStateError);
    expect(() => f.result()).toThrow("Result is not ready");
    expect(() => f.exception()).toThrow("Exception is not set");
    expect(f.getLoop()).toBe(loop);
    loop.close();
  });

  test("setResult makes it done with that result and no exception", () => {
    const f = new Future<number>({ loop: newEventLoop() });
    f.setResult(42);
    expect(f.done()).toBe(true);
    expect(f.result()).toBe(42);
    expect(f.exception()).toBeNull();
  });

  test("a second setResult or setException raises InvalidStateError", () => {
    const f = new Future<number>({ loop: newEventLoop() });
    f.setResult(1);
    expect(() => f.setResult(2)).toThrow(InvalidStateError);
    expect(() => f.setException(new Error("x"))).toThrow(InvalidStateError);
    expect(f.result()).toBe(1);
  });

  test("setException makes result() raise it and exception() return it", () => {
    const f = new Future({ loop: newEventLoop() });
    const e = new RangeError("bad");
    f.setException(e);
    expect(() => f.result()).toThrow(e);
    expect(f.exception()).toBe(e);
  });

  test("any thrown value is an exception, undefined and null included: result() throws it", () => {
    for (const thrown of [undefined, null, 0, "text"]) {
      const f = new Future({ loop: newEventLoop() });
      f.setException(thrown);
      expect(f.toString()).toBe(`<Future finished exception=${thrown === "text" ? "'text'" : String(thrown)}>`);
      let caught: unknown = "nothing thrown";
      try {
        f.result();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(thrown);
    }
    const ok = new Future({ loop: newEventLoop() });
    ok.setResult(undefined);
    expect([ok.result(), ok.exception()]).toEqual([undefined, null]);
  });

  test("setException with an error class instantiates it, as asyncio does", () => {
    const f = new Future({ loop: newEventLoop() });
    f.setException(RangeError);
    expect(f.exception()).toBeInstanceOf(RangeError);
  });

  test("cancel() of a pending future cancels it; result() raises CancelledError with the message", () => {
    const f = new Future({ loop: newEventLoop() });
    expect(f.cancel("why")).toBe(true);
    expect(f.cancelled()).toBe(true);
    expect(f.done()).toBe(true);
    expect(() => f.result()).toThrow(CancelledError);
    expect(() => f.result()).toThrow("why");
    expect(() => f.exception()).toThrow(CancelledError);
  });

  test("cancel() of a done future returns false and changes nothing", () => {
    const f = new Future({ loop: newEventLoop() });
    f.setResult(3);
    expect(f.cancel()).toBe(false);
    expect(f.cancelled()).toBe(false);
    expect(f.result()).toBe(3);
  });

  test("the string form shows the state, the result or the exception", () => {
    const loop = newEventLoop();
    const a = new Future({ loop });
    expect(String(a)).toBe("<Future pending>");
    a.setResult(42);
    expect(String(a)).toBe("<Future finished result=42>");
    const b = new Future({ loop });
    b.setException(new Error("boom"));
    expect(String(b)).toBe("<Future finished exception=Error('boom')>");
    b.exception();
    const c = new Future({ loop });
    c.cancel();
    expect(String(c)).toBe("<Future cancelled>");
  });
});

describe("done callbacks", () => {
  test("callbacks are scheduled through the loop, not called synchronously, in the order added", async () => {
    const loop = newEventLoop();
    const f = loop.createFuture<number>();
    const log: string[] = [];
    f.addDoneCallback((fut) => log.push(`a:${fut.result()}`));
    f.addDoneCallback(() => log.push("b"));
    f.setResult(7);
    expect(log).toEqual([]);
    await settle(loop, f);
    await settle(loop, sentinel(loop));
    expect(log).toEqual(["a:7", "b"]);
    loop.close();
  });

  test("a callback added to a done future is scheduled at once", async () => {
    const loop = newEventLoop();
    const f = loop.createFuture();
    f.setResult(null);
    const log: string[] = [];
    f.addDoneCallback(() => log.push("late"));
    expect(log).toEqual([]);
    await settle(loop, sentinel(loop));
    expect(log).toEqual(["late"]);
    loop.close();
  });

  test("cancel() schedules the callbacks too", async () => {
    const loop = newEventLoop();
    const f = loop.createFuture();
    const log: boolean[] = [];
    f.addDoneCallback((fut) => log.push(fut.cancelled()));
    f.cancel();
    await settle(loop, sentinel(loop));
    expect(log).toEqual([true]);
    loop.close();
  });

  test("removeDoneCallback removes every instance and returns how many", async () => {
    const loop = newEventLoop();
    const f = loop.createFuture();
    const log: string[] = [];
    const cb = (): void => void log.push("cb");
    f.addDoneCallback(cb);
    f.addDoneCallback(() => log.push("other"));
    f.addDoneCallback(cb);
    expect(f.removeDoneCallback(cb)).toBe(2);
    expect(f.removeDoneCallback(cb)).toBe(0);
    f.setResult(1);
    await settle(loop, sentinel(loop));
    expect(log).toEqual(["other"]);
    loop.close();
  });

  test("addDoneCallback rejects a non-function", () => {
    const f = new Future({ loop: newEventLoop() });
    expect(() => f.addDoneCallback("x" as any)).toThrow(/addDoneCallback expects a function, got string "x"/);
  });
});

describe("Future as a thenable", () => {
  test("await of a future gives its result", async () => {
    const loop = newEventLoop();
    const f = loop.createFuture<string>();
    loop.callSoon(() => f.setResult("ok"));
    void loop.runUntilComplete(f);
    expect(await f).toBe("ok");
    loop.close();
  });

  test("then rejects with the exception and catch/finally work", async () => {
    const f = new Future({ loop: newEventLoop() });
    f.setException(new Error("bad"));
    const order: string[] = [];
    await expect(f.finally(() => order.push("finally"))).rejects.toThrow("bad");
    expect(await f.catch((e: Error) => e.message)).toBe("bad");
    expect(order).toEqual(["finally"]);
  });

  test("then of a cancelled future rejects with CancelledError", async () => {
    const f = new Future({ loop: newEventLoop() });
    f.cancel("gone");
    await expect(f).rejects.toThrow(CancelledError);
  });
});

/** A future done after one more loop iteration: lets scheduled callbacks run first. */
function sentinel(loop: EventLoop): Future<unknown> {
  const f = loop.createFuture();
  loop.callSoon(() => loop.callSoon(() => f.setResult(null)));
  return f;
}

describe("asyncio's rules for a plain Future (issue 7 part 5)", () => {
  test("new Future(42) throws TypeError: an options object is expected", () => {
    expect(() => new Future(42 as never)).toThrow(new TypeError("Future expects an options object like {loop}, got number 42"));
  });

  test("cancel() of a future that holds an exception returns false and marks it retrieved", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error("run jest under node --expose-gc: this test needs collection reports");
    const loop = newEventLoop();
    const reports: unknown[] = [];
    loop.setExceptionHandler((_l, c) => reports.push(c));
    let f: Future<unknown> | null = loop.createFuture();
    f.setException(new Error("seen by cancel"));
    expect(f.cancel()).toBe(false);
    expect(f.hasException()).toBe(true);
    f = null;
    // Were it still unretrieved, its collection would report it (as the control below is).
    let control: Future<unknown> | null = loop.createFuture();
    control.setException(new Error("control"));
    control = null;
    for (let i = 0; i < 10 && reports.length === 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(reports.map((r) => ((r as { exception: Error }).exception).message)).toEqual(["control"]);
    loop.close();
  });
});

describe("Future details (mutation testing found these unchecked)", () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  /** Collects garbage until `reports` has `count` entries (or ten rounds passed). */
  async function collectUntil(reports: unknown[], count: number): Promise<void> {
    if (gc === undefined) throw new Error("run jest under node --expose-gc: this test needs collection reports");
    for (let i = 0; i < 10 && reports.length < count; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 0));
    }
    // One more round: a report beyond `count` would show here.
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }

  test("new Future(null) throws TypeError, as any options that are not an object", () => {
    expect(() => new Future(null as never)).toThrow(new TypeError("Future expects an options object like {loop}, got null"));
    expect(() => new Future("x" as never)).toThrow(new TypeError('Future expects an options object like {loop}, got string "x"'));
  });

  test("setting a done future again names its state", () => {
    const loop = newEventLoop();
    const done = new Future({ loop });
    done.setResult(1);
    expect(() => done.setResult(2)).toThrow(new InvalidStateError("invalid state: finished"));
    expect(() => done.setException(new Error("late"))).toThrow(new InvalidStateError("invalid state: finished"));
    const cancelled = new Future({ loop });
    cancelled.cancel();
    expect(() => cancelled.setResult(2)).toThrow(new InvalidStateError("invalid state: cancelled"));
    expect(() => cancelled.setException(new Error("late"))).toThrow(new InvalidStateError("invalid state: cancelled"));
    const failed = new Future({ loop });
    failed.setException(new Error("first"));
    failed.exception();
    expect(() => failed.setResult(2)).toThrow(new InvalidStateError("invalid state: finished"));
  });

  test("setException instantiates Error itself and its subclasses, and keeps any other function as the exception", () => {
    const loop = newEventLoop();
    const a = new Future({ loop });
    a.setException(Error);
    expect(a.exception()).toBeInstanceOf(Error);
    class AppError extends TypeError {}
    const b = new Future({ loop });
    b.setException(AppError);
    expect(b.exception()).toBeInstanceOf(AppError);
    function notAnError(): void {}
    const c = new Future({ loop });
    c.setException(notAnError);
    expect(c.exception()).toBe(notAnError);
  });

  test("the string form: long strings and JSON are cut at 60 characters, other values are described", () => {
    const loop = newEventLoop();
    const form = (value: unknown): string => {
      const f = new Future({ loop });
      f.setResult(value);
      return String(f);
    };
    expect(form("x".repeat(60))).toBe(`<Future finished result='${"x".repeat(60)}'>`);
    expect(form("y".repeat(61))).toBe(`<Future finished result='${"y".repeat(57)}...'>`);
    expect(form({ a: 1 })).toBe('<Future finished result={"a":1}>');
    expect(form([null])).toBe("<Future finished result=[null]>");
    const long = { text: "z".repeat(60) };
    expect(form(long)).toBe(`<Future finished result=${JSON.stringify(long).slice(0, 57)}...>`);
    const exact = { t: "w".repeat(52) }; // JSON.stringify gives exactly 60 characters
    expect(JSON.stringify(exact)).toHaveLength(60);
    expect(form(exact)).toBe(`<Future finished result=${JSON.stringify(exact)}>`);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(form(cyclic)).toBe("<Future finished result=an Object>");
    expect(form({ toJSON: () => undefined })).toBe("<Future finished result=an Object>");
    expect(form(10n)).toBe("<Future finished result=10>");
    expect(form(Symbol("s"))).toBe("<Future finished result=Symbol(s)>");
    expect(form(function handler() { return "its source text is not shown"; })).toBe("<Future finished result=function handler>");
    expect(form(undefined)).toBe("<Future finished result=undefined>");
    expect(form(null)).toBe("<Future finished result=null>");
  });

  test("Object.prototype.toString and util.inspect show the kind and the string form", () => {
    const f = new Future({ loop: newEventLoop() });
    expect(Object.prototype.toString.call(f)).toBe("[object Future]");
    expect(inspect(f)).toBe("<Future pending>");
    f.setResult(3);
    expect(inspect(f)).toBe("<Future finished result=3>");
  });

  test("a done callback that throws is reported with its name and the future, and the others still run", async () => {
    const loop = newEventLoop();
    const reports: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, c) => reports.push(c));
    const f = loop.createFuture<number>();
    const log: string[] = [];
    f.addDoneCallback(function failing() {
      throw new RangeError("in a callback");
    });
    f.addDoneCallback(() => {
      throw new TypeError("anonymous");
    });
    f.addDoneCallback(() => log.push("ran"));
    f.setResult(5);
    await settle(loop, sentinel(loop));
    expect(log).toEqual(["ran"]);
    expect(reports.map((r) => [r.message, (r.exception as Error).message, r.future])).toEqual([
      ["Exception in callback failing()", "in a callback", "<Future finished result=5>"],
      ["Exception in callback <anonymous>()", "anonymous", "<Future finished result=5>"],
    ]);
    loop.close();
  });

  test("a callback added after the first one was removed still runs after the callbacks added before it", async () => {
    const loop = newEventLoop();
    const f = loop.createFuture();
    const log: string[] = [];
    const a = (): void => void log.push("a");
    f.addDoneCallback(a);
    f.addDoneCallback(() => log.push("b"));
    expect(f.removeDoneCallback(a)).toBe(1);
    f.addDoneCallback(() => log.push("c"));
    f.setResult(null);
    await settle(loop, sentinel(loop));
    expect(log).toEqual(["b", "c"]);
    loop.close();
  });

  test("a future of a closed loop drops its done callbacks instead of throwing", () => {
    const loop = newEventLoop();
    const f = loop.createFuture();
    const log: string[] = [];
    f.addDoneCallback(() => log.push("before close"));
    loop.close();
    expect(() => f.setResult(1)).not.toThrow();
    expect(() => f.addDoneCallback(() => log.push("after close"))).not.toThrow();
    expect(log).toEqual([]);
  });

  test("a callback added once the exception was retrieved, or to a cancelled future whose error was made, is scheduled without a fuss", async () => {
    const loop = newEventLoop();
    const failed = loop.createFuture();
    failed.setException(new Error("looked at"));
    failed.exception();
    const cancelled = loop.createFuture();
    cancelled.cancel();
    expect(() => cancelled.result()).toThrow(CancelledError);
    const log: string[] = [];
    failed.addDoneCallback(() => log.push("failed"));
    cancelled.addDoneCallback(() => log.push("cancelled"));
    // Cancelling a cancelled future whose CancelledError exists is a plain `false` too.
    expect(cancelled.cancel()).toBe(false);
    await settle(loop, sentinel(loop));
    expect(log).toEqual(["failed", "cancelled"]);
    expect(cancelled.cancelMessage()).toBeUndefined();
    loop.close();
  });

  test("a cancelled future keeps its message and reports no exception of its own to the runtime", () => {
    const loop = newEventLoop();
    const f = loop.createFuture();
    f.cancel("why");
    expect(() => f.result()).toThrow(new CancelledError("why"));
    expect(f.cancel()).toBe(false);
    expect(f.cancelMessage()).toBe("why");
    expect(f.hasException()).toBe(false);
    expect(f.peekException()).toBeUndefined();
    const done = loop.createFuture();
    done.setResult("a result, not a message");
    expect(done.cancelMessage()).toBeUndefined();
  });

  test("who awaits a future: each outer once, in order; forgetting one keeps the others", () => {
    const loop = newEventLoop();
    const inner = loop.createFuture();
    const [a, b, c] = [loop.createFuture(), loop.createFuture(), loop.createFuture()];
    expect(inner.awaitedBy()).toEqual([]);
    inner.addAwaitedBy(a);
    inner.addAwaitedBy(a);
    expect(inner.awaitedBy()).toEqual([a]);
    inner.addAwaitedBy(b);
    inner.addAwaitedBy(c);
    inner.addAwaitedBy(b);
    expect(inner.awaitedBy()).toEqual([a, b, c]);
    const copy = inner.awaitedBy();
    copy.pop();
    expect(inner.awaitedBy()).toEqual([a, b, c]);
    inner.discardAwaitedBy(loop.createFuture());
    expect(inner.awaitedBy()).toEqual([a, b, c]);
    inner.discardAwaitedBy(a);
    expect(inner.awaitedBy()).toEqual([b, c]);
    inner.discardAwaitedBy(c);
    inner.discardAwaitedBy(b);
    expect(inner.awaitedBy()).toEqual([]);
    inner.addAwaitedBy(c);
    inner.discardAwaitedBy(a);
    expect(inner.awaitedBy()).toEqual([c]);
    inner.discardAwaitedBy(c);
    expect(inner.awaitedBy()).toEqual([]);
  });

  test("an exception carried by several futures is reported once; a primitive one, once per future", async () => {
    const loop = newEventLoop();
    const reports: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, c) => reports.push(c));
    const shared = new Error("shared");
    function sharedFn(): void {}
    (() => {
      for (const exception of [shared, shared, sharedFn, sharedFn, "text", "text", null, null]) loop.createFuture().setException(exception);
    })();
    await collectUntil(reports, 6);
    const seen = reports.map((r) => (typeof r.exception === "string" || r.exception === null ? String(r.exception) : (r.exception as { name: string }).name));
    expect(seen.sort()).toEqual(["Error", "null", "null", "sharedFn", "text", "text"]);
    expect(reports.every((r) => r.message === "Future exception was never retrieved")).toBe(true);
    loop.close();
  });

  test("a failure whose stack holds the future (through a frame's receiver) is still collected and reported", async () => {
    const loop = newEventLoop();
    const reports: ExceptionContext[] = [];
    loop.setExceptionHandler((_l, c) => reports.push(c));
    class Holder {
      readonly future = loop.createFuture();
      fail(): void {
        this.future.setException(new Error("made by the holder"));
      }
    }
    (() => new Holder().fail())();
    await collectUntil(reports, 1);
    expect(reports.map((r) => (r.exception as Error).message)).toEqual(["made by the holder"]);
    loop.close();
  });

  test("what is still unreported at process exit is reported then, by one exit hook, and only what was not reported already", async () => {
    // A fresh copy of the runtime, so that its exit hook is installed while process.once is watched.
    const exitHooks: Array<() => void> = [];
    const once = jest.spyOn(process, "once").mockImplementation(((event: string, fn: () => void) => {
      if (event === "exit") exitHooks.push(fn);
      return process;
    }) as never);
    try {
      let isolated!: typeof import("../../runtime/index.js");
      jest.isolateModules(() => {
        isolated = require("../../runtime/index.js");
      });
      const loop = isolated.newEventLoop();
      const reports: ExceptionContext[] = [];
      loop.setExceptionHandler((_l, c) => reports.push(c));
      // A primitive failure reported by its collection: the exit hook must not report it again.
      (() => loop.createFuture().setException("collected"))();
      await collectUntil(reports, 1);
      expect(reports.map((r) => r.exception)).toEqual(["collected"]);
      const kept: Future<unknown>[] = [];
      for (const name of ["first", "second", "retrieved"]) {
        const f = loop.createFuture();
        f.setException(new Error(name));
        kept.push(f);
      }
      kept[2]!.exception();
      expect(exitHooks).toHaveLength(1);
      exitHooks[0]!();
      expect(reports.slice(1).map((r) => (r.exception as Error).message)).toEqual(["first", "second"]);
      // A second exit run (or a later collection) finds nothing left.
      exitHooks[0]!();
      expect(reports).toHaveLength(3);
      loop.close();
    } finally {
      once.mockRestore();
    }
  });

  test("a done callback added to a failure shown to the host marks the host's rejection handled", () => {
    // A fresh copy of the runtime that captures a watched `then`: marking a rejection handled is
    // a `then` call on it, which only the host's rejection tracking would otherwise see.
    const originalThen = Promise.prototype.then;
    const thenCalledOn = new Set<unknown>();
    let isolated!: typeof import("../../runtime/index.js");
    Promise.prototype.then = function (this: Promise<unknown>, ...args: Parameters<typeof originalThen>) {
      thenCalledOn.add(this);
      return originalThen.apply(this, args);
    } as typeof originalThen;
    try {
      jest.isolateModules(() => {
        isolated = require("../../runtime/index.js");
      });
    } finally {
      Promise.prototype.then = originalThen;
    }
    class FailingFuture<T> extends isolated.Future<T> {
      fail(error: unknown): void {
        this.finishWithException(error, true);
      }
    }
    const loop = isolated.newEventLoop();
    const reject = jest.spyOn(Promise, "reject");
    try {
      const f = new FailingFuture({ loop });
      f.fail(new Error("shown to the host"));
      const rejection = reject.mock.results.at(-1)!.value as Promise<unknown>;
      expect(thenCalledOn.has(rejection)).toBe(false);
      f.addDoneCallback(() => {});
      expect(thenCalledOn.has(rejection)).toBe(true);
      f.exception();
      // A done future with an undefined result takes a late callback without looking for a rejection.
      const ok = new isolated.Future({ loop });
      ok.setResult(undefined);
      expect(() => ok.addDoneCallback(() => {})).not.toThrow();
    } finally {
      reject.mockRestore();
      loop.close();
    }
  });

  test("a failure nobody waits for is shown to the host as a rejected Promise; one with a waiter is not", () => {
    class FailingFuture<T> extends Future<T> {
      fail(error: unknown): void {
        this.finishWithException(error, true);
      }
    }
    const loop = newEventLoop();
    const reject = jest.spyOn(Promise, "reject");
    try {
      const shown = (setUp: (f: FailingFuture<unknown>) => void): boolean => {
        const error = new Error("failed");
        const f = new FailingFuture({ loop });
        setUp(f);
        f.fail(error);
        f.exception(); // observed: the host's rejection, if any, is handled
        return reject.mock.calls.some((call) => call[0] === error);
      };
      const noop = (): void => {};
      expect(shown(() => {})).toBe(true);
      expect(shown((f) => f.addDoneCallback(noop))).toBe(false);
      expect(shown((f) => {
        const first = (): void => {};
        f.addDoneCallback(first);
        f.addDoneCallback(noop);
        f.removeDoneCallback(first);
      })).toBe(false);
      const plain = new Future({ loop });
      const error = new Error("set by setException");
      plain.setException(error);
      plain.exception();
      expect(reject.mock.calls.some((call) => call[0] === error)).toBe(false);
    } finally {
      reject.mockRestore();
      loop.close();
    }
  });
});
