/**
 * Call graphs, as asyncio 3.14's: where a task waits (its await chain) and who waits for it
 * (tasks awaiting it directly, or through gather, wait, TaskGroup, shield), up to the roots.
 */
import { registeredAwaiters } from "./awaited-by.js";
import { describe, RuntimeError } from "./errors.js";
import { getEventLoop, type EventLoop } from "./event-loop.js";
import { Future } from "./future.js";
import { runningLoopOrNull } from "./running-loop.js";
import { Task, allTasks, currentTask, type StackFrame } from "./task.js";

export { registerAwaitedBy, unregisterAwaitedBy } from "./awaited-by.js";

/**
 * One future of a call graph: its await chain and the graphs of what awaits it.
 * @see asyncio.FutureCallGraph
 */
export interface FutureCallGraph {
  /** The Task or Future. */
  readonly future: Future<unknown>;
  /**
   * Where it waits, newest frame first (asyncio's order): one frame per compiled coroutine of a
   * pending task's await chain; empty for a plain Future and a task that is done.
   */
  readonly callStack: readonly StackFrame[];
  /** The tasks and futures waiting for it. A future met again on the same path (a cycle: a deadlock) is listed without its own awaiters. */
  readonly awaitedBy: readonly FutureCallGraph[];
}

/** Who awaits what on one loop, built once per capture. */
class AwaitIndex {
  /** future → the tasks blocked on it (their waitingOn()). */
  readonly #waiting = new Map<Future<unknown>, Task<unknown>[]>();
  readonly tasks: Task<unknown>[];

  constructor(loop: EventLoop) {
    this.tasks = [...allTasks(loop)];
    for (const task of this.tasks) {
      const awaited = task.waitingOn();
      if (awaited === null) continue;
      const list = this.#waiting.get(awaited);
      if (list === undefined) this.#waiting.set(awaited, [task]);
      else list.push(task);
    }
  }

