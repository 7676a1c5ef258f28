import {
  CancelledError,
  Future,
  LazyCoroutine,
  RuntimeError,
  asCompleted,
  createTask,
  currentTask,
  ensureFuture,
  gather,
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  run,
  shield,
  sleep,
  wait,
  waitFor,
} from "../../runtime/index.js";
import * as asyncio from "../../runtime/asyncio.js";
import { at, define } from "../support/coroutines.js";

describe("asyncio's own coroutines are coroutines (sleep, wait, waitFor)", () => {
  test("a plain call returns a coroutine bound to no loop, which run() runs on its new loop", async () => {
    const coro = sleep(0, "x");
    expect(coro).toBeInstanceOf(LazyCoroutine);
    expect(await run(coro)).toBe("x");
    expect(await asyncio.run(asyncio.sleep(0, "py"))).toBe("py");
  });

  test("createTask and ensureFuture take them, on the loop that schedules them", async () => {
    const main = define("main", 1, function* () {
      const loop = getRunningLoop();
      const a = createTask(sleep(1, "a"));
      const b = ensureFuture(sleep(2, "b"));
      return [a.getLoop() === loop, b.getLoop() === loop, yield at(0, a), yield at(1, b)];
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, true, "a", "b"]);
  });

  test("gather, wait, waitFor, shield and asCompleted take them, made before run()", async () => {
    const early = [sleep(1, "s1"), sleep(2, "s2"), sleep(0.5, "w"), sleep(1, "wf"), sleep(1, "sh"), sleep(2, "c2"), sleep(1, "c1")] as const;
    const main = define("main", 1, function* () {
      const gathered = yield at(0, gather(early[0], early[1]));
      const [done] = (yield at(1, wait([early[2]]))) as [Set<Future<unknown>>];
      const waited = yield at(2, waitFor(early[3], 5));
      const shielded = yield at(3, shield(early[4]));
      const order: unknown[] = [];
      for (const step of asCompleted([early[5], early[6]], { timeout: 10 })) order.push(yield at(4, step));
      return [gathered, [...done].map((f) => f.result()), waited, shielded, order];
    });
    expect(await run(main, { virtualTime: true })).toEqual([["s1", "s2"], ["w"], "wf", "sh", ["c1", "c2"]]);
  });

  test("the facade's sleep, wait and wait_for are the same coroutine functions", async () => {
    const main = define("main", 1, function* () {
      const [done] = (yield at(0, asyncio.wait([asyncio.sleep(1, "w")], { return_when: asyncio.FIRST_COMPLETED }))) as [Set<Future<unknown>>];
      return [[...done][0]!.result(), yield at(1, asyncio.wait_for(asyncio.sleep(1, "wf"), 2))];
    });
    expect(await asyncio.run(main as never, { virtual_time: true } as never)).toEqual(["w", "wf"]);
  });

  test("sleep refuses NaN with RangeError and a non-number with TypeError, at the call", () => {
    expect(() => sleep(NaN)).toThrow(RangeError);
    expect(() => sleep(NaN)).toThrow("sleep delay must be a number of seconds, got NaN");
    expect(() => sleep("1" as never)).toThrow(TypeError);
    expect(() => sleep("1" as never)).toThrow('sleep delay must be a number of seconds, got string "1"');
  });
});

describe("run() of a Task that already runs (eager mode's run(main()))", () => {
  test("drives a Task started on the default loop to its result", async () => {
    const main = define("main", 1, function* () {
      yield at(0, sleep(0.01));
      return getRunningLoop() === getEventLoop() ? "ran on the default loop" : "elsewhere";
    });
    const task = createTask(main());
    expect(await run(task)).toBe("ran on the default loop");
    expect(await asyncio.run(createTask(sleep(0, "facade")))).toBe("facade");
  });

  test("drives a gather made outside any loop", async () => {
    expect(await run(gather(sleep(0.001, "a"), sleep(0.002, "b")))).toEqual(["a", "b"]);
  });

  test("with an option that needs a fresh loop it is a TypeError that says to pass the function", async () => {
    const task = createTask(sleep(10));
    await expect(run(task, { virtualTime: true })).rejects.toThrow(TypeError);
    await expect(run(task, { debug: true })).rejects.toThrow(/the option debug needs a fresh loop: pass the function instead, run\(main, \{debug\}\)/);
    await expect(run(task, { virtualTime: true })).rejects.toThrow(/which already runs on <EventLoop id=\d+ /);
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
  });
});

