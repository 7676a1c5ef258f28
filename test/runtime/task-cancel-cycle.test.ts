/** Cancelling tasks that await each other in a cycle (a deadlock) ends them instead of overflowing the stack. */
import { CancelledError, Task, createTask, run, sleep } from "../../runtime/index.js";
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