  /** What waits for `future`: registered awaiters first, then tasks blocked on it; no duplicates. */
  awaitersOf(future: Future<unknown>): Future<unknown>[] {
    const found = new Set<Future<unknown>>(registeredAwaiters(future));
    for (const task of this.#waiting.get(future) ?? []) found.add(task);
    return [...found];
  }
}

function build(future: Future<unknown>, index: AwaitIndex, path: Set<Future<unknown>>): FutureCallGraph {
  const callStack = future instanceof Task && !future.done() ? future.getStack().reverse() : [];
  const awaitedBy: FutureCallGraph[] = [];
  if (!path.has(future)) {
    path.add(future);
    for (const awaiter of index.awaitersOf(future)) awaitedBy.push(build(awaiter, index, path));
    path.delete(future);
  }
  return { future, callStack, awaitedBy };
}

function checkFuture(value: unknown, where: string): Future<unknown> {
  if (value instanceof Future) return value;
  throw new TypeError(`${where} expects a Task or Future, got ${describe(value)}`);
}

/**
 * The call graph of `future` (a Task or Future): its await chain, newest frame first, and the
 * graphs of everything awaiting it. Without an argument, a forest: one graph for every task of
 * the running loop (or getEventLoop()) that no other task waits for, so that every task appears,
 * innermost waits first. Tasks that only wait on one another in a cycle (a deadlock) get a graph
 * too, rooted at the one created first.
 * @see asyncio.capture_call_graph
 */
export function captureCallGraph(future: Future<unknown>): FutureCallGraph;
export function captureCallGraph(): FutureCallGraph[];
export function captureCallGraph(future?: Future<unknown>): FutureCallGraph | FutureCallGraph[] {
  if (future !== undefined) {
    const target = checkFuture(future, "captureCallGraph");
    return build(target, new AwaitIndex(target.getLoop()), new Set());
  }
  return captureForest(runningLoopOrNull() ?? getEventLoop());
}

/** Every task of `loop` as a forest of graphs (see captureCallGraph()). */
function captureForest(loop: EventLoop): FutureCallGraph[] {
  const index = new AwaitIndex(loop);
  // A task reachable upward from another task waits for it, directly or through futures: not a root.
  const reached = new Set<Future<unknown>>();
  const climb = (from: Future<unknown>): void => {
    for (const awaiter of index.awaitersOf(from)) {
      if (reached.has(awaiter)) continue;
      reached.add(awaiter);
      climb(awaiter);
    }
  };
  for (const task of index.tasks) climb(task);
  const roots = index.tasks.filter((task) => !reached.has(task));
  // Tasks in a cycle are all reached: cover what the roots' graphs do not show yet.
  const covered = new Set<Future<unknown>>();
  const cover = (from: Future<unknown>): void => {
    if (covered.has(from)) return;
    covered.add(from);
    for (const awaiter of index.awaitersOf(from)) cover(awaiter);
  };
  for (const root of roots) cover(root);
  for (const task of index.tasks) {
    if (covered.has(task)) continue;
    roots.push(task);
    cover(task);
  }
  return roots.map((root) => build(root, index, new Set()));
}

/** Options of {@link printCallGraph}. */
export interface PrintCallGraphOptions {
  /** Where to write: anything with `write(string)`; default stdout. */
  file?: { write(text: string): unknown } | null;
}

/**
 * Prints the call graph of `future` (see {@link captureCallGraph}) in asyncio's layout; without a
 * task (or with null), every task of the loop: the dump that shows a deadlock at a glance.
 *
 * ```text
 * * Task(name='worker', id=0x2)
 *   + Call stack:
 *   |   File 'app.ts', line 5, in async worker()
 *   + Awaited by:
 *       * Task(name='Task-1', id=0x1)
 *           + Call stack:
 *           |   File 'app.ts', line 12, in async main()
 * ```
 * @see asyncio.print_call_graph
 */
export function printCallGraph(future?: Future<unknown> | null, options?: PrintCallGraphOptions): void {
  const graphs = future === undefined || future === null ? captureCallGraph() : [captureCallGraph(future)];
  const text = graphs.length === 0 ? "No tasks\n" : graphs.map(formatCallGraph).join("\n");
  const file = options?.file;
  if (file !== undefined && file !== null) {
    if (typeof file.write !== "function") throw new TypeError(`the file to print the call graph to must have write(text), got ${describe(file)}`);
    file.write(text);
  } else writeStdout(text);
}

/** The text printCallGraph writes for one graph, ending in a newline. */
export function formatCallGraph(graph: FutureCallGraph): string {
  const lines: string[] = [];
  render(graph, lines, 0);
  return lines.join("\n") + "\n";
}

function render(graph: FutureCallGraph, lines: string[], level: number): void {
  const indent = "    ".repeat(level);
  const f = graph.future;
  lines.push(indent + (f instanceof Task ? `* Task(name='${f.getName()}', id=${objectId(f)})` : `* Future(id=${objectId(f)})`));
  if (graph.callStack.length > 0) {
    lines.push(indent + "  + Call stack:");
    for (const frame of graph.callStack) {
      lines.push(indent + `  |   File '${frame.fileName}', line ${frame.lineNumber}, in async ${frame.functionName}()`);
    }
  }
  if (graph.awaitedBy.length > 0) {
    lines.push(indent + "  + Awaited by:");
    for (const awaiter of graph.awaitedBy) render(awaiter, lines, level + 1);
  }
}

/** A stable small number per object, as `0x1f`: JavaScript has no id(). */
const ids = new WeakMap<object, number>();
let lastId = 0;
function objectId(value: object): string {
  let id = ids.get(value);
  if (id === undefined) ids.set(value, (id = ++lastId));
  return `0x${id.toString(16)}`;
}

function writeStdout(text: string): void {
  const stdout = (globalThis as { process?: { stdout?: { write?(s: string): unknown } } }).process?.stdout;
  if (typeof stdout?.write === "function") stdout.write(text);
  else console.log(text.replace(/\n$/, ""));
}

/** The current task's graph, as asyncio's capture_call_graph() without a future. @internal */
export function captureCurrentTaskGraph(): FutureCallGraph | null {
  const loop = runningLoopOrNull();
  if (loop === null) {
    throw new RuntimeError("no running event loop and no task to introspect; pass the task whose call graph you want");
  }
  const task = currentTask(loop);
  return task === null ? null : captureCallGraph(task);
}
