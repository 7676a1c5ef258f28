import { CancelledError, Future, InvalidStateError, newEventLoop, EventLoop } from "../../runtime/index.js";

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
