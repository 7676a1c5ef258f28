/**
 * A failed task's traceback ends where the error was raised (asyncio's get_stack of a done task
 * walks the exception's traceback): the raising line, and the plain functions under it, read
 * off the error's source-mapped stack. Programs compiled and run by `corotask run`, whose stacks
 * are in original positions. Where a stack is not (the fixture runner, a bundle without
 * source-mapped stacks), the frame keeps its last await: fixtures/stacks/traceback-through-callees.
 */
import { requireBuild, runCli, tempProject } from "../support/pipelines/cli-temp-project.js";
import { abi, createTask, run, sleep, type Task } from "../../runtime/index.js";
import type { FunctionInfo } from "../../runtime/coroutine.js";
import { at, define, inline } from "../support/coroutines.js";

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
  function coroutine(name: string, body: () => Generator<unknown, unknown, unknown>): () => Task<unknown> {
    const info: FunctionInfo = {
      name,
      file: "traceback.test.ts",
      line: 1,
      column: 1,
      endLine: 100_000,
      sites: [0, 1, 2, 3].map((i) => ({ line: 9001 + i, column: 3 })),
    };
    Object.defineProperty(body, "name", { value: name });
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
});
