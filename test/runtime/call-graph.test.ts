/** captureCallGraph / printCallGraph: who waits where, and who waits for whom (asyncio 3.14's graph). */
import {
  Future,
  Task,
  TaskGroup,
  abi,
  captureCallGraph,
  createTask,
  currentTask,
  formatCallGraph,
  printCallGraph,
  run,
  sleep,
  type FutureCallGraph,
} from "../../runtime/index.js";
import { registerAwaitedBy, unregisterAwaitedBy } from "../../runtime/call-graph.js";
import { at, define, inline } from "../support/coroutines.js";

/** The compiled form of `await self.fn(...args)`: the inline body when `fn` has one. */
function call(fn: unknown, self: unknown, ...args: unknown[]): unknown {
  const f = fn as { [abi.BODY]?: (...a: unknown[]) => unknown } & ((...a: unknown[]) => unknown);
  return (f[abi.BODY] ?? f).call(self, ...args);
}

async function runMain<T>(body: () => Generator<unknown, T, unknown>): Promise<T> {
  return run(define("main", 1, body), { virtualTime: true });
}

/** A graph as names and lines: `name@line,line <- [awaiters]`, ids left out. */
function shape(graph: FutureCallGraph): unknown {
  const f = graph.future;
  const name = f instanceof Task ? f.getName() : "Future";
  const lines = graph.callStack.map((frame) => `${frame.functionName}:${frame.lineNumber}`);
  return graph.awaitedBy.length === 0 ? [name, lines] : [name, lines, graph.awaitedBy.map(shape)];
}

function withoutIds(text: string): string {
  return text.replace(/id=0x[0-9a-f]+/g, "id=ID");
}

const child = define("child", 10, function* (delay: number) {
  yield at(0, sleep(delay));
  return delay;
});
const wrapper = define("wrapper", 20, function* (delay: number) {
  return yield at(0, inline(child, delay));
});

describe("captureCallGraph(task)", () => {
  test("a task awaited by another: its chain newest first, then the awaiting task's", async () => {
    const graph = await runMain(function* () {
      currentTask()!.setName("main");
      const t = createTask(wrapper(5) as Task<number>, { name: "worker" });
      const observer = define("observer", 30, function* () {
        yield at(0, sleep(1));
        return captureCallGraph(t);
      });
      const o = createTask(observer(), { name: "observer" });
      yield at(0, t);
      return o.result() as FutureCallGraph;
    });
    expect(shape(graph)).toEqual(["worker", ["child:11", "wrapper:21"], [["main", ["main:2"]]]]);
  });

  test("a task that is done has no call stack; a plain Future has none either", async () => {
    const result = await runMain(function* () {
      const t = child(0) as Task<number>;
      yield at(0, t);
      const f = new Future();
      const waiter = createTask(define("waiter", 40, function* () {
        yield at(0, f);
      })(), { name: "waiter" });
      yield at(1, sleep(0));
      const graphs = [shape(captureCallGraph(t)), shape(captureCallGraph(f))];
      f.setResult(1);
      yield at(2, waiter);
      return graphs;
    });
    expect(result).toEqual([
      [expect.stringMatching(/^Task-/), []],
      ["Future", [], [["waiter", ["waiter:41"]]]],
    ]);
  });

  test("TaskGroup children are awaited by the task that runs the group", async () => {
    const graph = await runMain(function* () {
      currentTask()!.setName("main");
      const tg = new TaskGroup();
      let graph!: FutureCallGraph;
      yield at(0, call(tg.run, tg, define("body", 50, function* (g: TaskGroup) {
        const c = g.createTask(child(1), { name: "c1" });
        g.createTask(define("observer", 60, function* () {
          yield at(0, sleep(0.5));
          graph = captureCallGraph(c);
        })(), { name: "observer" });
      })));
      return graph;
    });
    expect(shape(graph)).toEqual(["c1", ["child:11"], [["main", ["main:2"]]]]);
  });

  test("registerAwaitedBy links a child to an outer future, which the awaiting task waits on", async () => {
    const result = await runMain(function* () {
      currentTask()!.setName("main");
      const outer = new Future<number>();
      const c = createTask(child(1), { name: "c" });
      registerAwaitedBy(outer, c);
      c.addDoneCallback(() => {
        unregisterAwaitedBy(outer, c);
        outer.setResult(c.result() as number);
      });
      const observed: unknown[] = [];
      createTask(define("observer", 60, function* () {
        yield at(0, sleep(0.5));
        observed.push(shape(captureCallGraph(c)));
      })());
      yield at(0, outer);
      observed.push(shape(captureCallGraph(c)));
      return observed;
    });
    expect(result).toEqual([["c", ["child:11"], [["Future", [], [["main", ["main:2"]]]]]], ["c", []]]);
  });

  test("a task awaited both through a group and directly is listed once", async () => {
    const graph = await runMain(function* () {
      currentTask()!.setName("main");
      const tg = new TaskGroup();
      let graph!: FutureCallGraph;
      yield at(0, call(tg.run, tg, define("body", 50, function* (g: TaskGroup) {
        const c = g.createTask(child(1), { name: "c1" });
        g.createTask(define("observer", 60, function* () {
          yield at(0, sleep(0.5));
          graph = captureCallGraph(c);
        })());
        yield at(0, c);
      })));
      return graph;
    });
    expect(shape(graph)).toEqual(["c1", ["child:11"], [["main", ["body:51", "main:2"]]]]);
  });

  test("rejects what is not a Task or Future", () => {
    expect(() => captureCallGraph({} as never)).toThrow(new TypeError("captureCallGraph expects a Task or Future, got an Object"));
  });
});

