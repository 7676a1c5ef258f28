import { EventLoop, RuntimeError, getEventLoop, getRunningLoop, newEventLoop, run, setEventLoop, sleep } from "../../runtime/index.js";
import { at, define } from "../support/coroutines.js";

/** Runs `loop` until `predicate` holds or `maxIterations` callbacks ran (no real waiting). */
function runLoopUntil(loop: EventLoop, predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (predicate()) {
        loop.stop();
        resolve();
      } else loop.callSoon(check);
    };
    loop.callSoon(check);
    void loop.runForever();
  });
}

describe("callbacks", () => {
  test("callSoon runs callbacks in FIFO order with their arguments", async () => {
    const loop = newEventLoop();
    const log: string[] = [];
    loop.callSoon((a: string) => log.push(a), "a");
    loop.callSoon((b: string, c: string) => log.push(b + c), "b", "c");
    await runLoopUntil(loop, () => log.length === 2);
    expect(log).toEqual(["a", "bc"]);
    loop.close();
  });

  test("an iteration runs only the callbacks that were ready when it began", async () => {
    const loop = newEventLoop();
    const log: string[] = [];
    let iteration = 0;
    const tick = (): void => {
      iteration++;
      if (iteration < 3) loop.callSoon(tick);
    };
    loop.callSoon(() => {
      log.push(`first@${iteration}`);
      loop.callSoon(() => log.push(`scheduled-by-first@${iteration}`));
    });
    loop.callSoon(tick);
    await runLoopUntil(loop, () => log.length === 2);
    // tick ran once in the first iteration; the callback scheduled by "first" ran in the second.
    expect(log).toEqual(["first@0", "scheduled-by-first@1"]);
    loop.close();
  });

  test("a cancelled handle does not run", async () => {
    const loop = newEventLoop();
    const log: string[] = [];
    const handle = loop.callSoon(() => log.push("cancelled one"));
    loop.callSoon(() => log.push("kept"));
    handle.cancel();
    expect(handle.cancelled()).toBe(true);
    await runLoopUntil(loop, () => log.length === 1);
    expect(log).toEqual(["kept"]);
    loop.close();
  });

  test("an error in a callback goes to the exception handler and the next callback still runs", async () => {
    const loop = newEventLoop();
    const contexts: Array<{ message: string; exception?: unknown }> = [];
    loop.setExceptionHandler((_loop, context) => contexts.push(context));
    const log: string[] = [];
    loop.callSoon(function boom() {
      throw new Error("boom");
    });
    loop.callSoon(() => log.push("after"));
    await runLoopUntil(loop, () => log.length === 1);
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.message).toBe("Exception in callback boom()");
    expect((contexts[0]!.exception as Error).message).toBe("boom");
    loop.close();
  });

  test("the default exception handler writes the message and the stack to stderr", () => {
    const loop = newEventLoop();
    const spy = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      loop.callExceptionHandler({ message: "something broke", exception: new Error("why"), task: "<Task x>" });
      const text = spy.mock.calls.map((c) => String(c[0])).join("");
      expect(text).toMatch(/^something broke\ntask: <Task x>\nError: why\n {4}at /);
    } finally {
      spy.mockRestore();
    }
  });

  test("a throwing exception handler falls back to the default handler", () => {
    const loop = newEventLoop();
    loop.setExceptionHandler(() => {
      throw new Error("handler broke");
    });
    const spy = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      loop.callExceptionHandler({ message: "original" });
      const text = spy.mock.calls.map((c) => String(c[0])).join("");
      expect(text).toContain("Unhandled error in exception handler");
      expect(text).toContain("original");
    } finally {
      spy.mockRestore();
    }
  });

  test("callbacks see their own loop as the running loop; outside, there is none", async () => {
    expect(() => getRunningLoop()).toThrow(RuntimeError);
    const loop = newEventLoop();
    let seen: EventLoop | null = null;
    loop.callSoon(() => (seen = getRunningLoop()));
    await runLoopUntil(loop, () => seen !== null);
    expect(seen).toBe(loop);
    loop.close();
  });

  test("bad callbacks and delays are TypeErrors naming what came", () => {
    const loop = newEventLoop();
    expect(() => loop.callSoon(42 as any)).toThrow(/callSoon expects a function as the callback, got number 42/);
    expect(() => loop.callLater("1" as any, () => {})).toThrow(/callLater delay must be a number of seconds, got string "1"/);
    expect(() => loop.callAt(NaN, () => {})).toThrow(TypeError);
    loop.close();
  });
});

