/** Cancelling tasks that await each other in a cycle (a deadlock) ends them instead of overflowing the stack. */
import { CancelledError, Task, createTask, gather, run, sleep } from "../../runtime/index.js";
import { at, define } from "../support/coroutines.js";

test("cancel() of a task in a wait cycle throws CancelledError into it, and the cycle unwinds", async () => {
  const tasks: Record<string, Task<unknown>> = {};
  const waitOn = define("waitOn", 10, function* (other: string) {
    yield at(0, sleep(0));
    yield at(1, tasks[other]);
  });
  const outcome = await run(define("main", 1, function* () {
    tasks.a = createTask(waitOn("b"), { name: "a" });
    tasks.b = createTask(waitOn("a"), { name: "b" });
    yield at(0, sleep(1));
    const accepted = tasks.a.cancel("break the cycle");
    try {
      yield at(1, tasks.a);
    } catch (e) {
      return [accepted, (e as Error).name, tasks.a.cancelled(), tasks.a.cancelling()];
    }
    return null;
  }), { virtualTime: true });
  expect(outcome).toEqual([true, "CancelledError", true, 1]);
  expect(tasks.b!.cancelled()).toBe(true);
  expect(() => tasks.b!.result()).toThrow(CancelledError);
});

test("run() shuts down cleanly when main leaves two deadlocked tasks behind", async () => {
  const tasks: Record<string, Task<unknown>> = {};
  const waitOn = define("waitOn", 10, function* (other: string) {
    yield at(0, sleep(0));
    yield at(1, tasks[other]);
  });
  const result = await run(define("main", 1, function* () {
    tasks.a = createTask(waitOn("b"));
    tasks.b = createTask(waitOn("a"));
    yield at(0, sleep(1));
    return "main done";
  }), { virtualTime: true });
  expect(result).toBe("main done");
  expect(tasks.a!.cancelled() && tasks.b!.cancelled()).toBe(true);
});

test("a task of the cycle that catches the CancelledError and returns: the other, its cancel forwarded to it, gets that value", async () => {
  const tasks: Record<string, Task<unknown>> = {};
  const waitOn = define("waitOn", 10, function* (other: string) {
    yield at(0, sleep(0));
    try {
      return yield at(1, tasks[other]);
    } catch (e) {
      if (other === "b") return `a caught ${(e as Error).name}`;
      throw e;
    }
  });
  const outcome = await run(define("main", 1, function* () {
    tasks.a = createTask(waitOn("b"), { name: "a" });
    tasks.b = createTask(waitOn("a"), { name: "b" });
    yield at(0, sleep(1));
    tasks.a.cancel();
    return [yield at(1, tasks.a), yield at(2, tasks.b), tasks.b.cancelling()];
  }), { virtualTime: true });
  // b's cancel() went on to a (what b awaits), as any cancel of a waiting task does: a handled
  // it, so b resumes with a's result.
  expect(outcome).toEqual(["a caught CancelledError", "a caught CancelledError", 1]);
});

test("a cycle reached twice from one cancel() (a task awaiting a gather of two tasks that await it) is broken once", async () => {
  const tasks: Record<string, Task<unknown>> = {};
  const waitOnA = define("waitOnA", 20, function* () {
    yield at(0, sleep(0));
    yield at(1, tasks.a);
  });
  const waitOnBoth = define("waitOnBoth", 30, function* () {
    yield at(0, sleep(0));
    yield at(1, (both = gather(tasks.b!, tasks.c!)));
  });
  let both: ReturnType<typeof gather> | undefined;
  const outcome = await run(define("main", 1, function* () {
    tasks.a = createTask(waitOnBoth(), { name: "a" });
    tasks.b = createTask(waitOnA(), { name: "b" });
    tasks.c = createTask(waitOnA(), { name: "c" });
    yield at(0, sleep(1));
    const accepted = tasks.a.cancel();
    yield at(1, sleep(1));
    // a stopped waiting on the gather to break the cycle: its CancelledError is read here.
    return [accepted, ...["a", "b", "c"].map((n) => tasks[n]!.cancelled()), (both!.exception() as Error).name];
  }), { virtualTime: true });
  expect(outcome).toEqual([true, true, true, true, "CancelledError"]);
});
