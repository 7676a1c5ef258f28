/**
 * The delegation half of the coroutine protocol (runtime/coroutine.ts): frames run by `yield*`
 * are recorded in the task's chain, so stacks, cancellation and error stacks see them, and a
 * chain longer than DELEGATION_LIMIT continues on the trampoline. The transform's output is
 * tested by the fixtures; these tests drive the protocol by hand.
 */
import { CancelledError, abi, createTask, currentTask, run, sleep, timeout } from "../../runtime/index.js";
import { DELEGATION_LIMIT, type Frame } from "../../runtime/coroutine.js";
import { at, define, delegating } from "../support/coroutines.js";

let downBody: (n: number) => Frame<number>;
const seenInside: number[] = [];
/** `async function down(n) { if (n === 0) { await sleep(5); return 0 } return 1 + (await down(n - 1)) }` */
const down = define("down", 10, function* (n: number): Generator<unknown, number, unknown> {
  const k = abi.siteRegister.depth;
  if (n === 0) {
    seenInside.push(currentTask()!.getStack().length);
    yield at(1, sleep(5));
    return 0;
  }
  return 1 + (yield* delegating(downBody(n - 1), k, 0));
});
downBody = down.body;

beforeEach(() => {
  seenInside.length = 0;
});

test(`a task suspended 200 frames deep (past DELEGATION_LIMIT = ${DELEGATION_LIMIT}) lists every frame, from outside and from inside`, async () => {
  const main = define("main", 1, function* () {
    const task = down(200);
    yield at(0, sleep(1));
    const stack = task.getStack();
    const result = yield at(1, task);
    return { frames: stack.length, awaits: stack.slice(0, -1).every((f) => f.functionName === "down" && f.lineNumber === 11), last: stack.at(-1)!.lineNumber, result };
  });
  expect(await run(main, { virtualTime: true })).toEqual({ frames: 201, awaits: true, last: 12, result: 200 });
  expect(seenInside).toEqual([201]);
});

test("a recursion 100,000 deep by delegation keeps the JavaScript stack flat", async () => {
  const main = define("main", 1, function* () {
    const k = abi.siteRegister.depth;
    return yield* delegating(downBody(100_000), k, 0);
  });
  expect(await run(main, { virtualTime: true })).toBe(100_000);
});

test("an error made in a callee run by delegation keeps its own line and gets an `at async` line per caller, not the callers' generator lines", async () => {
  // A user's CancelledError made there has frames of its own: it is cleaned as any error is.
  for (const make of [() => new Error("made in leaf"), () => new CancelledError("made in leaf")]) {
    const leaf = define("leaf", 40, function* () {
      yield at(0, sleep(0));
      throw make();
    });
    const mid = define("mid", 50, function* () {
      const k = abi.siteRegister.depth;
      yield* delegating(leaf.body(), k, 0);
    });
    const top = define("top", 60, function* () {
      const k = abi.siteRegister.depth;
      try {
        yield* delegating(mid.body(), k, 0);
      } catch (e) {
        abi.caught(e, 0, k);
        return (e as Error).stack!;
      }
    });
    const frames = (await top())!.split("\n").slice(1);
    // The arrow that made it and leaf's line, then the callers.
    expect(frames).toHaveLength(4);
    for (const own of frames.slice(0, 2)) expect(own).toMatch(/^ {4}at .*\/delegation\.test\.ts:\d+:\d+\)?$/);
    expect(frames.slice(2)).toEqual(["    at async mid (test.ts:51:3)", "    at async top (test.ts:61:3)"]);
  }
});

test("a callee's error caught by its caller leaves the stack at the caller; the error's stack gets the callee's caller", async () => {
  const fails = define("fails", 20, function* (): Generator<unknown, never, unknown> {
    yield at(0, null);
    throw new Error("callee failed");
  });
  let stackOfError = "";
  const recovers = define("recovers", 30, function* () {
    const k = abi.siteRegister.depth;
    try {
      yield* delegating(fails.body(), k, 0);
    } catch (e) {
      abi.caught(e, 0, k);
      stackOfError = (e as Error).stack!;
    }
    yield at(1, sleep(5));
  });
  const main = define("main", 1, function* () {
    const task = recovers();
    yield at(0, sleep(1));
    const stack = task.getStack().map((f) => `${f.functionName}:${f.lineNumber}`);
    yield at(1, task);
    return stack;
  });
  expect(await run(main, { virtualTime: true })).toEqual(["recovers:32"]);
  expect(stackOfError).toContain("\n    at async recovers (test.ts:31:3)");
  expect(stackOfError).not.toContain("runtime/task");
});

test("cancel() throws CancelledError at the innermost delegated await; every frame's finally runs, innermost first", async () => {
  const order: string[] = [];
  let innerBody: () => Frame<void>;
  const inner = define("inner", 40, function* () {
    try {
      yield at(0, sleep(10));
    } finally {
      order.push("inner");
    }
  });
  innerBody = inner.body;
  const outer = define("outer", 50, function* () {
    const k = abi.siteRegister.depth;
    try {
      yield* delegating(innerBody(), k, 0);
    } finally {
      order.push("outer");
    }
  });
  const main = define("main", 1, function* () {
    const task = createTask(outer.body());
    yield at(0, sleep(1));
    const stack = task.getStack().map((f) => f.functionName);
    task.cancel();
    try {
      yield at(1, task);
    } catch (e) {
      return [stack, e instanceof CancelledError, task.cancelled()];
    }
  });
  expect(await run(main, { virtualTime: true })).toEqual([["outer", "inner"], true, true]);
  expect(order).toEqual(["inner", "outer"]);
});

test("a callee that returns a thenable resolves its caller's await to the thenable's outcome", async () => {
  const returnsPromise = define("returnsPromise", 60, function* () {
    return Promise.resolve("settled");
  });
  const main = define("main", 1, function* () {
    const k = abi.siteRegister.depth;
    return yield* delegating(returnsPromise.body(), k, 0);
  });
  expect(await run(main, { virtualTime: true })).toBe("settled");
});

test("a chain entry recorded by its body shows that body's function; a hidden runtime body (timeout's inline form) shows none", async () => {
  const timeoutBody = (timeout as unknown as Record<symbol, (delay: number, body: () => unknown) => Frame<unknown>>)[abi.BODY]!;
  /** `yield* delegatingBody(frame, k, site, body)`: the `_df` form, where the chain records the body. */
  function* delegatingBody<T>(frame: Frame<T>, k: number, site: number, body: (...args: never[]) => Frame<unknown>): Generator<unknown, T, unknown> {
    if (!abi.delegateFrame(frame as Frame, k, site, body as never)) return (yield frame) as T;
    const value = yield* frame;
    if (abi.delegationReturned(value, k)) return (yield at(site, value)) as T;
    return value;
  }
  const leaf = define("leaf", 50, function* () {
    yield at(0, sleep(5));
  });
  const middle = define("middle", 40, function* () {
    const k = abi.siteRegister.depth;
    // timeout(10, leaf) run inline, as a compiled `await timeout(10, leaf)` runs it.
    yield* delegatingBody(timeoutBody(10, leaf), k, 0, timeoutBody as never);
  });
  const outer = define("outer", 30, function* () {
    const k = abi.siteRegister.depth;
    yield* delegatingBody(middle.body(), k, 0, middle.body as never);
  });
  const main = define("main", 1, function* () {
    const task = outer();
    yield at(0, sleep(1));
    const stack = task.getStack().map((f) => f.functionName);
    yield at(1, task);
    return stack;
  });
  expect(await run(main, { virtualTime: true })).toEqual(["outer", "middle", "leaf"]);
});