describe("timers", () => {
  test("timers run in order of when, ties first-in first-out, on virtual time", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const log: string[] = [];
    loop.callLater(2, () => log.push(`b@${loop.time()}`));
    loop.callLater(1, () => log.push(`a@${loop.time()}`));
    loop.callLater(2, () => log.push(`c@${loop.time()}`));
    const t = loop.callAt(1.5, () => log.push("cancelled"));
    expect(t.when()).toBe(1.5);
    t.cancel();
    expect(t.cancelled()).toBe(true);
    const end = loop.createFuture();
    loop.callLater(3, () => end.setResult(null));
    await loop.runUntilComplete(end);
    expect(log).toEqual(["a@1", "b@2", "c@2"]);
    loop.close();
  });

  test("a negative delay runs the timer in the next iteration", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const log: string[] = [];
    loop.callLater(-5, () => log.push(`timer@${loop.time()}`));
    await runLoopUntil(loop, () => log.length === 1);
    expect(log).toEqual(["timer@0"]);
    loop.close();
  });

  test("virtual time jumps to the next timer only when nothing is ready", async () => {
    const seen = await run(
      define("main", 1, function* () {
        const loop = getRunningLoop();
        const t0 = loop.time();
        yield at(0, sleep(0));
        const t1 = loop.time();
        yield at(1, sleep(3600));
        return [t0, t1, loop.time()];
      }),
      { virtualTime: true },
    );
    expect(seen).toEqual([0, 0, 3600]);
  });

  test("many cancelled timers are dropped from the heap", () => {
    const loop = newEventLoop({ virtualTime: true });
    const handles = Array.from({ length: 1000 }, (_, i) => loop.callLater(i + 1, () => {}));
    for (const h of handles.slice(0, 900)) h.cancel();
    expect(loop.pendingTimerCount()).toBe(100);
    loop.close();
  });
});

