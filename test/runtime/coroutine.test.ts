import * as assert from "node:assert";
import { LazyCoroutine, run, sleep } from "../../runtime/index.js";
import { at, define } from "../support/coroutines.js";

describe("a lazy coroutine used from plain code", () => {
  const failing = define("failing", 1, function* () {
    yield at(0, sleep(0));
    throw new Error("boom");
  }, { mode: "lazy" });
  const counting = (runs: string[]) =>
    define("counting", 1, function* () {
      runs.push("ran");
      yield at(0, sleep(0));
      return "value";
    }, { mode: "lazy" });

  test("catch() schedules it and handles its failure", async () => {
    const coro = failing();
    expect(coro).toBeInstanceOf(LazyCoroutine);
    await expect(coro.catch((e: Error) => `handled ${e.message}`)).resolves.toBe("handled boom");
  });

  test("finally() schedules it and runs the callback however it ends", async () => {
    const seen: string[] = [];
    await expect(failing().finally(() => seen.push("finally"))).rejects.toThrow("boom");
    expect(seen).toEqual(["finally"]);
  });

  test("node's assert.rejects takes it", async () => {
    await assert.rejects(failing() as unknown as Promise<unknown>, /boom/);
  });

  test("then, catch and finally chain on one Task: the body runs once", async () => {
    const runs: string[] = [];
    const coro = counting(runs)();
    const results = await Promise.all([coro.then((v) => `then ${v}`), coro.catch(() => "never"), coro.finally(() => runs.push("finally"))]);
    expect(results).toEqual(["then value", "value", "value"]);
    expect(runs).toEqual(["ran", "finally"]);
  });

  test("awaiting it from compiled code after then() scheduled it is refused as a reuse", async () => {
    const runs: string[] = [];
    const coro = counting(runs)();
    const viaThen = coro.then((v) => v);
    const main = define("main", 1, function* () {
      try {
        return yield at(0, coro);
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(await run(main)).toBe("cannot reuse already awaited coroutine 'counting'");
    await viaThen;
  });
});

describe("coroutine objects (mutation testing found these unchecked)", () => {
  test("the string form names the function and where it is defined", () => {
    const lazy = define("named", 7, function* () {
      return 1;
    }, { mode: "lazy" });
    const coro = lazy();
    expect(String(coro)).toBe("<coroutine object named at test.ts:7>");
    coro.close();
    expect(String(coro)).toBe("<coroutine object named at test.ts:7>");
  });

  test("a lone coroutine never awaited, the first the runtime makes, is reported by the default reporter", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error("run jest under node --expose-gc: this test needs collection reports");
    // A fresh copy of the module: its first coroutine, with nothing made after it.
    let isolated!: typeof import("../../runtime/coroutine.js");
    jest.isolateModules(() => {
      isolated = require("../../runtime/coroutine.js");
    });
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const body = isolated.coroutineBody(function* alone() {
        return 1;
      }, { name: "alone", file: "test.ts", line: 1, column: 1, sites: [] });
      (() => void new isolated.LazyCoroutine(body()))();
      for (let i = 0; i < 10 && warn.mock.calls.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 0));
        gc();
      }
      expect(warn.mock.calls).toEqual([["RuntimeWarning: coroutine 'alone' was never awaited"]]);
    } finally {
      warn.mockRestore();
    }
  });

  test("a coroutine's then() without the task module says so", () => {
    let isolated!: typeof import("../../runtime/coroutine.js");
    jest.isolateModules(() => {
      isolated = require("../../runtime/coroutine.js");
    });
    const body = isolated.coroutineBody(function* orphan() {
      return 1;
    }, { name: "orphan", file: "test.ts", line: 1, column: 1, sites: [] });
    const coro = new isolated.LazyCoroutine(body());
    expect(() => coro.then()).toThrow(new Error("corotask: task module not loaded"));
    coro.close();
  });
});