describe("loops", () => {
  test("stop() while runUntilComplete waits rejects it with asyncio's RuntimeError", async () => {
    const loop = newEventLoop();
    const waiting = loop.runUntilComplete(loop.createFuture());
    loop.callSoon(() => loop.stop());
    await expect(waiting).rejects.toThrow(new RuntimeError("Event loop stopped before Future completed."));
    expect(loop.isRunning()).toBe(false);
    loop.close();
  });

  test("awaiting a Future of another loop raises RuntimeError naming both loops", async () => {
    const other = newEventLoop();
    const foreign = other.createFuture();
    const main = define("main", 1, function* () {
      try {
        yield at(0, foreign);
        return "waited";
      } catch (e) {
        return [(e as Error).name, (e as Error).message];
      }
    });
    const [name, message] = (await run(main, { virtualTime: true })) as [string, string];
    expect(name).toBe("RuntimeError");
    expect(message).toMatch(/^Task <Task pending name='Task-\d+' coro=<main\(\) running at .*>> got Future <Future pending> attached to a different loop: the future is on <EventLoop id=(\d+) .*>, the task on <EventLoop id=(?!\1)\d+ /);
    expect(message).toMatch(/runCoroutineThreadsafe\(coro, otherLoop\)/);
    other.close();
  });

  test("ensureFuture with another loop's future names both loops", () => {
    const a = newEventLoop();
    const b = newEventLoop();
    expect(() => ensureFuture(a.createFuture(), { loop: b })).toThrow(
      new RegExp(`^The future belongs to a different loop than the one specified as the loop argument: <Future pending> is on <EventLoop id=${a.id} .*>, the loop argument is <EventLoop id=${b.id} `),
    );
    a.close();
    b.close();
  });
});

describe("virtual time", () => {
  test("is exact: sleep(0.0001) twice ends at 0.0002, and a timer never fires before its time", async () => {
    const main = define("main", 1, function* () {
      const loop = getRunningLoop();
      const seen: number[] = [];
      yield at(0, sleep(0.0001));
      seen.push(loop.time());
      yield at(1, sleep(0.0001));
      seen.push(loop.time());
      loop.callLater(0.0005, () => seen.push(-loop.time()));
      yield at(2, sleep(0.0004));
      seen.push(loop.time());
      yield at(3, sleep(0.0002));
      return seen;
    });
    const seen = (await run(main, { virtualTime: true })) as number[];
    expect(seen[0]).toBeCloseTo(0.0001, 12);
    expect(seen[1]).toBeCloseTo(0.0002, 12);
    expect(seen[2]).toBeCloseTo(0.0006, 12);
    expect(seen[3]).toBeCloseTo(-0.0007, 12);
  });
});

describe("a cancel() the coroutine never met", () => {
  test("a task that cancels itself and returns ends cancelled, as asyncio's test_cancel_at_end", async () => {
    const main = define("main", 1, function* () {
      const inner = define("inner", 2, function* () {
        yield at(0, sleep(0));
        currentTask()!.cancel("late");
        return 12;
      }, { mode: "lazy" });
      const t = createTask(inner());
      try {
        yield at(0, t);
      } catch (e) {
        return [t.cancelled(), (e as Error).name, (e as Error).message];
      }
      return "returned";
    });
    expect(await run(main, { virtualTime: true })).toEqual([true, "CancelledError", "late"]);
  });
});
