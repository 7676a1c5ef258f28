/**
 * A failed task's traceback ends where the error was raised (asyncio's get_stack of a done task
 * walks the exception's traceback): the raising line, and the plain functions under it, read
 * off the error's source-mapped stack. Programs compiled and run by `corotask run`, whose stacks
 * are in original positions. Where a stack is not (the fixture runner, a bundle without
 * source-mapped stacks), the frame keeps its last await: fixtures/stacks/traceback-through-callees.
 */
import { requireBuild, runCli, tempProject } from "../support/pipelines/cli-temp-project.js";
import { EventEmitter } from "node:events";
import { abi, createTask, ensureFuture, run, sleep, type Task } from "../../runtime/index.js";
import type { FunctionInfo } from "../../runtime/coroutine.js";
import { at, callThrough, define, inline } from "../support/coroutines.js";

beforeAll(requireBuild);

describe("the traceback of a failed task, compiled and run", () => {
  const project = tempProject({
    "package.json": JSON.stringify({ type: "module" }),
    "app.ts": [
      'import { createTask, sleep } from "corotask";', // 1
      "function parse(text: string) {", // 2
      "  return JSON.parse(text);", // 3
      "}", // 4
      "class Store {", // 5
      "  async load(text: string) {", // 6
      "    await sleep(0.001);", // 7
      "    const value = parse(text);", // 8
      "    return value;", // 9
      "  }", // 10
      "}", // 11
      "async function leaf(n: number) {", // 12
      "  await sleep(0.001);", // 13
      "  const doubled = n * 2;", // 14
      "  throw new RangeError(`bad ${doubled}`);", // 15
      "}", // 16
      "async function middle() {", // 17
      "  await sleep(0.001);", // 18
      "  await leaf(21);", // 19
      "}", // 20
      "const made = new TypeError('made before');", // 21
      "async function throwsAnother() {", // 22
      "  await sleep(0.001);", // 23
      "  throw made;", // 24
      "}", // 25
      "for (const start of [() => middle(), () => new Store().load('{'), () => throwsAnother()]) {",
      "  const task = createTask(start());",
      "  try { await task; } catch {}",
      "  task.printStack({ file: process.stdout });",
      "  console.log(JSON.stringify(task.getStack().map((f) => `${f.functionName}:${f.lineNumber}`)));",
      "}",
      "",
    ].join("\n"),
  });

  let stdout = "";
  beforeAll(() => {
    const result = runCli(["run", "app.ts"], project);
    expect(result.stderr).toBe("");
    stdout = result.stdout;
  });

  test("ends at the line that raised, with its source line, under every awaiting frame", () => {
    expect(stdout).toContain(
      "(most recent call last):\n" +
        '  File "app.ts", line 19, in middle\n' +
        "    await leaf(21);\n" +
        '  File "app.ts", line 15, in leaf\n' +
        "    throw new RangeError(`bad ${doubled}`);\n" +
        "RangeError: bad 42\n",
    );
    expect(stdout).toContain('["middle:19","leaf:15"]');
  });

  test("lists the plain functions the raising coroutine called, down to the one that threw", () => {
    expect(stdout).toContain(
      '  File "app.ts", line 8, in Store.load\n' + "    const value = parse(text);\n" + '  File "app.ts", line 3, in parse\n' + "    return JSON.parse(text);\n" + "SyntaxError",
    );
    expect(stdout).toContain('["Store.load:8","parse:3"]');
  });

  test("an error made elsewhere keeps the frame's last await: its stack does not say where it was thrown", () => {
    expect(stdout).toContain('["throwsAnother:23"]');
  });
});

describe("an error caught on its way out is not part of the next one's traceback", () => {
  test("a frame that catches a callee's error and raises a new one shows only the new one's path", async () => {
    const leaf = define("leaf", 10, function* () {
      yield at(0, sleep(0));
      throw new Error("first");
    }, { mode: "lazy" });
    const middle = define("middle", 20, function* () {
      try {
        yield at(0, inline(leaf)); // run on the trampoline: the error leaves a level
      } catch {
        yield at(1, sleep(0));
      }
      throw new Error("second");
    }, { mode: "lazy" });
    await run(define("main", 1, function* () {
      const task = createTask(middle());
      try {
        yield at(0, task);
      } catch (e) {
        expect((e as Error).message).toBe("second");
      }
      expect(task.getStack().map((f) => `${f.functionName}:${f.lineNumber}`)).toEqual(["middle:22"]);
    }), { virtualTime: true });
  });
});