describe("running the loop", () => {
  test("runUntilComplete resolves to the result and stops the loop", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const main = define("main", 1, function* () {
      yield at(0, sleep(1));
      return "done";
    });
    const fut = loop.createFuture<string>();
    loop.callLater(1, () => fut.setResult("done"));
    expect(await loop.runUntilComplete(fut)).toBe("done");
    expect(loop.isRunning()).toBe(false);
    void main;
    loop.close();
  });

  test("runUntilComplete rejects with the awaited exception", async () => {
    const loop = newEventLoop();
    const fut = loop.createFuture();
    loop.callSoon(() => fut.setException(new Error("nope")));
    await expect(loop.runUntilComplete(fut)).rejects.toThrow("nope");
    loop.close();
  });

  test("a stopped loop queues callbacks without running them", async () => {
    const loop = newEventLoop();
    const log: string[] = [];
    loop.callSoon(() => log.push("ran"));
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual([]);
    await runLoopUntil(loop, () => log.length === 1);
    expect(log).toEqual(["ran"]);
    loop.close();
  });

  test("a running loop cannot be run again or closed; a closed loop refuses callbacks", async () => {
    const loop = newEventLoop();
    const stopped = loop.runForever();
    expect(loop.isRunning()).toBe(true);
    expect(() => loop.runForever()).toThrow("This event loop is already running");
    expect(() => loop.close()).toThrow("Cannot close a running event loop");
    loop.stop();
    await stopped;
    loop.close();
    expect(loop.isClosed()).toBe(true);
    expect(() => loop.callSoon(() => {})).toThrow("Event loop is closed");
  });

  test("several loops run at once, each seeing itself as the running loop", async () => {
    const a = newEventLoop();
    const b = newEventLoop();
    const log: string[] = [];
    for (let i = 0; i < 3; i++) {
      a.callSoon(() => log.push(`a${i}:${getRunningLoop() === a}`));
      b.callSoon(() => log.push(`b${i}:${getRunningLoop() === b}`));
    }
    await Promise.all([runLoopUntil(a, () => log.filter((l) => l.startsWith("a")).length === 3), runLoopUntil(b, () => log.filter((l) => l.startsWith("b")).length === 3)]);
    expect(log.filter((l) => l.endsWith("false"))).toEqual([]);
    expect(log).toHaveLength(6);
    a.close();
    b.close();
  });

  test("a task on one loop may await another loop's runUntilComplete", async () => {
    const other = newEventLoop({ virtualTime: true });
    const result = await run(
      define("main", 1, function* () {
        const fut = other.createFuture<number>();
        other.callLater(10, () => fut.setResult(7));
        return yield at(0, other.runUntilComplete(fut));
      }),
      { virtualTime: true },
    );
    expect(result).toBe(7);
    other.close();
  });

  test("a task looping on sleep(0) does not starve the host's timers", async () => {
    let timerFired = false;
    setTimeout(() => (timerFired = true), 0);
    const iterations = await run(
      define("spin", 1, function* () {
        let n = 0;
        while (!timerFired && n < 5_000_000) {
          yield at(0, sleep(0));
          n++;
        }
        return n;
      }),
    );
    expect(timerFired).toBe(true);
    expect(iterations).toBeLessThan(5_000_000);
  });
});

describe("the default loop", () => {
  test("getEventLoop outside a running loop gives one process-wide loop that runs without being started", async () => {
    const loop = getEventLoop();
    expect(getEventLoop()).toBe(loop);
    const fut = loop.createFuture<number>();
    loop.callSoon(() => fut.setResult(1));
    expect(await fut).toBe(1);
  });

  test("an eager coroutine called outside any loop runs on the default loop", async () => {
    const child = define("child", 1, function* () {
      yield at(0, sleep(0));
      return getRunningLoop();
    });
    expect(await child()).toBe(getEventLoop());
  });

  test("setEventLoop changes what getEventLoop returns outside a running loop", () => {
    const loop = newEventLoop();
    setEventLoop(loop);
    try {
      expect(getEventLoop()).toBe(loop);
    } finally {
      setEventLoop(null);
    }
    expect(getEventLoop()).not.toBe(loop);
    expect(() => setEventLoop({} as any)).toThrow(TypeError);
    loop.close();
  });
});

describe("debug and task factory", () => {
  test("setDebug/getDebug round-trip and setTaskFactory is used by createTask", async () => {
    const loop = newEventLoop();
    expect(loop.getDebug()).toBe(false);
    loop.setDebug(true);
    expect(loop.getDebug()).toBe(true);
    const made: unknown[] = [];
    loop.setTaskFactory((l, coro, options) => {
      made.push(coro);
      loop.setTaskFactory(null);
      const t = l.createTask(coro as any, options);
      loop.setTaskFactory((_loop, c2) => (made.push(c2), null as any));
      return t;
    });
    const body = define("f", 1, function* () {
      return 5;
    });
    const t = loop.createTask(body.body());
    expect(made).toHaveLength(1);
    loop.setTaskFactory(null);
    expect(await loop.runUntilComplete(t)).toBe(5);
    expect(() => loop.setTaskFactory(3 as any)).toThrow(TypeError);
    loop.close();
  });
});

