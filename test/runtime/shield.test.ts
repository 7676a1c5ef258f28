import { CancelledError, Future, Task, createTask, getRunningLoop, newEventLoop, run, shield, sleep } from "../../runtime/index.js";
import { at, define, now } from "../support/coroutines.js";

const job = define("job", 10, function* (log: string[], delay: number, value: unknown) {
  try {
    yield at(0, sleep(delay));
  } catch (e) {
    log.push(`job caught ${(e as Error).name}`);
    throw e;
  }
  log.push(`job done at ${now()}`);
  if (value instanceof Error) throw value;
  return value;
});

test("awaiting a shield gives the result, like awaiting the thing itself", async () => {
  const log: string[] = [];
  const main = define("main", 1, function* () {
    return [yield at(0, shield(job(log, 2, "v"))), now()];
  });
  expect(await run(main, { virtualTime: true })).toEqual(["v", 2]);
});

test("an exception passes through the shield", async () => {
  const log: string[] = [];
  const main = define("main", 1, function* () {
    try {
      yield at(0, shield(job(log, 1, new Error("boom"))));
    } catch (e) {
      return (e as Error).message;
    }
  });
  expect(await run(main, { virtualTime: true })).toBe("boom");
});

test("cancelling the awaiting task raises CancelledError in it while the shielded task runs on", async () => {
  const log: string[] = [];
  let inner!: Task<unknown>;
  const waiter = define("waiter", 20, function* () {
    inner = job(log, 5, "v");
    try {
      return yield at(0, shield(inner));
    } catch (e) {
      log.push(`waiter caught ${(e as Error).name} ${(e as Error).message} at ${now()}`);
      throw e;
    }
  });
  const main = define("main", 1, function* () {
    const t = waiter() as Task<unknown>;
    yield at(0, sleep(1));
    t.cancel("go away");
    try {
      yield at(1, t);
    } catch {
      log.push(`waiter cancelled ${t.cancelled()}`);
    }
    return yield at(2, inner);
  });
  expect(await run(main, { virtualTime: true })).toBe("v");
  expect(log).toEqual(["waiter caught CancelledError go away at 1", "waiter cancelled true", "job done at 5"]);
});

test("cancelling the shielded task by other means cancels the shield too", async () => {
  const log: string[] = [];
  const main = define("main", 1, function* () {
    const inner = job(log, 5, "v");
    const outer = shield(inner);
    yield at(0, sleep(1));
    inner.cancel("direct");
    try {
      yield at(1, outer);
    } catch (e) {
      return [(e as Error).name, (e as Error).message, outer.cancelled()];
    }
  });
  expect(await run(main, { virtualTime: true })).toEqual(["CancelledError", "direct", true]);
  expect(log).toEqual(["job caught CancelledError"]);
});

test("returns an awaitable already done as is", async () => {
  const main = define("main", 1, function* () {
    const f = getRunningLoop().createFuture<number>();
    f.setResult(3);
    return shield(f) === f;
  });
  expect(await run(main, { virtualTime: true })).toBe(true);
});

test("returns a new Future for a pending one, and wraps coroutines and thenables", async () => {
  const lazy = define("lazy", 30, function* () {
    yield at(0, sleep(1));
    return "lazy";
  }, { mode: "lazy" });
  const main = define("main", 1, function* () {
    const f = getRunningLoop().createFuture<number>();
    const s = shield(f);
    getRunningLoop().callLater(1, () => f.setResult(7));
    return [s !== f, s instanceof Future, yield at(0, s), yield at(1, shield(lazy())), yield at(2, shield(Promise.resolve("p")))];
  });
  expect(await run(main, { virtualTime: true })).toEqual([true, true, 7, "lazy", "p"]);
});

describe("once the shield is cancelled, the inner's later failure is reported once through the exception handler (3.13)", () => {
  // The failure moves outward through each shield that is not cancelled (it retrieves the one
  // inside), so the report names the innermost future that nobody looks at.
  test.each([
    [1, "Task exception was never retrieved: late failure"],
    [3, "Future exception was never retrieved: late failure"],
  ])("wrapped in %i shield(s)", async (shields, expected) => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error("run jest under node --expose-gc: this test needs collection reports");
    const reports: string[] = [];
    const failing = define("failing", 1, function* () {
      yield at(0, sleep(2));
      throw new Error("late failure");
    }, { mode: "lazy" });
    const main = define("main", 1, function* () {
      getRunningLoop().setExceptionHandler((_loop, context) => reports.push(`${context.message}: ${(context.exception as Error).message}`));
      let outer: Future<unknown> = createTask(failing());
      for (let i = 0; i < shields; i++) outer = shield(outer);
      outer.cancel();
      yield at(0, sleep(3));
      return outer.cancelled();
    }, { mode: "lazy" });
    const loop = newEventLoop({ virtualTime: true });
    expect(await loop.runUntilComplete(loop.createTask(main()))).toBe(true);
    for (let i = 0; i < 10 && reports.length === 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 0));
    }
    gc();
    await new Promise((r) => setTimeout(r, 0));
    expect(reports).toEqual([expected]);
    loop.close();
  });
});

test("a cancelled shield does not cancel the inner task", async () => {
  const log: string[] = [];
  const main = define("main", 1, function* () {
    const inner = job(log, 2, "v");
    const outer = shield(inner);
    expect(outer.cancel()).toBe(true);
    return yield at(0, inner);
  });
  expect(await run(main, { virtualTime: true })).toBe("v");
  expect(log).toEqual(["job done at 2"]);
});

test("a non-awaitable throws TypeError", () => {
  expect(() => shield(5 as never)).toThrow(
    "shield's argument must be awaitable (a Task, a Future, a coroutine or a thenable), got number 5",
  );
  expect(() => shield(undefined as never)).toThrow(TypeError);
  void CancelledError;
});
