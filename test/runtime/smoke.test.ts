import { CancelledError, run, sleep, Task, abi, getRunningLoop } from "../../runtime/index.js";
import { at, define, inline } from "../support/coroutines.js";

test("an eager task runs, sleeps in virtual time, and returns", async () => {
  const log: string[] = [];
  const child = define("child", 10, function* (n: number) {
    log.push(`child start ${getRunningLoop().time()}`);
    yield at(0, sleep(5));
    log.push(`child end ${getRunningLoop().time()}`);
    return n * 2;
  });
  const main = define("main", 1, function* () {
    const a = (yield at(0, inline(child, 21))) as number;
    return a + 1;
  });
  const task = run(main, { virtualTime: true });
  expect(await task).toBe(43);
  expect(log).toEqual(["child start 0", "child end 5"]);
});

test("cancel throws into the innermost await and finally runs", async () => {
  const log: string[] = [];
  const child = define("child", 10, function* () {
    try {
      yield at(1, sleep(100));
    } finally {
      log.push("finally");
    }
  }, { sources: ["x", "await sleep(100);"] });
  let t!: Task<unknown>;
  const main = define("main", 1, function* () {
    t = child();
    yield at(0, sleep(1));
    expect(t.getStack().map((f) => f.lineNumber)).toEqual([12]);
    expect(t.cancel("stop")).toBe(true);
    try {
      yield at(0, t);
    } catch (e) {
      log.push(`caught ${(e as Error).name} ${(e as Error).message}`);
    }
    return t.cancelled();
  });
  expect(await run(main, { virtualTime: true })).toBe(true);
  expect(log).toEqual(["finally", "caught CancelledError stop"]);
  expect(() => t.result()).toThrow(CancelledError);
});

test("recursion through inline awaits does not grow the stack", async () => {
  const deep: any = define("deep", 1, function* (n: number): Generator<unknown, number, unknown> {
    if (n === 0) return 0;
    return ((yield at(0, inline(deep, n - 1))) as number) + 1;
  });
  expect(await run(() => deep(1_000_000), { virtualTime: true })).toBe(1_000_000);
  void abi;
});