describe("event loop details", () => {
  test("every refusal is a TypeError or RuntimeError with its exact message", async () => {
    const loop = newEventLoop();
    expect(() => loop.callSoon(42 as never)).toThrow(new TypeError("callSoon expects a function as the callback, got number 42"));
    expect(() => loop.callAt(1, null as never)).toThrow(new TypeError("callAt expects a function as the callback, got null"));
    expect(() => loop.callLater(NaN, () => {})).toThrow(new TypeError("callLater delay must be a number of seconds, got number NaN"));
    expect(() => loop.callAt(NaN, () => {})).toThrow(new TypeError("callAt when must be a loop time in seconds, got number NaN"));
    expect(() => loop.callAt("1" as never, () => {})).toThrow(new TypeError('callAt when must be a loop time in seconds, got string "1"'));
    expect(() => loop.setTaskFactory(3 as never)).toThrow(new TypeError("task factory must be a function or null, got number 3"));
    expect(() => loop.setExceptionHandler("x" as never)).toThrow(new TypeError('exception handler must be a function or null, got string "x"'));
    expect(() => newEventLoop(null as never)).toThrow(new TypeError("newEventLoop options must be an object, got null"));
    expect(() => newEventLoop(1 as never)).toThrow(new TypeError("newEventLoop options must be an object, got number 1"));
    expect(() => setEventLoop({} as never)).toThrow(new TypeError("setEventLoop expects an EventLoop or null, got an Object"));
    const stopped = loop.runForever();
    expect(() => loop.runForever()).toThrow(new RuntimeError("This event loop is already running"));
    expect(() => loop.runUntilComplete(loop.createFuture())).toThrow(new RuntimeError("This event loop is already running"));
    expect(() => loop.close()).toThrow(new RuntimeError("Cannot close a running event loop"));
    loop.stop();
    await stopped;
    loop.close();
    expect(() => loop.callLater(1, () => {})).toThrow(new RuntimeError("Event loop is closed"));
    expect(() => loop.createTask(define("f", 1, function* () {}).body())).toThrow(new RuntimeError("Event loop is closed"));
    expect(() => loop.runForever()).toThrow(new RuntimeError("Event loop is closed"));
    expect(() => loop.runUntilComplete(Promise.resolve(1))).toThrow(new RuntimeError("Event loop is closed"));
    expect(() => loop.close()).not.toThrow();
  });

  test("a stop() before the awaited future is done ends runUntilComplete with a RuntimeError", async () => {
    const loop = newEventLoop();
    const never = loop.createFuture();
    loop.callSoon(() => loop.stop());
    await expect(loop.runUntilComplete(never)).rejects.toThrow(new RuntimeError("Event loop stopped before Future completed."));
    expect(loop.isRunning()).toBe(false);
    expect(never.done()).toBe(false);
    never.cancel();
    loop.close();
  });

  test("a stop() right after the awaited future is done, before its callbacks run, gives the future's outcome", async () => {
    const loop = newEventLoop();
    const done = loop.createFuture<number>();
    loop.callSoon(() => {
      done.setResult(1);
      loop.stop();
    });
    // Before the fix, the promise waited for the future's done callback, which the stopped loop never ran.
    const settled = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(() => r("still pending"), 200))]);
    expect(await settled(loop.runUntilComplete(done))).toBe(1);
    const failed = loop.createFuture<number>();
    loop.callSoon(() => {
      failed.setException(new RangeError("failed"));
      loop.stop();
    });
    expect(await settled(loop.runUntilComplete(failed).catch((e: unknown) => e))).toEqual(new RangeError("failed"));
    loop.close();
  });

  test("stop() of a loop that is not running does nothing; the next run starts afresh", async () => {
    const loop = newEventLoop();
    loop.stop();
    const f = loop.createFuture<number>();
    loop.callSoon(() => loop.callSoon(() => f.setResult(3)));
    expect(await loop.runUntilComplete(f)).toBe(3);
    loop.close();
  });

  test("callSoonThreadsafe queues like callSoon, with its arguments", async () => {
    const loop = newEventLoop();
    const log: unknown[] = [];
    const handle = loop.callSoonThreadsafe((a: number, b: string) => log.push(a, b), 1, "two");
    loop.callSoon(() => log.push("after"));
    await runLoopUntil(loop, () => log.length === 3);
    expect(log).toEqual([1, "two", "after"]);
    expect(handle.cancelled()).toBe(false);
    loop.close();
  });

  test("timers made in any order, some cancelled, run in order of when (the heap)", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const fired: number[] = [];
    // A fixed pseudo-random order: enough timers for every sift path of the heap.
    let seed = 7;
    const next = (): number => (seed = (seed * 48271) % 2147483647);
    const whens = Array.from({ length: 300 }, () => next() % 1000);
    const handles = whens.map((when, i) => loop.callAt(when / 10, () => fired.push(i)));
    const cancelled = new Set<number>();
    for (let i = 0; i < handles.length; i += 3) {
      handles[i]!.cancel();
      cancelled.add(i);
    }
    expect(loop.pendingTimerCount()).toBe(300 - cancelled.size);
    const end = loop.createFuture();
    loop.callAt(200, () => end.setResult(null));
    await loop.runUntilComplete(end);
    const expected = whens.map((when, i) => [when, i] as const).filter(([, i]) => !cancelled.has(i)).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
    expect(fired).toEqual(expected);
    expect(loop.pendingTimerCount()).toBe(0);
    loop.close();
  });

  test("after the heap is rebuilt for its cancelled timers, the live ones still run in order", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const fired: number[] = [];
    const handles = Array.from({ length: 200 }, (_, i) => loop.callLater(200 - i, () => fired.push(200 - i)));
    // 150 cancelled of 200: past 64 and past half, so the heap is rebuilt.
    for (const h of handles.filter((_, i) => i % 4 !== 0)) h.cancel();
    expect(loop.pendingTimerCount()).toBe(50);
    const end = loop.createFuture();
    loop.callLater(300, () => end.setResult(null));
    await loop.runUntilComplete(end);
    expect(fired).toEqual([...fired].sort((a, b) => a - b));
    expect(fired).toHaveLength(50);
    loop.close();
  });

  test("a timer further than a host timer can wait (2^31-1 ms) is not run early", async () => {
    const loop = newEventLoop();
    const log: string[] = [];
    const wait = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));
    // Watched from here on: a longer delay would make Node fire the host timer after 1 ms, and
    // the loop would wake every millisecond to find nothing due.
    const hostTimer = jest.spyOn(globalThis, "setTimeout");
    try {
      loop.callLater(30 * 24 * 3600, () => log.push("a month later"));
      const stopped = loop.runForever();
      await wait(30);
      loop.stop();
      await stopped;
      const armed = hostTimer.mock.calls.filter((call) => call[1] !== 30).map((call) => call[1]);
      expect(armed).toEqual([2 ** 31 - 1]);
    } finally {
      hostTimer.mockRestore();
    }
    expect(log).toEqual([]);
    expect(loop.pendingTimerCount()).toBe(1);
    loop.close();
  });

  test("the default handler lists the context's other keys, and an exception without a stack by its String()", () => {
    const loop = newEventLoop();
    const spy = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      loop.defaultExceptionHandler({ message: "first", exception: "not an Error", future: "<Future pending>", handle: 7 });
      loop.defaultExceptionHandler({ message: "second" });
      const thrower = newEventLoop();
      thrower.setExceptionHandler(() => {
        throw new RangeError("handler broke");
      });
      thrower.callExceptionHandler({ message: "original", exception: new Error("why") });
      const text = spy.mock.calls.map((c) => String(c[0]));
      expect(text[0]).toBe("first\nfuture: <Future pending>\nhandle: 7\nnot an Error\n");
      expect(text[1]).toBe("second\n");
      expect(text[2]).toMatch(/^Unhandled error in exception handler\ncontext: \[object Object\]\nRangeError: handler broke\n/);
      expect(text[3]).toMatch(/^original\nError: why\n/);
      expect(text).toHaveLength(4);
      // Only an Error's own string stack is printed as the stack; anything else by its String().
      spy.mockClear();
      const stackless = new Error("stackless");
      delete (stackless as { stack?: string }).stack;
      loop.defaultExceptionHandler({ message: "m", exception: stackless });
      loop.defaultExceptionHandler({ message: "m", exception: { stack: "a stack on a plain object" } });
      expect(spy.mock.calls.map((c) => String(c[0]))).toEqual(["m\nError: stackless\n", "m\n[object Object]\n"]);
      thrower.close();
    } finally {
      spy.mockRestore();
      loop.close();
    }
  });

  test("setDebug takes any truthy value; the string form shows the state", async () => {
    const loop = newEventLoop();
    const id = loop.id;
    expect(String(loop)).toBe(`<EventLoop id=${id} running=false closed=false debug=false>`);
    loop.setDebug(1 as never);
    expect(loop.getDebug()).toBe(true);
    const stopped = loop.runForever();
    expect(String(loop)).toBe(`<EventLoop id=${id} running=true closed=false debug=true>`);
    loop.setDebug(0 as never);
    expect(loop.getDebug()).toBe(false);
    loop.stop();
    await stopped;
    loop.close();
    expect(String(loop)).toBe(`<EventLoop id=${id} running=false closed=true debug=false>`);
    expect(newEventLoop().id).toBeGreaterThan(id);
  });

  test("a loop set with setEventLoop and then closed is no longer what getEventLoop returns", () => {
    const loop = newEventLoop();
    setEventLoop(loop);
    try {
      expect(getEventLoop()).toBe(loop);
      loop.close();
      const fallback = getEventLoop();
      expect(fallback).not.toBe(loop);
      expect(fallback.isRunning()).toBe(true);
    } finally {
      setEventLoop(null);
    }
  });

  test("virtual time: an iteration with callbacks ready does not move the clock, even with timers due later", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const seen: number[] = [];
    const end = loop.createFuture();
    loop.callLater(5, () => {
      seen.push(loop.time());
      end.setResult(null);
    });
    let rounds = 0;
    const spin = (): void => {
      seen.push(loop.time());
      if (++rounds < 3) loop.callSoon(spin);
    };
    loop.callSoon(spin);
    await loop.runUntilComplete(end);
    expect(seen).toEqual([0, 0, 0, 5]);
    loop.close();
  });
});