describe("captureCallGraph() without a task", () => {
  test("is a forest with one graph per task nobody waits for, innermost waits first", async () => {
    const forest = await runMain(function* () {
      currentTask()!.setName("main");
      const a = createTask(child(2), { name: "a" });
      const b = createTask(child(3), { name: "b" });
      const joiner = createTask(define("joiner", 40, function* () {
        yield at(0, a);
        yield at(1, b);
      })(), { name: "joiner" });
      yield at(0, sleep(1));
      const forest = captureCallGraph();
      yield at(1, joiner);
      return forest;
    });
    expect(forest.map(shape)).toEqual([
      ["main", ["main:2"]],
      ["a", ["child:11"], [["joiner", ["joiner:41"]]]],
      ["b", ["child:11"]],
    ]);
  });

  test("shows a deadlock: two tasks awaiting each other form a cycle, listed once", async () => {
    const result = await runMain(function* () {
      currentTask()!.setName("main");
      const tasks: Record<string, Task<unknown>> = {};
      const waitFor = define("waitFor", 40, function* (other: string) {
        yield at(0, sleep(0));
        yield at(1, tasks[other]);
      });
      tasks.a = createTask(waitFor("b"), { name: "a" });
      tasks.b = createTask(waitFor("a"), { name: "b" });
      yield at(0, sleep(1));
      const forest = captureCallGraph();
      const file = { text: "", write(s: string) { this.text += s; } };
      printCallGraph(null, { file });
      tasks.a.cancel();
      tasks.b.cancel();
      return [forest.map(shape), file.text];
    });
    expect(result[0]).toEqual([
      ["main", ["main:2"]],
      ["a", ["waitFor:42"], [["b", ["waitFor:42"], [["a", ["waitFor:42"]]]]]],
    ]);
    expect(withoutIds(result[1] as string)).toBe(
      [
        "* Task(name='main', id=ID)",
        "  + Call stack:",
        "  |   File 'test.ts', line 2, in async main()",
        "",
        "* Task(name='a', id=ID)",
        "  + Call stack:",
        "  |   File 'test.ts', line 42, in async waitFor()",
        "  + Awaited by:",
        "    * Task(name='b', id=ID)",
        "      + Call stack:",
        "      |   File 'test.ts', line 42, in async waitFor()",
        "      + Awaited by:",
        "        * Task(name='a', id=ID)",
        "          + Call stack:",
        "          |   File 'test.ts', line 42, in async waitFor()",
        "",
      ].join("\n"),
    );
  });
});

describe("printCallGraph", () => {
  test("prints one task's graph in asyncio's layout to the given file", async () => {
    const text = await runMain(function* () {
      currentTask()!.setName("main");
      const t = createTask(wrapper(5) as Task<number>, { name: "worker" });
      yield at(0, sleep(0));
      const file = { text: "", write(s: string) { this.text += s; } };
      const printer = createTask(define("printer", 30, function* () {
        yield at(0, sleep(0));
        printCallGraph(t, { file });
      })());
      yield at(1, t);
      yield at(2, printer);
      return file.text;
    });
    expect(withoutIds(text)).toBe(
      [
        "* Task(name='worker', id=ID)",
        "  + Call stack:",
        "  |   File 'test.ts', line 11, in async child()",
        "  |   File 'test.ts', line 21, in async wrapper()",
        "  + Awaited by:",
        "    * Task(name='main', id=ID)",
        "      + Call stack:",
        "      |   File 'test.ts', line 3, in async main()",
        "",
      ].join("\n"),
    );
  });

  test("formatCallGraph gives the same text, and a Future prints with its id", () => {
    const f = new Future();
    const text = formatCallGraph(captureCallGraph(f));
    expect(text).toMatch(/^\* Future\(id=0x[0-9a-f]+\)\n$/);
    expect(formatCallGraph(captureCallGraph(f))).toBe(text);
    f.cancel();
  });

  test("writes to stdout by default", async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
      writes.push(String(s));
      return true;
    });
    try {
      const f = new Future();
      printCallGraph(f);
      f.cancel();
    } finally {
      spy.mockRestore();
    }
    expect(writes.join("")).toMatch(/^\* Future\(id=0x[0-9a-f]+\)\n$/);
  });
});