describe("the traceback's raising line, in this process", () => {
  // Coroutines whose info names this file and spans it, so that an error's own stack, which
  // shows them at their lines here, can give the raising line. Their await sites are at 9001+.
  // `overrides` change the info (not the name V8 prints, which stays `name`'s last part).
  function coroutine(name: string, body: () => Generator<unknown, unknown, unknown>, overrides: Partial<FunctionInfo> = {}): () => Task<unknown> {
    const info: FunctionInfo = {
      name,
      file: "traceback.test.ts",
      line: 1,
      column: 1,
      endLine: 100_000,
      sites: [0, 1, 2, 3].map((i) => ({ line: 9001 + i, column: 3 })),
      ...overrides,
    };
    Object.defineProperty(body, "name", { value: name.slice(name.lastIndexOf(".") + 1) });
    abi.coroutineBody(body, info);
    return abi.asyncFunction(body, "lazy") as unknown as () => Task<unknown>;
  }
  const lineOf = (error: Error): number => Number(/traceback\.test\.ts:(\d+):\d+\)$/m.exec(error.stack!)![1]);
  const stackOf = async (start: () => unknown): Promise<string[]> => {
    const task = createTask(start() as Task<unknown>);
    await task.catch(() => undefined);
    return task.getStack().map((f) => `${f.functionName}:${f.lineNumber}`);
  };

  test("an error made in the frame but thrown in at an await ends at that await, not where it was made", async () => {
    let made: Error | undefined;
    const rejectsOwn = coroutine("rejectsOwn", function* () {
      made = new TypeError("made here, thrown in later");
      yield at(0, sleep(0));
      yield at(1, Promise.reject(made));
    });
    expect(await stackOf(rejectsOwn)).toEqual(["rejectsOwn:9002"]);
    expect(lineOf(made!)).toBeLessThan(9000);
  });

  test("an error raised in a catch clause ends at its throw, not at the await the caught one came in at", async () => {
    let raised: Error | undefined;
    const catchesAndRaises = coroutine("catchesAndRaises", function* () {
      yield at(0, sleep(0));
      try {
        yield at(1, Promise.reject(new Error("thrown in")));
      } catch {
        raised = new RangeError("raised in the catch");
        throw raised;
      }
    });
    const stack = await stackOf(catchesAndRaises);
    expect(stack).toEqual([`catchesAndRaises:${lineOf(raised!)}`]);
  });

  test("an error the frame awaited as a value and then raised is raised there: its own stack gives the line", async () => {
    let made: Error | undefined;
    const raisesValue = coroutine("raisesValue", function* () {
      made = new Error("a value first");
      const value = yield at(0, Promise.resolve(made));
      throw value;
    });
    expect(await stackOf(raisesValue)).toEqual([`raisesValue:${lineOf(made!)}`]);
  });

  test("keeps the newest 1000 frames of a traceback deeper than that", async () => {
    const deep = define("deep", 900, function* (n: number): Generator<unknown, unknown, unknown> {
      if (n === 0) {
        yield at(0, sleep(0));
        throw new Error("bottom");
      }
      return yield at(1, inline(deep, n - 1)); // each call a level of its own: no native stack used
    }, { mode: "lazy" });
    const task = createTask(deep(1005));
    await task.catch(() => undefined);
    const frames = task.getStack();
    expect(frames).toHaveLength(1000);
    expect(frames.every((f) => f.functionName === "deep")).toBe(true);
    expect(frames[frames.length - 1]!.lineNumber).toBe(901); // the innermost is kept
  });

  test("a callee run on the trampoline that throws before its first await ends at its own line", async () => {
    const made = new Error("made elsewhere");
    const leaf = define("leaf", 300, function* () {
      throw made;
    }, { mode: "lazy" });
    const middle = define("middle", 400, function* () {
      yield at(0, sleep(0));
      yield at(1, inline(leaf)); // the frame is yielded: a level of its own, whose site starts at none
    }, { mode: "lazy" });
    const task = createTask(middle());
    await task.catch(() => undefined);
    expect(task.getStack().map((f) => `${f.functionName}:${f.lineNumber}`)).toEqual(["middle:402", "leaf:300"]);
  });

  // Plain code of this file that the coroutines below call, as constructors: Jest's source maps
  // name a frame after the identifier at its position, and a `new` expression has none, so the
  // coroutine's frame keeps its own name. Each records its line (a `new Error()` on that line).
  const lines: Record<string, number> = {};
  class Fails {
    constructor() {
      const here = new RangeError("deep"); lines.fails = lineOf(here); throw here;
    }
  }
  class ThroughNode {
    constructor() {
      const emitter = new EventEmitter();
      lines.listener = lineOf(new Error()); emitter.on("go", () => new Fails());
      lines.emit = lineOf(new Error()); emitter.emit("go");
    }
  }
  class ThroughRuntime {
    constructor() {
      // ensureFuture calls a thenable's then() from the runtime's own frames.
      lines.ensureFuture = lineOf(new Error()); ensureFuture({ then: () => new Fails() } as unknown as PromiseLike<never>);
    }
  }
  const framesOf = async (start: () => unknown): Promise<string[]> => {
    const task = createTask(start() as Task<unknown>);
    await task.catch(() => undefined);
    return task.getStack().map((f, i) => `${i === 0 ? f.functionName + ":" : ""}${f.fileName}:${f.lineNumber}`);
  };

  test("lists the plain functions under the raising line, named relative to the coroutine's folder, without node: or runtime frames", async () => {
    const callsPlain = coroutine("callsPlain", function* () {
      yield at(0, sleep(0));
      lines.callsPlain = lineOf(new Error()); new ThroughNode();
    });
    expect(await framesOf(callsPlain)).toEqual([
      `callsPlain:traceback.test.ts:${lines.callsPlain}`,
      `traceback.test.ts:${lines.emit}`,
      `traceback.test.ts:${lines.listener}`,
      `traceback.test.ts:${lines.fails}`,
    ]);
    const throughRuntime = coroutine("throughRuntime", function* () {
      yield at(0, sleep(0));
      lines.throughRuntime = lineOf(new Error()); new ThroughRuntime();
    });
    expect(await framesOf(throughRuntime)).toEqual([
      `throughRuntime:traceback.test.ts:${lines.throughRuntime}`,
      `traceback.test.ts:${lines.ensureFuture}`,
      `traceback.test.ts:${lines.ensureFuture}`,
      `traceback.test.ts:${lines.fails}`,
    ]);
  });

  test("plain frames keep their names (`<anonymous>` for none), and a file outside the coroutine's folder its whole path", async () => {
    const task = createTask(coroutine("nested", function* () {
      yield at(0, sleep(0));
      lines.nested = lineOf(new Error()); new (class Outer { constructor() { callThrough(() => new Fails()); } })();
    })());
    await task.catch(() => undefined);
    const frames = task.getStack();
    expect(frames.map((f) => f.fileName)).toEqual(["traceback.test.ts", "traceback.test.ts", expect.stringMatching(/^\/.*\/test\/support\/coroutines\.ts$/), "traceback.test.ts", "traceback.test.ts"]);
    // Jest's source maps rename a plain function's frame after the identifier at its position
    // (`fn` for callThrough's); an arrow called without a receiver has no name.
    expect(frames.map((f) => f.functionName)).toEqual(["nested", "new Outer", "fn", "<anonymous>", "new Fails"]);
    expect(frames[frames.length - 1]!.lineNumber).toBe(lines.fails);
  });

  test("the raising line carries its source text when an await site is on it", async () => {
    const sites = [{ line: 9001, column: 3 }, { line: 0, column: 3, source: "new ThroughNode();" }];
    const withSource = coroutine("withSource", function* () {
      yield at(0, sleep(0));
      sites[1]!.line = lineOf(new Error()); new ThroughNode();
    }, { sites });
    const task = createTask(withSource());
    await task.catch(() => undefined);
    expect(task.getStack()[0]).toMatchObject({ functionName: "withSource", lineNumber: sites[1]!.line, source: "new ThroughNode();" });
    expect(task.getStack()[1]).not.toHaveProperty("source");
    const without = createTask(coroutine("withoutSource", function* () {
      yield at(0, sleep(0));
      new Fails();
    })());
    await without.catch(() => undefined);
    expect(without.getStack()[0]!.lineNumber).toBeLessThan(9000);
    expect(without.getStack()[0]).not.toHaveProperty("source");
  });

  test("a stack that does not show the coroutine in its own file at its own lines is not believed: the last await is the line", async () => {
    const raising = (name: string, overrides: Partial<FunctionInfo> = {}, printed?: string): (() => Task<unknown>) => {
      const body = function* (): Generator<unknown, void, unknown> {
        yield at(0, sleep(0));
        new Fails();
      };
      const start = coroutine(name, body, overrides);
      if (printed !== undefined) Object.defineProperty(body, "name", { value: printed });
      return start;
    };
    // V8 prints a method's frame by its last name part (`load`, or `Function.load` if static).
    const believed = await framesOf(raising("Store.load"));
    expect(believed).toHaveLength(2);
    expect(believed[1]).toBe(`traceback.test.ts:${lines.fails}`);
    expect(await framesOf(raising("Store.load", {}, "Function.load"))).toHaveLength(2);
    const notBelieved: Array<[Partial<FunctionInfo>, string?]> = [
      [{}, "another"], // another function's frame
      [{ file: "elsewhere.test.ts" }], // another file
      [{ file: "back.test.ts" }], // a file whose name only ends the same
      [{ endLine: 2 }], // after the function's last line
      [{ line: 99_000 }], // before its first
      [{ endLine: undefined }], // its extent unknown
    ];
    for (const [overrides, printed] of notBelieved) {
      expect(await framesOf(raising("shown", overrides, printed))).toEqual([`shown:${overrides.file ?? "traceback.test.ts"}:9001`]);
    }
    // The function's first and last lines are its own; a file named as the stack names it, too.
    const raisedAt = Number(believed[0]!.split(":").pop());
    for (const overrides of [{ line: raisedAt }, { endLine: raisedAt }, { file: __filename }]) {
      expect(await framesOf(raising("bounds", overrides))).toHaveLength(2);
    }
    // A frame without a name is `<anonymous>`'s, as the transform names a function without one.
    expect(await framesOf(raising("<anonymous>", {}, ""))).toHaveLength(2);
  });

  test("an ES module's stack, whose files are file:// URLs, gives the raising line and the plain frames' files as the coroutine's are named", async () => {
    const url = `file://${__filename}`;
    const esm = coroutine("esm", function* () {
      yield at(0, sleep(0));
      const error = new Error("from a module");
      error.stack = [
        "Error: from a module",
        `    at parse (${url.replace(/traceback\.test\.ts$/, "parse.js")}:3:9)`,
        `    at esm (${url}:77:5)`,
        "    at Generator.next (<anonymous>)",
      ].join("\n");
      throw error;
    });
    expect(await framesOf(esm)).toEqual(["esm:traceback.test.ts:77", "parse.js:3"]);
  });

  test("only an Error's own stack is read: a thrown object with a stack, or an Error whose stack is not a string, ends at the last await", async () => {
    const forged = (stack: unknown): (() => Task<unknown>) =>
      coroutine("forged", function* () {
        yield at(0, sleep(0));
        lines.forged = lineOf(new Error()); const error = new Error("x"); Object.defineProperty(error, "stack", { value: stack });
        throw typeof stack === "string" ? { stack } : error;
      });
    const stack = new Error().stack!.replace(/^(\s+at ).*$/m, `$1forged (${__filename}:${lines.fails}:1)\n    at Generator.next (<anonymous>)`);
    expect(await framesOf(forged(stack))).toEqual(["forged:traceback.test.ts:9001"]);
    expect(await framesOf(forged(42))).toEqual(["forged:traceback.test.ts:9001"]);
    expect(await framesOf(forged(undefined))).toEqual(["forged:traceback.test.ts:9001"]);
  });
});