describe("virtual time and the host's microtasks", () => {
  test("a native promise chain settles before the clock jumps to the next timer", async () => {
    const seen = await run(
      define("main", 1, function* () {
        const loop = getRunningLoop();
        loop.callLater(5, () => {});
        // Ten microtask hops: the loop must let them all run before it decides nothing is ready.
        let chain: Promise<unknown> = Promise.resolve();
        for (let i = 0; i < 10; i++) chain = chain.then(() => undefined);
        yield at(0, chain);
        const afterChain = loop.time();
        yield at(1, sleep(5));
        return [afterChain, loop.time()];
      }),
      { virtualTime: true },
    );
    expect(seen).toEqual([0, 5]);
  });
});

/** How many host timeouts keep this process alive now. */
function hostTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

/** Resolves after the host ran its pending macrotasks (the loop is idle when nothing is ready). */
function hostTurn(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("the host's timers and clock", () => {
  test("a timer cancelled from outside its running loop releases the host's timer, so the process can exit", async () => {
    const loop = newEventLoop();
    const stopped = loop.runForever();
    await hostTurn();
    const before = hostTimeouts();
    const handle = loop.callLater(30, () => {});
    expect(hostTimeouts()).toBe(before + 1);
    handle.cancel();
    expect(hostTimeouts()).toBe(before);
    // A later timer arms the host again and runs.
    const ran = loop.createFuture<string>();
    loop.callLater(0.001, () => ran.setResult("ran"));
    expect(hostTimeouts()).toBe(before + 1);
    expect(await ran).toBe("ran");
    loop.stop();
    await stopped;
    loop.close();
  });

  test("a loop never run arms no host timer for its timers; run, it runs them", async () => {
    const loop = newEventLoop();
    const before = hostTimeouts();
    const ran = loop.createFuture<number>();
    loop.callLater(30, () => {});
    loop.callLater(0.001, () => ran.setResult(loop.time()));
    expect(hostTimeouts()).toBe(before);
    await hostTurn(5);
    expect(ran.done()).toBe(false);
    expect(await loop.runUntilComplete(ran)).toBeGreaterThanOrEqual(0.001);
    expect(hostTimeouts()).toBe(before);
    loop.close();
  });

  test("closing the default loop releases its host timer; getEventLoop then gives a new loop", () => {
    const loop = getEventLoop();
    const before = hostTimeouts();
    loop.callLater(30, () => {});
    expect(hostTimeouts()).toBe(before + 1);
    loop.close();
    expect(hostTimeouts()).toBe(before);
    expect(getEventLoop()).not.toBe(loop);
  });

  test("loop time follows the host's clock in seconds", async () => {
    const loop = newEventLoop();
    const t0 = loop.time();
    await hostTurn(50);
    const elapsed = loop.time() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(0.045);
    expect(elapsed).toBeLessThan(10);
    loop.close();
  });

  test("a timer on a loop made long ago waits its delay, not the loop's age", async () => {
    const loop = newEventLoop();
    await hostTurn(500);
    const ran = loop.createFuture<string>();
    loop.callLater(0.01, () => ran.setResult("timer"));
    // The host timer (0.4 s) comes well after the loop's (0.01 s) unless the delay counts the age.
    const host = hostTurn(400).then(() => "host");
    expect(await Promise.race([loop.runUntilComplete(ran), host])).toBe("timer");
    loop.close();
  });

  test("when idle, the next iteration begins in a microtask, before promise reactions queued after it", async () => {
    const loop = newEventLoop();
    const stopped = loop.runForever();
    // An iteration, then an idle stretch longer than a time slice (8 ms): a new slice begins.
    loop.callSoon(() => {});
    await hostTurn(20);
    const log: string[] = [];
    loop.callSoon(() => log.push("callback"));
    void Promise.resolve().then(() => log.push("reaction"));
    await hostTurn();
    expect(log).toEqual(["callback", "reaction"]);
    loop.stop();
    await stopped;
    loop.close();
  });

  test("a virtual loop whose only timer is cancelled before the clock jumps stays at its time and goes on", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const stopped = loop.runForever();
    await hostTurn();
    const handle = loop.callLater(5, () => {});
    handle.cancel();
    await hostTurn();
    expect(loop.time()).toBe(0);
    const ran = loop.createFuture<number>();
    loop.callSoon(() => ran.setResult(loop.time()));
    expect(await ran).toBe(0);
    loop.stop();
    await stopped;
    loop.close();
  });

  test("virtual time never goes back: a timer at a past time runs at the current time", async () => {
    const seen = await run(
      define("main", 1, function* () {
        const loop = getRunningLoop();
        yield at(0, sleep(10));
        const fut = loop.createFuture<number>();
        loop.callAt(3, () => fut.setResult(loop.time()));
        return yield at(1, fut);
      }),
      { virtualTime: true },
    );
    expect(seen).toBe(10);
  });

  test("the heap holds on to at most 64 cancelled timers once they outnumber the live ones", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) return console.warn("skipped: run jest under node --expose-gc (npm test does) to test collection");
    const loop = newEventLoop({ virtualTime: true });
    const live = Array.from({ length: 10 }, (_, i) => loop.callLater(1000 + i, () => {}));
    const refs = (() => {
      const handles = Array.from({ length: 200 }, (_, i) => loop.callLater(i + 1, () => {}));
      for (const h of handles) h.cancel();
      return handles.map((h) => new WeakRef(h));
    })();
    // deref() keeps a target alive to the end of the job, so collect in a fresh job before looking.
    const retained = (): number => refs.filter((r) => r.deref() !== undefined).length;
    for (let i = 0; i < 5; i++) {
      await hostTurn();
      gc();
      if (retained() <= 64) break;
    }
    expect(retained()).toBeLessThanOrEqual(64);
    expect(loop.pendingTimerCount()).toBe(live.length);
    loop.close();
  });
});

describe("the default loop's stop and run", () => {
  test("runForever on the default loop resolves at stop(), and the loop goes on running callbacks", async () => {
    const loop = getEventLoop();
    const stopped = loop.runForever();
    loop.stop();
    await stopped;
    expect(loop.isRunning()).toBe(true);
    const fut = loop.createFuture<string>();
    loop.callSoon(() => fut.setResult("still running"));
    expect(await fut).toBe("still running");
  });

  test("runUntilComplete on the default loop leaves it running", async () => {
    const loop = getEventLoop();
    const fut = loop.createFuture<number>();
    loop.callSoon(() => fut.setResult(7));
    expect(await loop.runUntilComplete(fut)).toBe(7);
    expect(loop.isRunning()).toBe(true);
    const after = loop.createFuture<string>();
    loop.callLater(0.001, () => after.setResult("timer"));
    expect(await after).toBe("timer");
  });
});

describe("the loop's accessors and its module alone", () => {
  test("isVirtualTime and getExceptionHandler report what the loop was made and set with", () => {
    const virtual = newEventLoop({ virtualTime: true });
    const host = newEventLoop();
    expect([virtual.isVirtualTime(), host.isVirtualTime()]).toEqual([true, false]);
    expect(host.getExceptionHandler()).toBeNull();
    const handler = (): void => {};
    host.setExceptionHandler(handler);
    expect(host.getExceptionHandler()).toBe(handler);
    host.setExceptionHandler(null);
    expect(host.getExceptionHandler()).toBeNull();
    virtual.close();
    host.close();
  });

  test("the event loop module loaded without the task module says to import corotask", () => {
    jest.isolateModules(() => {
      const alone = require("../../runtime/event-loop.js") as typeof import("../../runtime/event-loop.js");
      const loop = new alone.EventLoop();
      const message = "corotask's task module is not loaded; import from 'corotask'";
      expect(() => loop.createFuture()).toThrow(message);
      expect(() => loop.runUntilComplete(Promise.resolve())).toThrow(message);
      loop.close();
    });
  });
});

describe("stopping and re-arming", () => {
  test("a loop run and stopped twice resolves both runs", async () => {
    const loop = newEventLoop();
    for (const run of [1, 2]) {
      const stopped = loop.runForever();
      loop.callSoon(() => loop.stop());
      await expect(stopped).resolves.toBeUndefined();
      expect([run, loop.isRunning()]).toEqual([run, false]);
    }
    loop.close();
  });

  test("runUntilComplete on the default loop does not end a runForever waiting on it", async () => {
    const loop = getEventLoop();
    let foreverEnded = false;
    const forever = loop.runForever().then(() => (foreverEnded = true));
    const fut = loop.createFuture<number>();
    loop.callSoon(() => fut.setResult(1));
    expect(await loop.runUntilComplete(fut)).toBe(1);
    await hostTurn();
    expect(foreverEnded).toBe(false);
    loop.stop();
    await forever;
    expect(foreverEnded).toBe(true);
  });

  test("a timer earlier than the one the host is armed for re-arms the host", async () => {
    const loop = newEventLoop();
    const stopped = loop.runForever();
    await hostTurn();
    const late = loop.callLater(30, () => {});
    const ran = loop.createFuture<string>();
    loop.callLater(0.01, () => ran.setResult("early timer"));
    const host = hostTurn(400).then(() => "host");
    expect(await Promise.race([ran, host])).toBe("early timer");
    late.cancel();
    loop.stop();
    await stopped;
    loop.close();
  });

  test("two copies of the runtime in one process share the default loop", () => {
    let copy!: typeof import("../../runtime/index.js");
    jest.isolateModules(() => {
      copy = require("../../runtime/index.js");
    });
    expect(copy.getEventLoop).not.toBe(getEventLoop);
    expect(copy.getEventLoop()).toBe(getEventLoop());
  });
});
